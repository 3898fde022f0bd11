/** The shape of bench/results.json, and reading it back with every figure the README uses checked. */
import { readFileSync } from 'node:fs';
import type { WidgetFloodFigures } from './widget-figures';
import path from 'node:path';
import type { PathFigures, Plan, ThroughputFigures } from './measure';
import type { PollingResult } from './checks';
import type { FleetProcessReport } from './fleet';
import type { SheddingResults } from './shed/shedding';
import type { DecisionFigures } from './shed/decision';

/** What the Node-RED process measured, and how the fleet around it was set up. */
export interface FleetFigures extends FleetProcessReport {
  meters: number;
  devices: number;
  registerNodes: number;
  /** Measured minutes, after `warmupS` of start-up that is not counted. */
  minutes: number;
  warmupS: number;
  /** From the simulators' start to the end of the measurement: the time the logins were counted over. */
  runSeconds: number;
  tokenLifetimeS: number;
  loginsPerMeter: number;
  callsPerSecond: number;
}

export interface ModeResults {
  /** Per operation (get, set, toggle), per path (floor, client, own, mask, http). */
  paths: Record<string, Record<string, PathFigures>>;
  throughput: ThroughputFigures[];
}

/** A figure at 1, 16 and 64 concurrent callers. */
export interface ByCallers {
  c1: number;
  c16: number;
  c64: number;
}

export interface BenchResults {
  date: string;
  node: string;
  nodeRed: string;
  cores: number;
  /** The mode the top-level ratios come from. */
  headlineMode: 'child';
  plan: Plan;
  clientToFloor: number;
  flowToFloor: number;
  runtimeOwnToFloor: number;
  maskGetToFloor: number;
  maskSetToFloor: number;
  maskToggleToFloor: number;
  flowAddedCost: number;
  httpRequestSetToFloor: number;
  /** Calls/s ÷ the floor's at 1, 16 and 64 callers; `flowToOwn` is the flow ÷ Node-RED's own path. */
  throughputRatio: Record<'client' | 'own' | 'flow' | 'flowToOwn', ByCallers>;
  clientCpuToFloor: number;
  requestsPerSet: number;
  requestsPerCall: number;
  firstCallPollsKnownModel: number;
  loginsPer10kCalls: number;
  coldStartLogins: number;
  /** Heap growth over `heapCalls` calls (100,000 in a full run). */
  heapGrowthMbPer100k: number;
  heapCalls: number;
  polling: PollingResult[];
  fleet: FleetFigures | null;
  modes: { same: ModeResults; child: ModeResults };
  /** The load shedder against the old example function node and a naive threshold controller. */
  shedding: SheddingResults;
  /** From `npm run bench:widget`, kept over a full run. */
  widgetFlood?: WidgetFloodFigures;
  /** A load shedder's decision per reading, real runtime path, against a threshold comparison. */
  shedDecision: DecisionFigures;
  /** The control law's step in a function node ÷ a function node comparing with the limit. */
  shedStepToFloor: number;
  /** The `load shedder` node on the same path ÷ the same floor; null while the package has no such node. */
  shedderToFloor: number | null;
  /** One-minute load average of the machine when the run started and ended: other work on it skews figures. */
  loadAverage: { start: number; end: number };
  durationS: number;
  /** Set when the throughput figures come from a later throughput-only run (`--throughput`). */
  throughputRun?: { date: string; node: string; loadAverage: { start: number; end: number }; durationS: number };
}

const SHEDDING_FIGURES = [
  'shedStepToFloor',
  'shedDecision.pureStepUs',
  'shedding.profiles',
  ...['node', 'example', 'threshold'].flatMap((c) =>
    ['overLimitS', 'intervalsOver', 'switchesPerLoadDay', 'shedEnergyKWh'].map((f) => `shedding.${c}.${f}`),
  ),
];

export function resultsFile(projectRoot: string): string {
  return path.join(projectRoot, 'bench', 'results.json');
}

function field(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || !(name in value)) return undefined;
  return Reflect.get(value, name);
}

/** Reads a number at a dotted path, or says which field is missing. */
export function numberAt(root: unknown, dotted: string): number {
  const value = dotted.split('.').reduce<unknown>((obj, name) => field(obj, name), root);
  if (typeof value !== 'number')
    throw new TypeError(`bench results: ${dotted} should be a number, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * bench/results.json as written by the last run; the fields the README shows are checked, the
 * shedding figures unless the run is about to replace them.
 */
export function readResults(projectRoot: string, shedding: 'check' | 'replacing' = 'check'): BenchResults {
  const parsed: unknown = JSON.parse(readFileSync(resultsFile(projectRoot), 'utf8'));
  for (const name of [
    'clientToFloor',
    'flowToFloor',
    'runtimeOwnToFloor',
    'maskGetToFloor',
    'maskSetToFloor',
    'maskToggleToFloor',
    'flowAddedCost',
    'clientCpuToFloor',
    'requestsPerSet',
    'firstCallPollsKnownModel',
    ...(shedding === 'check' ? SHEDDING_FIGURES : []),
  ]) {
    numberAt(parsed, name);
  }
  for (const name of ['date', 'node', 'nodeRed']) {
    if (typeof field(parsed, name) !== 'string') throw new TypeError(`bench results: ${name} should be a string`);
  }
  return parsed as BenchResults;
}
