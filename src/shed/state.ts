/**
 * The controller's memory: a plain object of numbers, strings and booleans, so the node can keep
 * it in its context store across a restart. Times are epoch milliseconds.
 */
import { InputError } from '../errors';
import { describeReceived } from '../prm3/preview';
import type { ShedConfig } from './config';

export type Owner = 'auto' | 'manual' | 'failsafe';
export type OnOff = 'on' | 'off';

export interface LoadState {
  /** Read back from the relays; null until the first read-back: nothing is switched before. */
  actual: OnOff | null;
  /** What this controller last asked for; a different read-back is a change made elsewhere. */
  commanded: OnOff | null;
  /** A command sent and not yet answered. */
  pending: { state: OnOff; at: number; wasShed: boolean; wasOwner: Owner } | null;
  /** When the relays last changed; the minimum on/off times count from here. */
  changedAt: number | null;
  /** When each automatic shed or restore of the last hour was sent, for the hourly cap. */
  switches: number[];
  owner: Owner;
  /** Shed by the controller (or by fail-safe) and waiting to be restored. */
  shed: boolean;
  /** A manual override: the state it holds and when it ends. */
  override: { state: OnOff; until: number } | null;
  /** No new command for this load before then (after a held or failed one). */
  retryAt: number | null;
  /** Power drop seen when it was last shed alone; used when the load has no expectedW. */
  learntW: number | null;
  /** Last reading before a lone shed, to learn its power from the next reading. */
  learnFromW: number | null;
  reason: string;
  /** The last command was held by the PRM3 (inside its own minimum time). */
  held: boolean;
}

export interface ShedState {
  version: 1;
  enabled: boolean;
  limitW: number;
  lastReading: { w: number; at: number } | null;
  /** First event seen since start; with no reading since, fail-safe counts from here. */
  watchingSince: number | null;
  meterReachable: boolean;
  failsafe: boolean;
  /** Since when the controlled quantity has been over the limit, continuously. */
  overSince: number | null;
  /** Since when it has been under limit − band, continuously. */
  underSince: number | null;
  lastRestoreAt: number | null;
  /** No further shed before then: a shed must show in the readings first. */
  settleUntil: number | null;
  alarm: { since: number; text: string } | null;
  /** Demand mode: energy of the running interval so far. */
  interval: { start: number; energyWs: number } | null;
  loads: Record<string, LoadState>;
}

function emptyLoad(): LoadState {
  return {
    actual: null,
    commanded: null,
    pending: null,
    changedAt: null,
    switches: [],
    owner: 'auto',
    shed: false,
    override: null,
    retryAt: null,
    learntW: null,
    learnFromW: null,
    reason: 'not yet read back',
    held: false,
  };
}

export function initialState(config: ShedConfig): ShedState {
  const loads: Record<string, LoadState> = {};
  for (const load of config.loads) loads[load.name] = emptyLoad();
  return {
    version: 1,
    enabled: true,
    limitW: config.limitW,
    lastReading: null,
    watchingSince: null,
    meterReachable: true,
    failsafe: false,
    overSince: null,
    underSince: null,
    lastRestoreAt: null,
    settleUntil: null,
    alarm: null,
    interval: null,
    loads,
  };
}

/** Deep copy; step() never changes the state it was given. */
export function cloneState(s: ShedState): ShedState {
  const loads: Record<string, LoadState> = {};
  for (const [name, l] of Object.entries(s.loads)) {
    loads[name] = {
      ...l,
      pending: l.pending && { ...l.pending },
      switches: [...l.switches],
      override: l.override && { ...l.override },
    };
  }
  return {
    ...s,
    lastReading: s.lastReading && { ...s.lastReading },
    alarm: s.alarm && { ...s.alarm },
    interval: s.interval && { ...s.interval },
    loads,
  };
}

export function serialiseState(s: ShedState): string {
  return JSON.stringify(s);
}

// ---- validation of a stored state: a damaged store must not steer relays -----------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function bad(field: string, forms: string, v: unknown): never {
  throw new InputError(field, `stored state: ${field} must be ${forms}; got ${describeReceived(v)}`);
}
function num(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(field, 'a finite number', v);
  return v;
}
function numOrNull(v: unknown, field: string): number | null {
  return v === null ? null : num(v, field);
}
function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') bad(field, 'true or false', v);
  return v;
}
function onOff(v: unknown, field: string): OnOff {
  if (v !== 'on' && v !== 'off') bad(field, '"on" or "off"', v);
  return v;
}
function onOffOrNull(v: unknown, field: string): OnOff | null {
  return v === null ? null : onOff(v, field);
}
function owner(v: unknown, field: string): Owner {
  if (v !== 'auto' && v !== 'manual' && v !== 'failsafe') bad(field, '"auto", "manual" or "failsafe"', v);
  return v;
}
function record(v: unknown, field: string): Record<string, unknown> {
  if (!isRecord(v)) bad(field, 'an object', v);
  return v;
}

function parseLoadState(v: unknown, field: string): LoadState {
  const o = record(v, field);
  const f = (k: string): string => `${field}.${k}`;
  if (!Array.isArray(o.switches)) bad(f('switches'), 'an array of times', o.switches);
  const override = o.override === null ? null : record(o.override, f('override'));
  if (typeof o.reason !== 'string') bad(f('reason'), 'a string', o.reason);
  return {
    actual: onOffOrNull(o.actual, f('actual')),
    // A command in flight at the restart has an unknown outcome: adopt what the relays show.
    commanded: o.pending === null || o.pending === undefined ? onOffOrNull(o.commanded, f('commanded')) : null,
    pending: null,
    changedAt: numOrNull(o.changedAt, f('changedAt')),
    switches: o.switches.map((t, i) => num(t, `${f('switches')}[${i}]`)),
    owner: owner(o.owner, f('owner')),
    shed: bool(o.shed, f('shed')),
    override: override && {
      state: onOff(override.state, f('override.state')),
      until: num(override.until, f('override.until')),
    },
    retryAt: numOrNull(o.retryAt, f('retryAt')),
    learntW: numOrNull(o.learntW, f('learntW')),
    learnFromW: numOrNull(o.learnFromW, f('learnFromW')),
    reason: o.reason,
    held: bool(o.held, f('held')),
  };
}

/**
 * A state read back from storage, checked field by field. Loads no longer configured are dropped;
 * new loads start empty. The relay read-back and any command in flight are forgotten on
 * purpose: after a restart the relays must be read again before anything is switched, and a
 * read-back unlike what was last commanded is a change made elsewhere meanwhile.
 */
export function parseState(input: unknown, config: ShedConfig): ShedState {
  const v = record(typeof input === 'string' ? safeJson(input) : input, 'state');
  if (v.version !== 1) bad('version', '1', v.version);
  const loadsIn = record(v.loads, 'loads');
  const fresh = initialState(config);
  for (const load of config.loads) {
    if (loadsIn[load.name] === undefined) continue;
    const parsed = parseLoadState(loadsIn[load.name], `loads["${load.name}"]`);
    fresh.loads[load.name] = { ...parsed, actual: null, pending: null };
  }
  const last = v.lastReading === null ? null : record(v.lastReading, 'lastReading');
  const alarm = v.alarm === null ? null : record(v.alarm, 'alarm');
  const interval = v.interval === null ? null : record(v.interval, 'interval');
  if (alarm && typeof alarm.text !== 'string') bad('alarm.text', 'a string', alarm.text);
  return {
    ...fresh,
    enabled: bool(v.enabled, 'enabled'),
    limitW: num(v.limitW, 'limitW'),
    lastReading: last && { w: num(last.w, 'lastReading.w'), at: num(last.at, 'lastReading.at') },
    meterReachable: bool(v.meterReachable, 'meterReachable'),
    failsafe: bool(v.failsafe, 'failsafe'),
    watchingSince: null,
    overSince: numOrNull(v.overSince, 'overSince'),
    underSince: numOrNull(v.underSince, 'underSince'),
    lastRestoreAt: numOrNull(v.lastRestoreAt, 'lastRestoreAt'),
    settleUntil: numOrNull(v.settleUntil, 'settleUntil'),
    alarm: alarm && { since: num(alarm.since, 'alarm.since'), text: String(alarm.text) },
    interval: interval && {
      start: num(interval.start, 'interval.start'),
      energyWs: num(interval.energyWs, 'interval.energyWs'),
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InputError('state', 'stored state is not valid JSON');
  }
}
