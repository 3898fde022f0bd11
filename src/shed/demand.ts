/**
 * The quantity the limit applies to. With no demand interval it is present power. With one, it is
 * the clock-aligned interval average as a capacity tariff bills it: energy so far plus present
 * power held to the interval's end, over the interval's length.
 */
import type { ShedConfig } from './config';
import type { ShedState } from './state';

export interface Projection {
  intervalStart: number;
  intervalEnd: number;
  /** Energy of the interval up to now, the last reading's power held since it was taken. */
  energyWs: number;
  /** Average over the part of the interval seen so far. */
  averageSoFarW: number;
  /** Average the interval ends with if present power holds. */
  projectedW: number;
  secondsLeft: number;
}

export function intervalMs(config: ShedConfig): number | null {
  return config.demandIntervalMin === null ? null : config.demandIntervalMin * 60_000;
}

/** Aligned to the epoch, which is aligned to every whole-hour time zone. */
export function intervalStartOf(now: number, lengthMs: number): number {
  return Math.floor(now / lengthMs) * lengthMs;
}

/**
 * Adds the energy since the previous reading (its power held until now) to the running interval.
 * An interval first seen part way through counts its unseen part at present power, so a
 * controller started late does not believe the interval was empty.
 */
export function accumulate(state: ShedState, config: ShedConfig, w: number, now: number): void {
  const length = intervalMs(config);
  if (length === null) {
    state.interval = null;
    return;
  }
  const start = intervalStartOf(now, length);
  const prev = state.lastReading;
  if (state.interval === null || state.interval.start !== start) {
    // At a rollover the previous reading's power held since the boundary; a first interval
    // counts its unseen part at present power.
    const heldW = state.interval !== null && prev !== null ? prev.w : w;
    state.interval = { start, energyWs: (heldW * (now - start)) / 1000 };
    return;
  }
  if (prev !== null && prev.at < now) {
    state.interval.energyWs += (prev.w * (now - Math.max(prev.at, start))) / 1000;
  }
}

/**
 * The interval as of `now`, which may be later than the last reading (a read-back, a tick): the
 * last reading's power counts as held since, so every event sees the same projection.
 */
export function projection(state: ShedState, config: ShedConfig, now: number): Projection | null {
  const length = intervalMs(config);
  const last = state.lastReading;
  if (length === null || last === null) return null;
  const start = intervalStartOf(now, length);
  const end = start + length;
  const energyWs =
    state.interval !== null && state.interval.start === start
      ? state.interval.energyWs + (last.w * Math.max(0, now - Math.max(last.at, start))) / 1000
      : (last.w * (now - start)) / 1000;
  const elapsedS = (now - start) / 1000;
  const leftS = (end - now) / 1000;
  return {
    intervalStart: start,
    intervalEnd: end,
    energyWs,
    averageSoFarW: elapsedS > 0 ? energyWs / elapsedS : last.w,
    projectedW: (energyWs + last.w * leftS) / (length / 1000),
    secondsLeft: leftS,
  };
}

/**
 * The present power that keeps the controlled quantity at `targetW`. In demand mode this is the
 * power which, held for the rest of the interval, ends it exactly at the target. The last second
 * counts as a whole one so the figure stays finite.
 */
export function allowedPowerW(state: ShedState, config: ShedConfig, targetW: number, now: number): number {
  const p = projection(state, config, now);
  if (p === null) return targetW;
  const lengthS = (p.intervalEnd - p.intervalStart) / 1000;
  return (targetW * lengthS - p.energyWs) / Math.max(1, p.secondsLeft);
}

/** How much present power must drop to meet the limit; zero or less when it is met. */
export function excessW(state: ShedState, config: ShedConfig, now: number): number {
  if (state.lastReading === null) return 0;
  return state.lastReading.w - allowedPowerW(state, config, state.limitW, now);
}

/**
 * Room for a restored load under limit − band. In demand mode a restored load stays on into the
 * next interval, so it must fit both this interval's average and present power on its own;
 * otherwise a load restored near an interval's end is shed again at the start of the next.
 */
export function headroomW(state: ShedState, config: ShedConfig, now: number): number {
  if (state.lastReading === null) return 0;
  const target = state.limitW - config.bandW;
  const present = target - state.lastReading.w;
  if (config.demandIntervalMin === null) return present;
  return Math.min(present, allowedPowerW(state, config, target, now) - state.lastReading.w);
}
