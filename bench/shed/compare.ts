/**
 * The shedding comparison: the same seeded household days, one reading a second, replayed
 * through each controller with the same limit and the same model of the PRM3 (a command inside
 * its minimum open/close time is held). The replay counts what happened to the relays, not what
 * a controller believes.
 */
import { generateProfile, NOMINAL_W, type HouseholdProfile, type SwitchedKind } from './household-profile';
import { Prm3Model } from './prm3-model';
import type { Controller, ReplayLoad } from './controllers';

export const KINDS: readonly SwitchedKind[] = ['water-heater', 'ev-charger', 'heat-pump', 'pool-pump'];

/** The household's switched loads: the pool pump goes first, the heat pump last. */
export const LOADS: readonly ReplayLoad[] = [
  { name: 'water heater', device: 'prm3-a', relays: 1, priority: 2, nominalW: NOMINAL_W['water-heater'] },
  // Three-phase: one load on all three relays of its own module.
  { name: 'ev charger', device: 'prm3-b', relays: 7, priority: 3, nominalW: NOMINAL_W['ev-charger'] },
  { name: 'heat pump', device: 'prm3-a', relays: 2, priority: 4, nominalW: NOMINAL_W['heat-pump'] },
  { name: 'pool pump', device: 'prm3-a', relays: 4, priority: 1, nominalW: NOMINAL_W['pool-pump'] },
];

export const DAY_S = 86_400;
const READBACK_EVERY_S = 5;

export function householdDay(seed: number): HouseholdProfile {
  return generateProfile({ seed, seconds: DAY_S, startHour: 0, kinds: [...KINDS] });
}

/** One controller over one profile. */
export interface DayFigures {
  /** Seconds in which grid power was above the limit. */
  overLimitS: number;
  /** Complete clock-aligned intervals whose average was above the limit. */
  intervalsOver: number;
  /** Relay changes that really happened (held commands move nothing). */
  switches: number;
  /** Commands sent, held ones included. */
  commands: number;
  /** Energy the switched loads wanted while their relays were open, kWh. */
  shedEnergyKWh: number;
}

export function replayDay(
  profile: HouseholdProfile,
  loads: readonly ReplayLoad[],
  limitW: number,
  prm3MinSwitchS: number,
  intervalMin: number,
  controller: Controller,
): DayFigures {
  const model = new Prm3Model(prm3MinSwitchS);
  for (const load of loads) model.force(load.device, model.mask(load.device) | load.relays, -Infinity);
  const closed = (i: number): boolean => {
    const load = loads[i];
    return load !== undefined && (model.mask(load.device) & load.relays) === load.relays;
  };
  const figures: DayFigures = { overLimitS: 0, intervalsOver: 0, switches: 0, commands: 0, shedEnergyKWh: 0 };
  let now = profile.startMs;
  const apply = (i: number, on: boolean): 'confirmed' | 'held' => {
    const load = loads[i];
    if (load === undefined) throw new RangeError(`no load ${i}`);
    figures.commands++;
    const was = closed(i);
    const outcome = model.apply(load.device, load.relays, on, now);
    if (closed(i) !== was) figures.switches++;
    return outcome;
  };
  const intervalS = intervalMin * 60;
  let intervalEnergy = 0;
  let shedWs = 0;
  for (let t = 0; t < profile.seconds; t++) {
    now = profile.startMs + t * 1000;
    let watts = profile.unswitchedW[t] ?? 0;
    loads.forEach((_, i) => {
      const demand = profile.switched[i]?.demandW[t] ?? 0;
      if (closed(i)) watts += demand;
      else shedWs += demand;
    });
    if (watts > limitW) figures.overLimitS++;
    intervalEnergy += watts;
    if ((t + 1) % intervalS === 0) {
      if (intervalEnergy / intervalS > limitW) figures.intervalsOver++;
      intervalEnergy = 0;
    }
    controller.second(now, watts, t % READBACK_EVERY_S === 0 ? new Map(model.masks) : null, apply);
  }
  figures.shedEnergyKWh = shedWs / 3_600_000;
  return figures;
}

/** Figures per household-day, averaged over the profiles. */
export interface ControllerFigures {
  overLimitS: number;
  intervalsOver: number;
  switchesPerLoadDay: number;
  shedEnergyKWh: number;
  commandsPerLoadDay: number;
}

export function average(days: readonly DayFigures[], loadCount: number): ControllerFigures {
  const mean = (f: (d: DayFigures) => number): number => days.reduce((s, d) => s + f(d), 0) / days.length;
  return {
    overLimitS: mean((d) => d.overLimitS),
    intervalsOver: mean((d) => d.intervalsOver),
    switchesPerLoadDay: mean((d) => d.switches) / loadCount,
    shedEnergyKWh: mean((d) => d.shedEnergyKWh),
    commandsPerLoadDay: mean((d) => d.commands) / loadCount,
  };
}
