/**
 * What a load shedder's decision costs per reading, in a real Node-RED runtime like the other
 * rows: inject → a function node deciding → the lap function node. The floor is the least any
 * shedder does with a reading: a function node comparing it with the limit. The other path runs
 * the control law's step on the reading in the same kind of function node, reached the same way.
 * Readings stay under the limit minus the band, so no command is sent: the common case.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join as pathJoin } from 'node:path';
import { createShedder, type ShedState } from '../../src/shed';
import type { Plan } from '../measure';
import type { BenchHooks, Runtime } from '../runtime';
import { alternate, median, pairedRatio, round, RoundSeries } from '../stats';
import { LOADS } from './compare';

const LIMIT_W = 12_000;
/** The tab, the ids of the paths' inject nodes and the global the function nodes reach. */
export const SHED_TAB = 'shed-tab';
export const SHED_PATHS = { floor: 'shed-floor', step: 'shed-step', node: 'shed-node' } as const;
const SHED_METER = 'shed-meter';
/** The simulator's PRM3s the node's loads are on: three loads on one, the three-phase one on another. */
const NODE_DEVICES = ['00000001', '00000002'] as const;
export const SHED_GLOBAL = 'shedBench';

type FlowNode = Record<string, unknown>;

/** The work the function nodes call: both get here the same way. */
export class ShedDecisions {
  private readonly shedder = createShedder({
    limitW: LIMIT_W,
    loads: LOADS.map((l) => ({
      name: l.name,
      device: l.device,
      relays: [1, 2, 3].filter((r) => (l.relays & (1 << (r - 1))) !== 0),
      priority: l.priority,
      expectedW: l.nominalW,
    })),
  });
  private state: ShedState;
  private now = Date.UTC(2026, 0, 5);
  /** Commands the step returned: none are expected, and a run that sees one is wrong. */
  commands = 0;

  constructor() {
    let state = this.shedder.initialState();
    const masks: Record<string, number> = {};
    for (const l of LOADS) masks[l.device] = (masks[l.device] ?? 0) | l.relays;
    state = this.shedder.step(state, { type: 'relayStates', masks }, this.now).state;
    this.state = state;
  }

  /** The floor: what deciding takes at the least. */
  threshold(watts: number): boolean {
    return watts > LIMIT_W;
  }

  /** The control law on one reading, one second after the last. */
  step(watts: number): boolean {
    this.now += 1000;
    const d = this.shedder.step(this.state, { type: 'reading', watts }, this.now);
    this.state = d.state;
    this.commands += d.commands.length;
    return d.commands.length > 0;
  }
}

/** Readings of a quiet house: 2 to 8 kW, never near the limit. */
export function readings(): () => number {
  let i = 0;
  return () => 2000 + ((i++ * 1237) % 6000);
}

const LAP = `const next = global.get('bench').lap(msg.benchPath);
if (next === undefined) return null;
msg.payload = next;
return msg;`;

function fn(id: string, func: string, wires: string[][]): FlowNode {
  return {
    id,
    type: 'function',
    z: SHED_TAB,
    x: 100,
    y: 100,
    func,
    outputs: 1,
    timeout: 0,
    noerr: 0,
    initialize: '',
    finalize: '',
    libs: [],
    wires,
  };
}

/** The inject node that starts a path's rounds, wired to what decides. */
function startOf(id: string): FlowNode {
  return {
    id,
    type: 'inject',
    z: SHED_TAB,
    x: 100,
    y: 100,
    props: [
      { p: 'payload', v: '3000', vt: 'num' },
      { p: 'benchPath', v: id, vt: 'str' },
    ],
    repeat: '',
    once: false,
    wires: [[`${id}-decide`]],
  };
}

function path(id: string, decide: string): FlowNode[] {
  return [
    startOf(id),
    fn(`${id}-decide`, `msg.shed = global.get('${SHED_GLOBAL}').${decide}(msg.payload);\nreturn msg;`, [[`${id}-lap`]]),
    fn(`${id}-lap`, LAP, [[`${id}-decide`]]),
  ];
}

/** Whether this package registers the `load shedder` node with Node-RED. */
export function hasShedderNode(projectRoot: string): boolean {
  const pkg: unknown = JSON.parse(readFileSync(pathJoin(projectRoot, 'package.json'), 'utf8'));
  const red: unknown = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'node-red') : undefined;
  const nodes: unknown = typeof red === 'object' && red !== null ? Reflect.get(red, 'nodes') : undefined;
  return typeof nodes === 'object' && nodes !== null && Object.values(nodes).includes('nodes/load-shedder.js');
}

/**
 * inject → `load shedder` → lap, on the simulator at `meterUrl`: the household's loads with
 * relays closed, readings from msg.payload. Every reading changes the power its state message
 * shows, so each one comes out of the node's second output.
 */
function nodePath(meterUrl: string): FlowNode[] {
  const id = SHED_PATHS.node;
  const [first, second] = NODE_DEVICES;
  const place: Record<string, [string, string]> = {
    'water heater': [first, '1'],
    'heat pump': [first, '2'],
    'pool pump': [first, '3'],
    'ev charger': [second, '1,2,3'],
  };
  return [
    {
      id: SHED_METER,
      type: 'egauge-meter',
      name: 'bench shedding',
      url: meterUrl,
      verify: true,
      timeout: 10,
      callTimeout: 30,
    },
    startOf(id),
    {
      id: `${id}-decide`,
      type: 'load shedder',
      z: SHED_TAB,
      x: 100,
      y: 100,
      meter: SHED_METER,
      limitW: LIMIT_W,
      loads: LOADS.map((l) => ({
        name: l.name,
        device: place[l.name]?.[0] ?? first,
        relays: place[l.name]?.[1] ?? '1',
        priority: l.priority,
        expectedW: l.nominalW,
      })),
      wires: [[], [`${id}-lap`]],
    },
    fn(`${id}-lap`, NODE_LAP, [[`${id}-decide`]]),
  ];
}

/**
 * The node sends a new state message, not the reading's: the lap takes the one that shows the
 * reading last sent, so a state message of the node's own one-second tick starts no second loop.
 */
const NODE_LAP = `const sent = context.get('sent');
if (sent !== undefined && (msg.payload === null || typeof msg.payload !== 'object' || msg.payload.powerW !== sent)) return null;
const next = global.get('bench').lap(${JSON.stringify(SHED_PATHS.node)});
context.set('sent', next);
if (next === undefined) return null;
return { payload: next };`;

/** The decision paths; the `load shedder` node's only when given the simulator it drives. */
export function shedDecisionFlow(meterUrl: string | null): FlowNode[] {
  return [
    { id: SHED_TAB, type: 'tab', label: 'bench load shedding' },
    ...path(SHED_PATHS.floor, 'threshold'),
    ...path(SHED_PATHS.step, 'step'),
    ...(meterUrl === null ? [] : nodePath(meterUrl)),
  ];
}

/** Relays closed on the node's PRM3s, so its first read-back finds every load on and nothing to restore. */
export const NODE_SIM_PRM3S = NODE_DEVICES.map((sn) => ({ sn, mask: 7 }));
export const NODE_METER_ID = SHED_METER;

export interface DecisionFigures {
  date: string;
  node: string;
  /** One-minute load average when the rounds started and ended. */
  loadAverage: { start: number; end: number };
  rounds: number;
  readingsPerRound: number;
  /** Median time per reading through the floor's function node path, ms. */
  floorMs: number;
  stepMs: number;
  /** The control law's step in a function node ÷ the threshold comparison, paired by round. */
  stepToFloor: number;
  /** The `load shedder` node ÷ the threshold comparison, paired by round; null before the node exists. */
  nodeMs: number | null;
  nodeToFloor: number | null;
  /** The step alone, outside Node-RED, µs per reading. */
  pureStepUs: number;
}

/** The pure step's own cost, outside any runtime. */
function pureStepUs(count: number): number {
  const d = new ShedDecisions();
  const next = readings();
  for (let i = 0; i < 1000; i++) d.step(next());
  const start = performance.now();
  for (let i = 0; i < count; i++) d.step(next());
  return ((performance.now() - start) * 1000) / count;
}

export async function decisionGroup(
  runtime: Runtime,
  hooks: BenchHooks,
  decisions: ShedDecisions,
  plan: Plan,
  loadAtStart: number,
  withNode: boolean,
): Promise<DecisionFigures> {
  const viaFlow = async (id: string, count: number): Promise<{ samples: number[]; cpuMs: number }> => {
    const done = hooks.startLaps(id, count, readings());
    await runtime.press(id);
    return done;
  };
  const names: Array<keyof typeof SHED_PATHS> = withNode ? ['floor', 'step', 'node'] : ['floor', 'step'];
  const series = { floor: new RoundSeries(), step: new RoundSeries(), node: new RoundSeries() };
  await alternate(names, 1, (name) => viaFlow(SHED_PATHS[name], plan.callsPerRound).then(() => undefined));
  await alternate(names, plan.rounds, async (name) => {
    const { samples, cpuMs } = await viaFlow(SHED_PATHS[name], plan.callsPerRound);
    series[name].addRound(samples, cpuMs);
  });
  if (decisions.commands > 0)
    throw new Error('the decision bench sent commands: its readings must stay under the limit');
  const load = (x: number): number => Math.round(x * 10) / 10;
  return {
    date: new Date().toISOString(),
    node: process.version,
    loadAverage: { start: load(loadAtStart), end: load(os.loadavg()[0] ?? 0) },
    rounds: plan.rounds,
    readingsPerRound: plan.callsPerRound,
    floorMs: round(median(series.floor.samples), 4),
    stepMs: round(median(series.step.samples), 4),
    stepToFloor: round(pairedRatio(series.step.roundMedians, series.floor.roundMedians), 2),
    nodeMs: withNode ? round(median(series.node.samples), 4) : null,
    nodeToFloor: withNode ? round(pairedRatio(series.node.roundMedians, series.floor.roundMedians), 2) : null,
    pureStepUs: round(pureStepUs(20_000), 2),
  };
}
