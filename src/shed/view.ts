/** What a dashboard shows after each step: per load, who owns it, why, and what waits. */
import type { ShedConfig } from './config';
import { headroomW, projection, type Projection } from './demand';
import { minTimeLeftS, switchesLastHour } from './lockout';
import { expectedPowerW } from './priority';
import type { OnOff, Owner, ShedState } from './state';

export interface LoadView {
  name: string;
  actual: OnOff | null;
  owner: Owner;
  shed: boolean;
  reason: string;
  /** Seconds until the controller would restore it; null when it waits for room or a person. */
  restoreInS: number | null;
  /** Seconds left of its minimum on or off time. */
  lockoutS: number;
  /** Automatic sheds and restores in the last hour, against the hourly cap. */
  switchesLastHour: number;
  overrideUntil: number | null;
  /** The relays are as last commanded (no command in flight, none held). */
  confirmed: boolean;
  held: boolean;
  expectedW: number | null;
}

export interface ShedView {
  enabled: boolean;
  failsafe: boolean;
  limitW: number;
  powerW: number | null;
  alarm: string | null;
  projection: Projection | null;
  loads: LoadView[];
}

export function buildView(config: ShedConfig, state: ShedState, now: number): ShedView {
  const proj = projection(state, config, now);
  const room = headroomW(state, config, now);
  const loads = config.loads.map((load): LoadView => {
    const ls = state.loads[load.name];
    if (ls === undefined) throw new RangeError(`state has no entry for load ${load.name}`);
    const lockoutS = minTimeLeftS(load, ls, now);
    const expected = expectedPowerW(load, state);
    let restoreInS: number | null = null;
    if (ls.shed && ls.owner === 'auto' && load.autoRestore && state.underSince !== null && (expected ?? 0) <= room) {
      const delayLeft = config.restoreDelayS - (now - state.underSince) / 1000;
      const gapLeft = state.lastRestoreAt === null ? 0 : config.restoreGapS - (now - state.lastRestoreAt) / 1000;
      restoreInS = Math.max(0, lockoutS, delayLeft, gapLeft);
    }
    return {
      name: load.name,
      actual: ls.actual,
      owner: ls.owner,
      shed: ls.shed,
      reason: ls.reason,
      restoreInS,
      lockoutS,
      switchesLastHour: switchesLastHour(ls, now),
      overrideUntil: ls.override?.until ?? null,
      confirmed: ls.pending === null && !ls.held && ls.actual !== null,
      held: ls.held,
      expectedW: expected,
    };
  });
  return {
    enabled: state.enabled,
    failsafe: state.failsafe,
    limitW: state.limitW,
    powerW: state.lastReading?.w ?? null,
    alarm: state.alarm?.text ?? null,
    projection: proj,
    loads,
  };
}
