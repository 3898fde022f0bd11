/**
 * `npm run bench`: every path as a ratio against a floor measured in the same alternating
 * rounds, with the simulator in this process and in a child process; throughput paired the
 * same way; counts of requests, logins and polls; then a fleet of meters in one Node-RED
 * process. Writes bench/results.json and the README's benchmark section.
 *
 *   --fleet-minutes N   how long the fleet is measured (default 5, so a run takes about 12 minutes;
 *                       10 for the figure after ten minutes of operation; 0 leaves the fleet out)
 *   --quick             fewer rounds, for trying the bench itself
 *   --throughput        only the paired throughput rounds (both modes); their figures replace
 *                       those in bench/results.json, the rest of the last full run is kept
 *   --shedding          only the load-shedding comparison and the shedder's decision cost; their
 *                       figures replace those in bench/results.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Operation } from './floor';
import { OPERATIONS } from './floor';
import { benchFlow } from './flows';
import { runFleet, type FleetResult } from './fleet';
import {
  coldStartLogins,
  firstCallPollsKnownModel,
  heapGrowthMb,
  polling,
  requestsPerCall,
  requestsPerSet,
} from './checks';
import { sequentialGroup, throughputGroup, type PathFigures, type Plan, type ThroughputFigures } from './measure';
import { startSimulator } from '../src/sim';
import { DEVICES, startMode, LOGIN, simulatorOptions, type Mode, type ModeName } from './modes';
import { writeReadmeSection } from './readme';
import { readResults, resultsFile, type BenchResults, type ByCallers, type ModeResults } from './results';
import { keptWidgetFlood } from './widget-figures';
import { BenchHooks, startRuntime, type Runtime } from './runtime';
import { runShedding, type SheddingResults } from './shed/shedding';
import { writeSweepPlot } from './shed/plot';
import {
  decisionGroup,
  hasShedderNode,
  NODE_METER_ID,
  NODE_SIM_PRM3S,
  SHED_GLOBAL,
  shedDecisionFlow,
  ShedDecisions,
  type DecisionFigures,
} from './shed/decision';
import type { MeterSimulator } from '../src/sim/types';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

interface Options {
  fleetMinutes: number;
  quick: boolean;
  throughputOnly: boolean;
  sheddingOnly: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { fleetMinutes: 5, quick: false, throughputOnly: false, sheddingOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--throughput') options.throughputOnly = true;
    else if (arg === '--shedding') options.sheddingOnly = true;
    else if (arg === '--fleet-minutes') {
      const value = Number(argv[++i]);
      if (!(Number.isFinite(value) && value >= 0))
        throw new Error('--fleet-minutes needs a number of minutes (0 leaves the fleet out)');
      options.fleetMinutes = value;
    } else
      throw new Error(`unknown option ${String(arg)}; accepted: --fleet-minutes N, --quick, --throughput, --shedding`);
  }
  return options;
}

function nodeRedVersion(): string {
  const file = require.resolve('node-red/package.json');
  const pkg: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const version: unknown = typeof pkg === 'object' && pkg !== null ? Reflect.get(pkg, 'version') : undefined;
  return typeof version === 'string' ? version : 'unknown';
}

function printGroup(mode: ModeName, op: Operation, rows: Record<string, PathFigures>): void {
  for (const [name, r] of Object.entries(rows)) {
    const own = r.toOwn === undefined ? '' : `  × own ${r.toOwn.toFixed(2)}`;
    console.log(
      `${mode.padEnd(5)} ${op.padEnd(6)} ${name.padEnd(6)} median ${r.medianMs.toFixed(3)} ms  p99 ${r.p99Ms.toFixed(3)}  floor ${r.floorMs.toFixed(3)}  × floor ${r.toFloor.toFixed(2)}  cpu ${(r.cpuPerCallMs * 1000).toFixed(0)} µs × ${r.cpuToFloor.toFixed(2)}${own}`,
    );
  }
}

function printThroughput(mode: ModeName, t: ThroughputFigures): void {
  const p = t.perSecond;
  console.log(
    `${mode.padEnd(5)} ${String(t.callers).padStart(2)} callers  floor ${p.floor}/s  client ${p.client}/s (${t.ratio.client.toFixed(2)})  own ${p.own}/s (${t.ratio.own.toFixed(2)})  flow ${p.flow}/s (${t.ratio.flow.toFixed(2)}, × own ${t.flowToOwn.toFixed(2)})  cpu per call × floor: client ${t.cpuToFloor.client.toFixed(2)}, own ${t.cpuToFloor.own.toFixed(2)}, flow ${t.cpuToFloor.flow.toFixed(2)}`,
  );
}

async function throughputGroups(
  mode: Mode,
  runtime: Runtime,
  hooks: BenchHooks,
  plan: Plan,
): Promise<ThroughputFigures[]> {
  const figures: ThroughputFigures[] = [];
  for (const callers of plan.callers) {
    const t = await throughputGroup(mode, callers, runtime, hooks, plan);
    printThroughput(mode.name, t);
    figures.push(t);
  }
  return figures;
}

function throughputRatio(figures: readonly ThroughputFigures[]): BenchResults['throughputRatio'] {
  const tp = (c: number): ThroughputFigures | undefined => figures.find((t) => t.callers === c);
  const at = (figure: (t: ThroughputFigures) => number): ByCallers => {
    const of = (c: number): number => {
      const t = tp(c);
      return t === undefined ? Number.NaN : figure(t);
    };
    return { c1: of(1), c16: of(16), c64: of(64) };
  };
  return {
    client: at((t) => t.ratio.client),
    own: at((t) => t.ratio.own),
    flow: at((t) => t.ratio.flow),
    flowToOwn: at((t) => t.flowToOwn),
  };
}

/** Puts a throughput-only run's figures into the last full run's results, saying when they were taken. */
function replaceThroughput(
  throughput: Partial<Record<ModeName, ThroughputFigures[]>>,
  loadAtStart: number,
  started: number,
): void {
  const results = readResults(PROJECT_ROOT);
  const child = throughput.child;
  const same = throughput.same;
  if (!child || !same) throw new Error('a mode is missing');
  results.throughputRatio = throughputRatio(child);
  results.modes.child.throughput = child;
  results.modes.same.throughput = same;
  results.throughputRun = {
    date: new Date().toISOString(),
    node: process.version,
    loadAverage: { start: Math.round(loadAtStart * 10) / 10, end: Math.round((os.loadavg()[0] ?? 0) * 10) / 10 },
    durationS: Math.round((Date.now() - started) / 1000),
  };
  writeFileSync(resultsFile(PROJECT_ROOT), `${JSON.stringify(results, null, 2)}\n`);
  writeReadmeSection(PROJECT_ROOT, results);
  console.log(`\nthroughput written to bench/results.json and the README in ${results.throughputRun.durationS} s`);
}

/** Replays the household days through the three controllers and prints the table. */
function shedding(quick: boolean): SheddingResults {
  const started = Date.now();
  const r = runShedding({ profiles: quick ? 2 : 10, sweepProfiles: quick ? 1 : 3, projectRoot: PROJECT_ROOT }, (line) =>
    console.log(line),
  );
  console.log(
    `shedding: ${r.profiles} household days at a ${r.limitW} W limit, PRM3 minimum ${r.prm3MinSwitchS} s, figures per day`,
  );
  for (const name of ['node', 'example', 'threshold'] as const) {
    const f = r[name];
    console.log(
      `  ${name.padEnd(9)} over the limit ${f.overLimitS.toFixed(1).padStart(7)} s  intervals over (${r.demandIntervalMin} min mode) ${f.intervalsOver.toFixed(2).padStart(5)}  switches per load ${f.switchesPerLoadDay.toFixed(2).padStart(7)}  energy kept off ${f.shedEnergyKWh.toFixed(2).padStart(6)} kWh`,
    );
  }
  console.log(
    `shedding: node fewer seconds over and fewer switches than both: ${r.nodeWinsBoth}; its sweep beats every other point: ${r.nodeDominates} (${Math.round((Date.now() - started) / 1000)} s)`,
  );
  writeSweepPlot(PROJECT_ROOT, r);
  return r;
}

async function decision(
  runtime: Runtime,
  hooks: BenchHooks,
  decisions: ShedDecisions,
  plan: Plan,
): Promise<DecisionFigures> {
  const loadAtStart = os.loadavg()[0] ?? 0;
  const d = await decisionGroup(runtime, hooks, decisions, plan, loadAtStart, shedSim !== null);
  const node =
    d.nodeMs === null
      ? 'no load shedder node registered'
      : `load shedder node ${d.nodeMs} ms, × floor ${d.nodeToFloor}`;
  console.log(
    `shedder decision per reading: ${node}; function node running the control law ${d.stepMs} ms, × floor ${d.stepToFloor}; threshold comparison ${d.floorMs} ms; the step alone ${d.pureStepUs} µs`,
  );
  return d;
}

/** The simulator the `load shedder` node drives in the decision rounds, once the package has the node. */
let shedSim: MeterSimulator | null = null;
async function startShedSim(): Promise<void> {
  if (hasShedderNode(PROJECT_ROOT)) shedSim = await startSimulator(simulatorOptions({ prm3s: NODE_SIM_PRM3S }));
}
const shedCredentials = (): Record<string, typeof LOGIN> => (shedSim === null ? {} : { [NODE_METER_ID]: LOGIN });

/** The shedding comparison and the decision cost, put into the last full run's results. */
async function replaceShedding(plan: Plan, quick: boolean): Promise<void> {
  const previous = readResults(PROJECT_ROOT, 'replacing');
  const sheddingResults = shedding(quick);
  const hooks = new BenchHooks();
  const decisions = new ShedDecisions();
  await startShedSim();
  const runtime = await startRuntime(shedDecisionFlow(shedSim?.url ?? null), shedCredentials(), {
    bench: hooks,
    [SHED_GLOBAL]: decisions,
  });
  const shedDecision = await decision(runtime, hooks, decisions, plan);
  await runtime.stop();
  await shedSim?.close();
  const results: BenchResults = {
    ...previous,
    shedding: sheddingResults,
    shedDecision,
    shedStepToFloor: shedDecision.stepToFloor,
    shedderToFloor: shedDecision.nodeToFloor,
  };
  writeFileSync(resultsFile(PROJECT_ROOT), `${JSON.stringify(results, null, 2)}\n`);
  writeReadmeSection(PROJECT_ROOT, results);
  console.log('\nshedding figures written to bench/results.json, docs/images and the README');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const plan: Plan = options.quick
    ? { rounds: 5, callsPerRound: 100, throughputRounds: 3, throughputRoundMs: 500, callers: [1, 16, 64] }
    : { rounds: 20, callsPerRound: 100, throughputRounds: 10, throughputRoundMs: 500, callers: [1, 16, 64] };
  const started = Date.now();
  const loadAtStart = os.loadavg()[0] ?? 0;
  console.log(
    `bench: Node ${process.version}, Node-RED ${nodeRedVersion()}, ${os.cpus().length} cores; ${plan.rounds} rounds of ${plan.callsPerRound} calls per path, each beside its floor`,
  );

  if (options.sheddingOnly) {
    await replaceShedding(plan, options.quick);
    return;
  }

  const modes: Mode[] = [await startMode('same'), await startMode('child')];
  await startShedSim();
  const hooks = new BenchHooks();
  const flow = [
    ...benchFlow(modes.map((m) => ({ mode: m.name, url: m.url, token: m.token, devices: DEVICES }))),
    ...shedDecisionFlow(shedSim?.url ?? null),
  ];
  const credentials = { ...Object.fromEntries(modes.map((m) => [`${m.name}-meter`, LOGIN])), ...shedCredentials() };
  const decisions = new ShedDecisions();
  const runtime = await startRuntime(flow, credentials, { bench: hooks, [SHED_GLOBAL]: decisions });

  if (options.throughputOnly) {
    const throughput: Partial<Record<ModeName, ThroughputFigures[]>> = {};
    for (const mode of modes) throughput[mode.name] = await throughputGroups(mode, runtime, hooks, plan);
    await runtime.stop();
    for (const mode of modes) await mode.close();
    await shedSim?.close();
    replaceThroughput(throughput, loadAtStart, started);
    return;
  }

  const perMode: Partial<Record<ModeName, ModeResults>> = {};
  for (const mode of modes) {
    const paths: ModeResults['paths'] = {};
    for (const op of OPERATIONS) {
      const rows = await sequentialGroup(mode, op, runtime, hooks, plan);
      printGroup(mode.name, op, rows);
      paths[op] = rows;
    }
    perMode[mode.name] = { paths, throughput: await throughputGroups(mode, runtime, hooks, plan) };
  }

  const same = modes[0];
  if (!same?.sim) throw new Error('the in-process simulator is missing');
  const perSet = await requestsPerSet(same.sim, runtime, hooks, 200);
  const shedDecision = await decision(runtime, hooks, decisions, plan);
  await runtime.stop();
  await shedSim?.close();
  for (const mode of modes) await mode.close();

  const countSim = await startSimulator(simulatorOptions());
  const perCall = await requestsPerCall(countSim, options.quick ? 1000 : 10_000);
  const cold = await coldStartLogins(countSim);
  const heapCalls = options.quick ? 20_000 : 100_000;
  const heap = await heapGrowthMb(countSim, heapCalls);
  await countSim.close();
  const pollingResults = [await polling(20, 40), await polling(200, 15), await polling(2000, 5)];
  const knownModel = await firstCallPollsKnownModel(2000);
  console.log(
    `requests per set ${perSet}; per call ${perCall.requestsPerCall}; logins per 10k calls ${perCall.loginsPer10k}; cold-start logins ${cold}; heap growth ${heap} MB`,
  );
  for (const p of pollingResults)
    console.log(
      `device ${p.deviceLatencyMs} ms: extra wait ${p.extraWaitMs} ms, ${p.polls} polls; first call ${p.firstCallPolls} polls, ${p.firstCallExtraWaitMs} ms`,
    );
  console.log(
    `first call to a second PRM3 of a known model (2 s): ${knownModel.polls} polls, ${knownModel.extraWaitMs} ms extra`,
  );

  const sheddingResults = shedding(options.quick);

  let fleet: FleetResult | null = null;
  if (options.fleetMinutes > 0) {
    console.log(`fleet: ${options.fleetMinutes} min…`);
    fleet = await runFleet({ minutes: options.fleetMinutes });
    console.log(
      `fleet: lag p50 ${fleet.lagP50Ms} ms p99 ${fleet.lagP99Ms} ms, ${fleet.cpuPercent} % of a core, RSS ${fleet.rssGrowthMb} MB, heap ${fleet.heapGrowthMb} MB, ${fleet.loginsPerMeter} logins per meter`,
    );
  }

  const child = perMode.child;
  const sameResults = perMode.same;
  if (!child || !sameResults) throw new Error('a mode is missing');
  const cg = child.paths['get'];
  const cs = child.paths['set'];
  const ct = child.paths['toggle'];
  const widgetFlood = keptWidgetFlood(PROJECT_ROOT);
  const results: BenchResults = {
    date: new Date().toISOString(),
    node: process.version,
    nodeRed: nodeRedVersion(),
    cores: os.cpus().length,
    headlineMode: 'child',
    plan,
    clientToFloor: cg?.['client']?.toFloor ?? Number.NaN,
    flowToFloor: cg?.['mask']?.toFloor ?? Number.NaN,
    runtimeOwnToFloor: cg?.['own']?.toFloor ?? Number.NaN,
    maskGetToFloor: cg?.['mask']?.toFloor ?? Number.NaN,
    maskSetToFloor: cs?.['mask']?.toFloor ?? Number.NaN,
    maskToggleToFloor: ct?.['mask']?.toFloor ?? Number.NaN,
    flowAddedCost: cg?.['mask']?.toOwn ?? Number.NaN,
    httpRequestSetToFloor: cs?.['http']?.toFloor ?? Number.NaN,
    throughputRatio: throughputRatio(child.throughput),
    clientCpuToFloor: cg?.['client']?.cpuToFloor ?? Number.NaN,
    requestsPerSet: perSet,
    requestsPerCall: perCall.requestsPerCall,
    firstCallPollsKnownModel: knownModel.polls,
    loginsPer10kCalls: perCall.loginsPer10k,
    coldStartLogins: cold,
    heapGrowthMbPer100k: heap,
    heapCalls,
    polling: pollingResults,
    fleet,
    modes: { same: sameResults, child },
    shedding: sheddingResults,
    shedDecision,
    shedStepToFloor: shedDecision.stepToFloor,
    shedderToFloor: shedDecision.nodeToFloor,
    loadAverage: { start: Math.round(loadAtStart * 10) / 10, end: Math.round((os.loadavg()[0] ?? 0) * 10) / 10 },
    durationS: Math.round((Date.now() - started) / 1000),
    ...(widgetFlood === undefined ? {} : { widgetFlood }),
  };
  writeFileSync(resultsFile(PROJECT_ROOT), `${JSON.stringify(results, null, 2)}\n`);
  writeReadmeSection(PROJECT_ROOT, results);
  console.log(`\nwritten to bench/results.json and the README in ${results.durationS} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
