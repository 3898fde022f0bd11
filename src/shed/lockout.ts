/** What stops a load from switching now: minimum on/off time, hourly cap, retry wait, a pending command. */
import type { LoadConfig, ShedConfig } from './config';
import type { LoadState } from './state';

const HOUR_MS = 3_600_000;

/** Seconds left of the load's minimum on (or off) time; 0 when it may switch. */
export function minTimeLeftS(load: LoadConfig, ls: LoadState, now: number): number {
  if (ls.actual === null || ls.changedAt === null) return 0;
  const minS = ls.actual === 'on' ? load.minOnS : load.minOffS;
  return Math.max(0, minS - (now - ls.changedAt) / 1000);
}

export function switchesLastHour(ls: LoadState, now: number): number {
  return ls.switches.filter((t) => t > now - HOUR_MS).length;
}

export function pruneSwitches(ls: LoadState, now: number): void {
  ls.switches = ls.switches.filter((t) => t > now - HOUR_MS);
}

export type SwitchKind = 'auto' | 'override' | 'failsafe';

/**
 * Whether a command may be sent for this load now. The minimum times bind every command the
 * controller sends; the hourly cap counts and binds only its own automatic decisions, not a
 * person's override or the fail-safe action.
 */
export function maySwitch(load: LoadConfig, ls: LoadState, config: ShedConfig, now: number, kind: SwitchKind): boolean {
  if (ls.actual === null || ls.pending !== null) return false;
  if (ls.retryAt !== null && now < ls.retryAt) return false;
  if (minTimeLeftS(load, ls, now) > 0) return false;
  if (kind === 'auto' && switchesLastHour(ls, now) >= config.switchesPerHour) return false;
  return true;
}
