/** What happens when power readings stop or the meter stops answering, and how it ends. */
import type { ShedConfig } from './config';
import type { ShedState } from './state';
import { command, type StepContext } from './context';

export function failsafeDue(state: ShedState, config: ShedConfig, now: number): boolean {
  if (!state.meterReachable) return true;
  const since = state.lastReading?.at ?? state.watchingSince ?? now;
  return now - since > config.failsafeAfterS * 1000;
}

/**
 * The configured action, within each load's minimum times. Loads under manual control are left
 * alone; critical loads are never shed. Ends by itself when readings come back.
 */
export function failsafeActions(ctx: StepContext): void {
  const action = ctx.config.failsafeAction;
  if (action === 'hold') return;
  for (const load of ctx.config.loads) {
    const ls = ctx.state.loads[load.name];
    if (!ls || ls.owner === 'manual' || ls.pending !== null) continue;
    if (action === 'shed-all' && !load.critical && ls.actual === 'on') {
      if (command(ctx, load, 'off', 'failsafe', 'failsafe', 'fail-safe: shed all')) {
        ls.shed = true;
        ls.owner = 'failsafe';
      }
    } else if (action === 'restore-all' && ls.shed && ls.actual === 'off') {
      if (command(ctx, load, 'on', 'failsafe', 'failsafe', 'fail-safe: restore all')) {
        ls.shed = false;
        ls.owner = 'failsafe';
      }
    }
  }
}
