/** A step's output as it is collected, and the one way a command is sent. */
import type { LoadConfig, ShedConfig } from './config';
import { projection, type Projection } from './demand';
import { maySwitch, type SwitchKind } from './lockout';
import type { OnOff, ShedState } from './state';

export type ReasonCode = 'shed' | 'restore' | 'override' | 'override-expired' | 'failsafe' | 'alarm' | 'limit-changed';

export interface ShedCommand {
  load: string;
  device: string;
  /** All the load's relays: a polyphase load is one command. */
  relays: number;
  state: OnOff;
  reason: ReasonCode;
  text: string;
}

export interface ShedNotice {
  code: ReasonCode;
  load: string | null;
  text: string;
  powerW: number | null;
  limitW: number;
  projection: Projection | null;
  /** The load's relay state as last read back. */
  actual: OnOff | null;
}

/** Collects a step's output; passed to the helpers that decide. */
export interface StepContext {
  config: ShedConfig;
  state: ShedState;
  now: number;
  commands: ShedCommand[];
  events: ShedNotice[];
}

export function notice(ctx: StepContext, code: ReasonCode, load: string | null, text: string): void {
  const ls = load === null ? undefined : ctx.state.loads[load];
  ctx.events.push({
    code,
    load,
    text,
    powerW: ctx.state.lastReading?.w ?? null,
    limitW: ctx.state.limitW,
    projection: projection(ctx.state, ctx.config, ctx.now),
    actual: ls?.actual ?? null,
  });
}

/** Sends one command for a whole load, if its lockouts allow; true when sent. */
export function command(
  ctx: StepContext,
  load: LoadConfig,
  state: OnOff,
  kind: SwitchKind,
  reason: ReasonCode,
  text: string,
): boolean {
  const ls = ctx.state.loads[load.name];
  if (ls === undefined || !maySwitch(load, ls, ctx.config, ctx.now, kind)) return false;
  ls.pending = { state, at: ctx.now, wasShed: ls.shed, wasOwner: ls.owner };
  ls.commanded = state;
  if (kind === 'auto') ls.switches.push(ctx.now);
  ls.reason = text;
  ctx.commands.push({ load: load.name, device: load.device, relays: load.relays, state, reason, text });
  notice(ctx, reason, load.name, text);
  return true;
}
