/**
 * Manual control: an override given to the controller, or a change made elsewhere and seen in the
 * read-back. Either way the load is the person's until the override ends; it is never fought.
 */
import { InputError } from '../errors';
import { isMask } from '../prm3/mask';
import { describeReceived } from '../prm3/preview';
import type { LoadConfig } from './config';
import type { OverrideState } from './events';
import type { OnOff } from './state';
import { notice, type StepContext } from './context';

export function applyOverride(ctx: StepContext, load: LoadConfig, want: OverrideState, forS: number | undefined): void {
  const ls = ctx.state.loads[load.name];
  if (ls === undefined) return;
  if (want === 'auto') {
    if (ls.owner !== 'manual') return;
    backToAuto(ls);
    notice(ctx, 'override', load.name, 'override ended: automatic control');
    return;
  }
  const seconds = forS ?? ctx.config.overrideDefaultS;
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InputError('forS', `forS must be a positive number of seconds; got ${describeReceived(forS)}`);
  ls.owner = 'manual';
  ls.shed = false;
  ls.learnFromW = null;
  ls.override = { state: want, until: ctx.now + seconds * 1000 };
  ls.reason = `override: ${want} for ${seconds} s`;
  notice(ctx, 'override', load.name, ls.reason);
}

/** An off load back under automatic control counts as shed, so it returns once it fits. */
function backToAuto(ls: StepContext['state']['loads'][string]): void {
  ls.owner = 'auto';
  ls.override = null;
  ls.shed = ls.actual === 'off';
}

export function expireOverrides(ctx: StepContext): void {
  for (const load of ctx.config.loads) {
    const ls = ctx.state.loads[load.name];
    if (!ls || ls.override === null || ctx.now < ls.override.until) continue;
    backToAuto(ls);
    ls.reason = 'override expired: automatic control';
    notice(ctx, 'override-expired', load.name, ls.reason);
  }
}

/**
 * A relay read-back. It confirms a command in flight, is adopted when nothing was commanded yet,
 * and otherwise, if it differs from what was commanded, is a change made elsewhere.
 */
export function noticeReadBack(ctx: StepContext, masks: Record<string, number>): void {
  for (const [device, mask] of Object.entries(masks)) {
    if (!isMask(mask))
      throw new InputError(
        `masks["${device}"]`,
        `masks["${device}"] must be a relay mask 0..7; got ${describeReceived(mask)}`,
      );
  }
  for (const load of ctx.config.loads) {
    const ls = ctx.state.loads[load.name];
    const mask = masks[load.device];
    if (!ls || mask === undefined) continue;
    const closed = mask & load.relays;
    const split = closed !== 0 && closed !== load.relays;
    // Some phases closed is never a state this controller commands: someone else did it.
    const actual: OnOff = closed === 0 ? 'off' : 'on';
    if (actual !== ls.actual) ls.changedAt = ctx.now;
    ls.actual = actual;
    if (ls.pending !== null && !split) {
      if (actual === ls.pending.state) {
        ls.pending = null;
        ls.held = false;
        ls.retryAt = null;
        if (actual === 'off') ctx.state.settleUntil = ctx.now;
      }
      continue;
    }
    if (ls.commanded === null && !split) {
      ls.commanded = actual;
      ls.shed = actual === 'off' && ls.owner !== 'manual' && !load.critical;
      ls.reason = ls.shed ? 'found off: comes back when it fits' : `found ${actual}`;
      continue;
    }
    if (actual !== ls.commanded || split) {
      ls.pending = null;
      ls.commanded = actual;
      ls.owner = 'manual';
      ls.shed = false;
      ls.learnFromW = null;
      ls.override = { state: actual, until: ctx.now + ctx.config.externalOverrideS * 1000 };
      ls.reason = split ? 'some of its relays changed elsewhere: manual' : `switched ${actual} elsewhere: manual`;
      notice(ctx, 'override', load.name, ls.reason);
    }
  }
}
