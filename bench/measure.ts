/**
 * The timed parts of a mode: sequential paths in alternating rounds with their floor, and
 * throughput in alternating rounds at several numbers of callers.
 */
import { executeRelayCommand } from '../src/prm3/operations';
import type { RelayCommand } from '../src/prm3/command';
import type { Operation } from './floor';
import { ids } from './flows';
import { alternatingMask, DEVICES, type Mode } from './modes';
import type { BenchHooks, Runtime } from './runtime';
import { alternate, cpuMsSince, median, pairedRatio, round, RoundSeries, throughput } from './stats';

export type PathName = 'floor' | 'client' | 'own' | 'mask' | 'http';

export interface Plan {
  rounds: number;
  callsPerRound: number;
  throughputRounds: number;
  throughputRoundMs: number;
  callers: readonly number[];
}

export interface PathFigures {
  medianMs: number;
  p99Ms: number;
  /** Median of the floor's rounds that alternated with this path. */
  floorMs: number;
  toFloor: number;
  cpuPerCallMs: number;
  cpuToFloor: number;
  /** This path ÷ Node-RED's own cost (raw requests in a function node), paired by round. */
  toOwn?: number;
}

/** The paths of the throughput rounds: `own` is Node-RED's own cost, function nodes doing the floor's requests. */
type ThroughputPath = 'floor' | 'client' | 'own' | 'flow';

export interface ThroughputFigures {
  callers: number;
  perSecond: Record<ThroughputPath, number>;
  ratio: { client: number; own: number; flow: number };
  /** The `prm3 mask` flow's calls/s ÷ Node-RED's own, paired by round: the package's share of the flow's cost. */
  flowToOwn: number;
  /** CPU of this process per counted call ÷ the floor's, paired by round: less swayed by other load than calls/s. */
  cpuToFloor: { client: number; own: number; flow: number };
}

const SN = DEVICES[0];

async function timeCalls(count: number, once: () => Promise<unknown>): Promise<{ samples: number[]; cpuMs: number }> {
  const samples: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await once();
    samples.push(performance.now() - start);
  }
  return { samples, cpuMs: cpuMsSince(cpu) };
}

function commandFor(op: Operation, mask: () => number): () => RelayCommand {
  if (op === 'get') return () => ({ kind: 'get' });
  if (op === 'toggle') return () => ({ kind: 'toggle' });
  return () => ({ kind: 'set', mask: mask() });
}

/** Payloads for the flow's next pass: the same commands users send. */
function payloadFor(op: Operation, mask: () => number): () => unknown {
  if (op === 'set') return mask;
  return () => op;
}

/** Every path of one operation against the floor of the same operation, round by round. */
export async function sequentialGroup(
  mode: Mode,
  op: Operation,
  runtime: Runtime,
  hooks: BenchHooks,
  plan: Plan,
): Promise<Record<string, PathFigures>> {
  const floorMask = alternatingMask();
  const ownMask = alternatingMask();
  const command = commandFor(op, alternatingMask());
  hooks.setRaw(ids.own(mode.name, op), () => mode.floor.operate(SN, op, ownMask()));
  const viaFlow = async (
    path: string,
    count: number,
    next: () => unknown,
  ): Promise<{ samples: number[]; cpuMs: number }> => {
    const done = hooks.startLaps(path, count, next);
    await runtime.press(path);
    return done;
  };
  const runners: Record<PathName, ((count: number) => Promise<{ samples: number[]; cpuMs: number }>) | undefined> = {
    floor: (n) => timeCalls(n, () => mode.floor.operate(SN, op, floorMask())),
    client:
      op === 'get'
        ? (n) => timeCalls(n, () => mode.client.call({ sn: SN }, 'relay.get_mask', []))
        : (n) => timeCalls(n, () => executeRelayCommand(mode.client, SN, command(), 7, 'independent')),
    own: (n) => viaFlow(ids.own(mode.name, op), n, () => 'raw'),
    // The inject node sends 5 first; the flow's next passes carry 2, 5, 2…
    mask: (n) => viaFlow(ids.mask(mode.name, op), n, payloadFor(op, alternatingMask(2))),
    http: op === 'set' ? (n) => viaFlow(ids.httpSet(mode.name), n, alternatingMask(2)) : undefined,
  };
  const names = (Object.keys(runners) as PathName[]).filter((name) => runners[name] !== undefined);
  const series = new Map(names.map((name) => [name, new RoundSeries()]));
  // One unrecorded round of everything first: JIT, connections, the runtime's first messages.
  await alternate(names, 1, (name) => runners[name]!(plan.callsPerRound).then(() => undefined));
  await alternate(names, plan.rounds, async (name) => {
    const { samples, cpuMs } = await runners[name]!(plan.callsPerRound);
    series.get(name)!.addRound(samples, cpuMs);
  });

  const floor = series.get('floor')!;
  const own = series.get('own')!;
  const figures: Record<string, PathFigures> = {};
  for (const name of names) {
    const s = series.get(name)!;
    const row: PathFigures = {
      medianMs: round(s.medianMs),
      p99Ms: round(s.p99Ms),
      floorMs: round(floor.medianMs),
      toFloor: round(pairedRatio(s.roundMedians, floor.roundMedians), 2),
      cpuPerCallMs: round(s.cpuPerCallMs, 4),
      cpuToFloor: round(pairedRatio(s.roundCpu, floor.roundCpu), 2),
    };
    if (name === 'mask' || name === 'http') row.toOwn = round(pairedRatio(s.roundMedians, own.roundMedians), 2);
    figures[name] = row;
  }
  return figures;
}

/** Calls/s of the floor, the client, Node-RED's own path and the `prm3 mask` flow, alternating round by round. */
export async function throughputGroup(
  mode: Mode,
  callers: number,
  runtime: Runtime,
  hooks: BenchHooks,
  plan: Plan,
): Promise<ThroughputFigures> {
  const device = (caller: number): string => DEVICES[caller % DEVICES.length] ?? SN;
  DEVICES.forEach((sn, i) => hooks.setRaw(ids.ownThroughputDevice(mode.name, i), () => mode.floor.serial(sn, 'get')));
  const ms = plan.throughputRoundMs;
  const viaFlow = async (path: string): Promise<number> => {
    const done = hooks.startTicks(path, callers, ms);
    await runtime.press(path);
    return done;
  };
  const runners: Record<ThroughputPath, () => Promise<number>> = {
    floor: () => throughput(callers, ms, (caller) => mode.floor.serial(device(caller), 'get')),
    client: () => throughput(callers, ms, (caller) => mode.client.call({ sn: device(caller) }, 'relay.get_mask', [])),
    own: () => viaFlow(ids.ownThroughput(mode.name)),
    flow: () => viaFlow(ids.throughput(mode.name)),
  };
  const keys = ['floor', 'client', 'own', 'flow'] as const;
  const rounds: Record<ThroughputPath, number[]> = { floor: [], client: [], own: [], flow: [] };
  const cpu: Record<ThroughputPath, number[]> = { floor: [], client: [], own: [], flow: [] };
  await alternate(keys, 1, (key) => runners[key]().then(() => undefined));
  await alternate(keys, plan.throughputRounds, async (key) => {
    const started = process.cpuUsage();
    const perSecond = await runners[key]();
    rounds[key].push(perSecond);
    cpu[key].push(cpuMsSince(started) / Math.max(1, (perSecond * ms) / 1000));
  });
  const toFloor = (key: ThroughputPath, of: Record<ThroughputPath, number[]>): number =>
    round(pairedRatio(of[key], of.floor), 2);
  return {
    callers,
    perSecond: {
      floor: round(median(rounds.floor), 0),
      client: round(median(rounds.client), 0),
      own: round(median(rounds.own), 0),
      flow: round(median(rounds.flow), 0),
    },
    ratio: { client: toFloor('client', rounds), own: toFloor('own', rounds), flow: toFloor('flow', rounds) },
    flowToOwn: round(pairedRatio(rounds.flow, rounds.own), 2),
    cpuToFloor: { client: toFloor('client', cpu), own: toFloor('own', cpu), flow: toFloor('flow', cpu) },
  };
}
