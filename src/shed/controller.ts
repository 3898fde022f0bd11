/**
 * The control law: one pure step per event. It never reads a clock (`now` is given), never does
 * I/O, and never changes the state it was given; the caller sends the returned commands and feeds
 * their results back as events.
 */
import { InputError } from '../errors';
import { validateShedConfig, type LoadConfig, type ShedConfig } from './config';
import type { ShedEvent } from './events';
import { accumulate, excessW, headroomW } from './demand';
import { pruneSwitches } from './lockout';
import { command, notice, type ShedCommand, type ShedNotice, type StepContext } from './context';
import { anyLeftToShed, expectedPowerW, pickToShed, restorable, sheddable } from './priority';
import { cloneState, initialState, parseState, serialiseState, type ShedState } from './state';
import { buildView, type ShedView } from './view';
import { expireOverrides, applyOverride, noticeReadBack } from './overrides';
import { failsafeDue, failsafeActions } from './failsafe';

export interface Decision {
  state: ShedState;
  commands: ShedCommand[];
  events: ShedNotice[];
  view: ShedView;
}

function loadConfig(config: ShedConfig, name: string): LoadConfig {
  const load = config.loads.find((l) => l.name === name);
  if (load === undefined)
    throw new InputError(
      'load',
      `load must name a load of this shedder (${config.loads.map((l) => l.name).join(', ')}); got "${name}"`,
    );
  return load;
}

function onReading(ctx: StepContext, watts: number): void {
  const { state, config, now } = ctx;
  if (!Number.isFinite(watts)) throw new InputError('watts', `watts must be a finite number; got ${String(watts)}`);
  accumulate(state, config, watts, now);
  // A load shed alone shows its power as the drop to the first reading after it went off.
  for (const load of config.loads) {
    const ls = state.loads[load.name];
    if (
      ls &&
      ls.learnFromW !== null &&
      ls.pending === null &&
      ls.actual === 'off' &&
      ls.changedAt !== null &&
      ls.changedAt < now
    ) {
      const drop = ls.learnFromW - watts;
      if (drop > 0) ls.learntW = drop;
      ls.learnFromW = null;
    }
  }
  state.lastReading = { w: watts, at: now };
}

function onCommandResult(ctx: StepContext, name: string, outcome: 'confirmed' | 'held' | 'failed'): void {
  const load = loadConfig(ctx.config, name);
  const ls = ctx.state.loads[load.name];
  if (ls === undefined || ls.pending === null) return;
  const pending = ls.pending;
  ls.pending = null;
  if (outcome === 'confirmed') {
    if (ls.actual !== pending.state) ls.changedAt = ctx.now;
    ls.actual = pending.state;
    ls.held = false;
    ls.retryAt = null;
    // The next shed waits for a reading taken after this one took effect.
    if (pending.state === 'off') ctx.state.settleUntil = ctx.now;
    return;
  }
  // Nothing moved: the controller's picture goes back to what the relays still are.
  ls.held = outcome === 'held';
  ls.commanded = ls.actual;
  ls.shed = pending.wasShed;
  ls.owner = ls.owner === 'manual' ? 'manual' : pending.wasOwner;
  ls.learnFromW = null;
  ls.retryAt = ctx.now + ctx.config.retryS * 1000;
  ls.reason = outcome === 'held' ? `${ls.reason}: held by the PRM3 (inside its minimum time)` : `${ls.reason}: failed`;
}

function timeOutCommands(ctx: StepContext): void {
  for (const load of ctx.config.loads) {
    const ls = ctx.state.loads[load.name];
    if (ls?.pending && ctx.now - ls.pending.at >= ctx.config.commandTimeoutS * 1000)
      onCommandResult(ctx, load.name, 'failed');
  }
}

function shedAndRestore(ctx: StepContext): void {
  const { state, config, now } = ctx;
  if (state.lastReading === null) return;
  const excess = excessW(state, config, now);
  const room = headroomW(state, config, now);
  state.overSince = excess > 0 ? (state.overSince ?? now) : null;
  state.underSince = room >= 0 ? (state.underSince ?? now) : null;
  // The alarm ends under limit − band, not at the limit: power hovering there raises it once.
  if (room >= 0 && state.alarm !== null) state.alarm = null;

  const sheddingPending = config.loads.some((l) => state.loads[l.name]?.pending?.state === 'off');
  const settled = state.settleUntil === null || state.lastReading.at > state.settleUntil;
  if (state.overSince !== null && now - state.overSince >= config.shedDelayS * 1000 && !sheddingPending && settled) {
    const candidates = sheddable(config, state, now);
    if (candidates.length === 0) {
      if (!anyLeftToShed(config, state) && state.alarm === null) {
        const text = `still ${Math.round(excess)} W over the limit with everything sheddable shed`;
        state.alarm = { since: now, text };
        notice(ctx, 'alarm', null, text);
      }
      return;
    }
    // Aim below the limit by the band, as restoring does: a small rise then needs no second round.
    const picked = pickToShed(candidates, state, excess + config.bandW);
    for (const load of picked) {
      const ls = state.loads[load.name];
      const text = `shed: ${Math.round(state.lastReading.w)} W against a limit of ${Math.round(state.limitW)} W${config.demandIntervalMin === null ? '' : ` (${config.demandIntervalMin} min average)`}`;
      if (command(ctx, load, 'off', 'auto', 'shed', text)) {
        ls.shed = true;
        ls.learnFromW = picked.length === 1 && load.expectedW === null ? state.lastReading.w : null;
      }
    }
    return;
  }

  const anyPending = config.loads.some((l) => state.loads[l.name]?.pending != null);
  const gapOver = state.lastRestoreAt === null || now - state.lastRestoreAt >= config.restoreGapS * 1000;
  if (
    state.overSince === null &&
    state.underSince !== null &&
    now - state.underSince >= config.restoreDelayS * 1000 &&
    gapOver &&
    !anyPending
  ) {
    for (const load of restorable(config, state, now)) {
      const w = expectedPowerW(load, state) ?? 0;
      if (w > room) continue;
      const text = `restore: ${Math.round(w)} W fits under ${Math.round(state.limitW - config.bandW)} W`;
      if (command(ctx, load, 'on', 'auto', 'restore', text)) {
        state.loads[load.name].shed = false;
        state.lastRestoreAt = now;
      }
      return;
    }
  }
}

/** Commands that carry out overrides, within the minimum times. */
function followOverrides(ctx: StepContext): void {
  for (const load of ctx.config.loads) {
    const ls = ctx.state.loads[load.name];
    if (!ls || ls.owner !== 'manual' || ls.override === null || ls.pending !== null) continue;
    if (ls.actual !== null && ls.actual !== ls.override.state) {
      command(
        ctx,
        load,
        ls.override.state,
        'override',
        'override',
        `override: ${ls.override.state} until ${new Date(ls.override.until).toISOString()}`,
      );
    }
  }
}

export interface Shedder {
  readonly config: ShedConfig;
  initialState(): ShedState;
  /** A stored state (object or JSON text), checked; throws InputError naming the bad field. */
  restoreState(stored: unknown): ShedState;
  serialise(state: ShedState): string;
  step(state: ShedState, event: ShedEvent, now: number): Decision;
}

export function createShedder(input: unknown): Shedder {
  const config = validateShedConfig(input);
  return {
    config,
    initialState: () => initialState(config),
    restoreState: (stored) => parseState(stored, config),
    serialise: serialiseState,
    step: (given, event, now) => {
      if (!Number.isFinite(now)) throw new InputError('now', `now must be a time in milliseconds; got ${String(now)}`);
      const ctx: StepContext = { config, state: cloneState(given), now, commands: [], events: [] };
      const { state } = ctx;
      state.watchingSince ??= now;
      switch (event.type) {
        case 'reading':
          // A reading may come from elsewhere; only the meter's own answer ends unreachability.
          onReading(ctx, event.watts);
          break;
        case 'relayStates':
          noticeReadBack(ctx, event.masks);
          break;
        case 'override':
          applyOverride(ctx, loadConfig(config, event.load), event.state, event.forS);
          break;
        case 'limit':
          if (!Number.isFinite(event.watts) || event.watts <= 0)
            throw new InputError('limit', `limit must be a positive number of watts; got ${String(event.watts)}`);
          state.limitW = event.watts;
          notice(ctx, 'limit-changed', null, `limit ${Math.round(event.watts)} W`);
          break;
        case 'enable':
          state.enabled = true;
          // Delays count again from now: what happened while off was not watched for.
          state.overSince = null;
          state.underSince = null;
          break;
        case 'disable':
          state.enabled = false;
          break;
        case 'meter':
          state.meterReachable = event.reachable;
          break;
        case 'commandResult':
          onCommandResult(ctx, event.load, event.outcome);
          break;
        case 'tick':
          break;
      }
      for (const ls of Object.values(state.loads)) pruneSwitches(ls, now);
      timeOutCommands(ctx);
      expireOverrides(ctx);
      const failsafeNow = failsafeDue(state, config, now);
      if (failsafeNow !== state.failsafe) {
        state.failsafe = failsafeNow;
        if (failsafeNow)
          notice(
            ctx,
            'failsafe',
            null,
            `fail-safe: ${state.meterReachable ? 'no power reading' : 'meter unreachable'}; action ${config.failsafeAction}`,
          );
        else {
          for (const ls of Object.values(state.loads)) if (ls.owner === 'failsafe') ls.owner = 'auto';
          notice(ctx, 'failsafe', null, 'readings and meter back: automatic control resumed');
        }
      }
      if (state.enabled) {
        followOverrides(ctx);
        if (state.failsafe) failsafeActions(ctx);
        else shedAndRestore(ctx);
      }
      return { state, commands: ctx.commands, events: ctx.events, view: buildView(config, state, now) };
    },
  };
}
