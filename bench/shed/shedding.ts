/**
 * The shedding part of `npm run bench`: the load shedder, the old example function node and a
 * naive threshold controller over the same seeded household days, with the same limit and PRM3;
 * then each controller's settings swept, for the plot of seconds over the limit against switches.
 */
import {
  exampleController,
  nodeController,
  readExampleFunction,
  thresholdController,
  type Controller,
  type ExampleFunctionNode,
} from './controllers';
import { average, householdDay, LOADS, replayDay, type ControllerFigures, type DayFigures } from './compare';
import type { HouseholdProfile } from './household-profile';

export const CONTROLLERS = ['node', 'example', 'threshold'] as const;
export type ControllerName = (typeof CONTROLLERS)[number];

export interface SweepPoint {
  /** The settings of this point, as the controller names them. */
  settings: Record<string, number>;
  overLimitS: number;
  switchesPerLoadDay: number;
  shedEnergyKWh: number;
}

export interface SheddingResults {
  profiles: number;
  seeds: number[];
  limitW: number;
  prm3MinSwitchS: number;
  demandIntervalMin: 15;
  loads: Array<{ name: string; priority: number; nominalW: number }>;
  /** Present-power limit: over-limit seconds, switches and shed energy; intervalsOver from the demand-mode run. */
  node: ControllerFigures;
  example: ControllerFigures;
  threshold: ControllerFigures;
  /** The same days with the limit on the 15 min average (only the node knows it is an average). */
  demand: Record<ControllerName, ControllerFigures>;
  /** Profiles the sweep ran over (the first of `seeds`). */
  sweepProfiles: number;
  sweep: Record<ControllerName, SweepPoint[]>;
  /** Every example and threshold point has a node point with no more seconds over and no more switches. */
  nodeDominates: boolean;
  /** The node at its defaults has fewer seconds over the limit and fewer switches than both others. */
  nodeWinsBoth: boolean;
}

export interface SheddingOptions {
  profiles: number;
  sweepProfiles: number;
  projectRoot: string;
}

const LIMIT_W = 12_000;
const PRM3_MIN_SWITCH_S = 10;
const INTERVAL_MIN = 15;

type Make = (demand: boolean) => Controller;

function makers(
  example: ExampleFunctionNode,
): Record<ControllerName, (settings: Record<string, number>, demand: boolean) => Controller> {
  return {
    node: (s, demand) => nodeController(LOADS, LIMIT_W, PRM3_MIN_SWITCH_S, demand ? INTERVAL_MIN : null, s),
    example: (s) => exampleController(example, LOADS, LIMIT_W, s),
    threshold: (s) => thresholdController(LOADS, LIMIT_W, s),
  };
}

/** The settings each controller's curve runs through; the first of each is its default. */
export const SWEEPS: Record<ControllerName, Array<Record<string, number>>> = {
  node: [
    {},
    { shedDelayS: 0 },
    { shedDelayS: 2 },
    { shedDelayS: 10 },
    { shedDelayS: 20 },
    { shedDelayS: 30, restoreDelayS: 600 },
    { restoreDelayS: 300, restoreGapS: 120 },
    { bandW: 1000 },
    { shedDelayS: 0, bandW: 1000 },
    { bandW: 0, restoreDelayS: 10, restoreGapS: 10 },
  ],
  example: [
    {},
    { holdS: 1 },
    { holdS: 5 },
    { holdS: 30 },
    { holdS: 60 },
    { holdS: 1, hysteresisW: 500 },
    { hysteresisW: 8000 },
    { hysteresisW: 11000 },
    { holdS: 1, hysteresisW: 11000 },
    { holdS: 60, hysteresisW: 11000 },
  ],
  threshold: [
    {},
    { restoreBelowW: 500 },
    { restoreBelowW: 2000 },
    { restoreBelowW: 11000 },
    { delayS: 5 },
    { delayS: 30 },
    { restoreBelowW: 2000, delayS: 30 },
    { restoreBelowW: 11000, delayS: 5 },
    { restoreBelowW: 11000, delayS: 60 },
  ],
};

function runDays(days: readonly HouseholdProfile[], make: Make, demand: boolean): DayFigures[] {
  return days.map((day) => replayDay(day, LOADS, LIMIT_W, PRM3_MIN_SWITCH_S, INTERVAL_MIN, make(demand)));
}

const r2 = (x: number): number => Math.round(x * 100) / 100;
function rounded(f: ControllerFigures): ControllerFigures {
  return {
    overLimitS: r2(f.overLimitS),
    intervalsOver: r2(f.intervalsOver),
    switchesPerLoadDay: r2(f.switchesPerLoadDay),
    shedEnergyKWh: r2(f.shedEnergyKWh),
    commandsPerLoadDay: r2(f.commandsPerLoadDay),
  };
}

/** a is no worse than b on both figures. */
function noWorse(a: SweepPoint, b: SweepPoint): boolean {
  return a.overLimitS <= b.overLimitS && a.switchesPerLoadDay <= b.switchesPerLoadDay;
}

export function runShedding(options: SheddingOptions, log: (line: string) => void = () => undefined): SheddingResults {
  const example = readExampleFunction(options.projectRoot);
  const make = makers(example);
  const seeds = Array.from({ length: options.profiles }, (_, i) => i + 1);
  const days = seeds.map(householdDay);
  const power: Partial<Record<ControllerName, ControllerFigures>> = {};
  const demand: Partial<Record<ControllerName, ControllerFigures>> = {};
  for (const name of CONTROLLERS) {
    const m: Make = (d) => make[name]({}, d);
    power[name] = rounded(average(runDays(days, m, false), LOADS.length));
    demand[name] = rounded(average(runDays(days, m, true), LOADS.length));
    log(`shedding: ${name} done`);
  }
  const sweepDays = days.slice(0, options.sweepProfiles);
  const sweep: Partial<Record<ControllerName, SweepPoint[]>> = {};
  for (const name of CONTROLLERS) {
    sweep[name] = SWEEPS[name].map((settings) => {
      const f = average(
        runDays(sweepDays, () => make[name](settings, false), false),
        LOADS.length,
      );
      return {
        settings,
        overLimitS: r2(f.overLimitS),
        switchesPerLoadDay: r2(f.switchesPerLoadDay),
        shedEnergyKWh: r2(f.shedEnergyKWh),
      };
    });
    log(`shedding: ${name} swept`);
  }
  const full = (name: ControllerName): ControllerFigures => {
    const f = power[name];
    const d = demand[name];
    if (!f || !d) throw new Error(`shedding: ${name} has no figures`);
    return { ...f, intervalsOver: d.intervalsOver };
  };
  const node = full('node');
  const others = [full('example'), full('threshold')];
  const nodePoints = sweep.node ?? [];
  return {
    profiles: options.profiles,
    seeds,
    limitW: LIMIT_W,
    prm3MinSwitchS: PRM3_MIN_SWITCH_S,
    demandIntervalMin: INTERVAL_MIN,
    loads: LOADS.map((l) => ({ name: l.name, priority: l.priority, nominalW: l.nominalW })),
    node,
    example: others[0],
    threshold: others[1],
    demand: {
      node: demand.node as ControllerFigures,
      example: demand.example as ControllerFigures,
      threshold: demand.threshold as ControllerFigures,
    },
    sweepProfiles: sweepDays.length,
    sweep: {
      node: nodePoints,
      example: sweep.example ?? [],
      threshold: sweep.threshold ?? [],
    },
    nodeDominates: [...(sweep.example ?? []), ...(sweep.threshold ?? [])].every((p) =>
      nodePoints.some((n) => noWorse(n, p)),
    ),
    nodeWinsBoth: others.every((o) => node.overLimitS < o.overLimitS && node.switchesPerLoadDay < o.switchesPerLoadDay),
  };
}
