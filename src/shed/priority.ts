/** Which load goes next: lowest priority sheds first, highest comes back first. */
import type { LoadConfig, ShedConfig } from './config';
import type { ShedState } from './state';
import { maySwitch } from './lockout';

/** The power a load is taken to draw: configured, else learnt, else unknown (null). */
export function expectedPowerW(load: LoadConfig, state: ShedState): number | null {
  return load.expectedW ?? state.loads[load.name]?.learntW ?? null;
}

/** Ties keep the configured order, so the same situation always picks the same load. */
function byPriority(config: ShedConfig, ascending: boolean): LoadConfig[] {
  return config.loads
    .map((load, i) => ({ load, i }))
    .sort((a, b) => (ascending ? a.load.priority - b.load.priority : b.load.priority - a.load.priority) || a.i - b.i)
    .map((x) => x.load);
}

/** Loads the controller may shed, in shedding order. */
export function sheddable(config: ShedConfig, state: ShedState, now: number): LoadConfig[] {
  return byPriority(config, true).filter((load) => {
    const ls = state.loads[load.name];
    return (
      ls !== undefined &&
      !load.critical &&
      ls.owner === 'auto' &&
      !ls.shed &&
      ls.actual === 'on' &&
      maySwitch(load, ls, config, now, 'auto')
    );
  });
}

/**
 * True while some load could still be shed once its lockout ends: no alarm yet. A load not yet
 * read back may be on: before the first read-back nothing is known to be shed.
 */
export function anyLeftToShed(config: ShedConfig, state: ShedState): boolean {
  return config.loads.some((load) => {
    const ls = state.loads[load.name];
    return ls !== undefined && !load.critical && ls.owner === 'auto' && !ls.shed && ls.actual !== 'off';
  });
}

/** Shed loads that may come back now, in restoring order. */
export function restorable(config: ShedConfig, state: ShedState, now: number): LoadConfig[] {
  return byPriority(config, false).filter((load) => {
    const ls = state.loads[load.name];
    return (
      ls !== undefined &&
      load.autoRestore &&
      ls.owner === 'auto' &&
      ls.shed &&
      ls.actual === 'off' &&
      maySwitch(load, ls, config, now, 'auto')
    );
  });
}

/**
 * The loads to shed for `excess` W: in order until their expected power covers it. A load of
 * unknown power ends the pick, since how much it helps shows only in the next reading.
 */
export function pickToShed(candidates: LoadConfig[], state: ShedState, excess: number): LoadConfig[] {
  const picked: LoadConfig[] = [];
  let covered = 0;
  for (const load of candidates) {
    picked.push(load);
    const w = expectedPowerW(load, state);
    if (w === null) break;
    covered += w;
    if (covered >= excess) break;
  }
  return picked;
}
