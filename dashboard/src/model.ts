/**
 * What the relay panel shows, built from a load shedder's state message or a `prm3 mask` output.
 * Pure: no Node-RED or Dashboard imports, the clock is passed in.
 */

export type OnOff = 'on' | 'off';
export type Owner = 'auto' | 'manual' | 'failsafe';
export type OverrideChoice = 'on' | 'off' | 'auto';

export interface LoadRow {
  /** The shedder's load name, or `relay N` when fed by `prm3 mask`. */
  key: string;
  label: string;
  /** Relay number when fed by `prm3 mask`; null for a shedder's load. */
  relay: number | null;
  /** Read back from the module: never what was asked for. */
  actual: OnOff | null;
  /** A command is in flight (sent, not yet read back). */
  pending: boolean;
  /** Server time the widget sent that command; a command that never answers stops counting as pending after the staleness time. */
  pendingSince: number | null;
  /** What the pending or held command asks for. */
  wanted: OnOff | null;
  /** The module kept the relay where it was (minimum open/close time). */
  held: boolean;
  owner: Owner | null;
  reason: string | null;
  restoreInS: number | null;
  lockoutS: number;
  overrideUntil: number | null;
}

export interface PanelModel {
  source: 'shedder' | 'mask' | null;
  /** Server time (ms) this model was made: countdowns run from it. */
  at: number;
  stale: boolean;
  failsafe: boolean;
  loads: LoadRow[];
  powerW: number | null;
  limitW: number | null;
  /** Demand mode: the interval's projected average. */
  projectedW: number | null;
  alarm: string | null;
  status: string | null;
  /** [time ms, watts], oldest first, within the chart's window. */
  history: Array<[number, number]>;
}

/** Raised for input the panel cannot show; names the field and what it accepts. */
export class PanelInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'PanelInputError';
  }
}

export function emptyModel(now: number): PanelModel {
  return {
    source: null,
    at: now,
    stale: false,
    failsafe: false,
    loads: [],
    powerW: null,
    limitW: null,
    projectedW: null,
    alarm: null,
    status: null,
    history: [],
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const onOff = (v: unknown): OnOff | null => (v === 'on' || v === 'off' ? v : null);
const owner = (v: unknown): Owner | null => (v === 'auto' || v === 'manual' || v === 'failsafe' ? v : null);

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v.slice(0, 40)}"` : typeof v;
}

/** A shedder state message's payload (`msg.topic` "state"): `{limitW, powerW, loads: [...]}`. */
export function fromShedView(payload: unknown, previous: PanelModel, now: number, windowS: number): PanelModel {
  if (!isObj(payload) || !Array.isArray(payload['loads']))
    throw new PanelInputError(
      'payload',
      `msg.payload must be a load shedder's state: an object with a loads array; got ${describe(payload)}`,
    );
  const loads = payload['loads'].map((raw, i): LoadRow => {
    if (!isObj(raw) || typeof raw['name'] !== 'string' || raw['name'] === '')
      throw new PanelInputError(`payload.loads[${i}].name`, `payload.loads[${i}] must be an object with a name`);
    const confirmed = raw['confirmed'] === true;
    const held = raw['held'] === true;
    return {
      key: raw['name'],
      label: raw['name'],
      relay: null,
      actual: onOff(raw['actual']),
      pending: !confirmed && !held,
      pendingSince: null,
      wanted: null,
      held,
      owner: owner(raw['owner']),
      reason: str(raw['reason']),
      restoreInS: num(raw['restoreInS']),
      lockoutS: num(raw['lockoutS']) ?? 0,
      overrideUntil: num(raw['overrideUntil']),
    };
  });
  const projection = payload['projection'];
  const powerW = num(payload['powerW']);
  return {
    source: 'shedder',
    at: now,
    stale: false,
    failsafe: payload['failsafe'] === true,
    loads,
    powerW,
    limitW: num(payload['limitW']),
    projectedW: isObj(projection) ? num(projection['projectedW']) : null,
    alarm: str(payload['alarm']),
    status: str(payload['status']),
    history: withPoint(previous.history, now, powerW, windowS),
  };
}

/**
 * A `prm3 mask` output: `msg.mask` is the mask read back, `msg.prm3.held` the relays that did not
 * move. Each of the relays named in `labels` (1..3) becomes a row.
 */
export function fromMaskOutput(
  msg: Obj,
  previous: PanelModel,
  labels: readonly string[],
  now: number,
  staleS: number,
): PanelModel {
  const mask = msg['mask'];
  if (typeof mask !== 'number' || !Number.isInteger(mask) || mask < 0 || mask > 7)
    throw new PanelInputError('mask', `msg.mask must be a PRM3 mask 0..7 (a prm3 mask output); got ${describe(mask)}`);
  const prm3 = isObj(msg['prm3']) ? msg['prm3'] : {};
  const heldMask = num(prm3['held']) ?? 0;
  const commanded = num(prm3['commanded']);
  const loads: LoadRow[] = [];
  labels.forEach((label, i) => {
    if (label === '') return;
    const relay = i + 1;
    const bit = 1 << i;
    const actual: OnOff = (mask & bit) !== 0 ? 'on' : 'off';
    const before = previous.loads.find((l) => l.relay === relay);
    let held = false;
    let wanted: OnOff | null = null;
    if ((heldMask & bit) !== 0 && commanded !== null) {
      held = true;
      wanted = (commanded & bit) !== 0 ? 'on' : 'off';
    } else if (before?.held === true && before.wanted !== null && before.wanted !== actual && commanded === null) {
      // A later read does not end a hold: the module dropped that command, the relay stays put.
      held = true;
      wanted = before.wanted;
    }
    // A read that is not the command's own result leaves the command pending.
    const stillPending =
      before?.pendingSince != null && commanded === null && now - before.pendingSince < staleS * 1000;
    loads.push({
      key: `relay ${relay}`,
      label,
      relay,
      actual,
      pending: stillPending,
      pendingSince: stillPending ? (before?.pendingSince ?? null) : null,
      wanted,
      held,
      owner: null,
      reason: held ? 'held by the minimum open/close time' : null,
      restoreInS: null,
      lockoutS: 0,
      overrideUntil: null,
    });
  });
  return {
    ...previous,
    source: 'mask',
    at: now,
    stale: false,
    failsafe: false,
    loads,
  };
}

/** A reading (`msg.topic` "power", payload watts) for the chart when fed by `prm3 mask`. */
export function withPower(previous: PanelModel, watts: unknown, now: number, windowS: number): PanelModel {
  const w = num(watts);
  if (w === null) throw new PanelInputError('payload', `msg.payload must be a power in W; got ${describe(watts)}`);
  return { ...previous, at: now, powerW: w, history: withPoint(previous.history, now, w, windowS) };
}

/** At most one point a second: a flood of messages keeps the chart (and what is sent) small. */
export function withPoint(
  history: Array<[number, number]>,
  now: number,
  w: number | null,
  windowS: number,
): Array<[number, number]> {
  const from = now - windowS * 1000;
  const kept = history.filter(([t]) => t >= from);
  if (w === null) return kept;
  const last = kept[kept.length - 1];
  if (last !== undefined && now - last[0] < 1000) kept[kept.length - 1] = [last[0], w];
  else kept.push([now, w]);
  return kept;
}

/** Marks one row as waiting for read-back after the widget sent a command for it. */
export function withPending(model: PanelModel, key: string, wanted: OnOff | null, now: number): PanelModel {
  return {
    ...model,
    at: now,
    loads: model.loads.map((l) =>
      l.key === key ? { ...l, pending: true, pendingSince: now, held: false, wanted } : l,
    ),
  };
}

export interface OverrideRequest {
  key: string;
  state: OverrideChoice;
  forS: number | null;
}

/** What a button press sent from the page may be; anything else is refused. */
export function parseOverrideRequest(value: unknown): OverrideRequest {
  if (!isObj(value)) throw new PanelInputError('request', `an override must be an object; got ${describe(value)}`);
  const key = value['key'];
  const state = value['state'];
  const forS = value['forS'];
  if (typeof key !== 'string' || key === '') throw new PanelInputError('key', 'an override names its load');
  if (state !== 'on' && state !== 'off' && state !== 'auto')
    throw new PanelInputError('state', `state must be "on", "off" or "auto"; got ${describe(state)}`);
  if (forS !== null && forS !== undefined && (typeof forS !== 'number' || !(forS > 0)))
    throw new PanelInputError('forS', `forS must be a positive number of seconds or null; got ${describe(forS)}`);
  return { key, state, forS: typeof forS === 'number' ? forS : null };
}

/**
 * The message the widget sends: the shedder's override input, or a `prm3 mask` command for one
 * relay (which leaves the other relays alone). `auto` means nothing to a bare relay.
 */
export function commandFor(model: PanelModel, request: OverrideRequest): { topic: string; payload: unknown } | null {
  const row = model.loads.find((l) => l.key === request.key);
  if (row === undefined) return null;
  if (row.relay !== null) {
    if (request.state === 'auto') return null;
    const payload = request.state === 'on' ? { close: [row.relay] } : { open: [row.relay] };
    return { topic: 'relay', payload };
  }
  const payload: Obj = { load: row.key, state: request.state };
  if (request.forS !== null && request.state !== 'auto') payload['forS'] = request.forS;
  return { topic: 'override', payload };
}

/** The relay names from the editor's comma-separated list; empty means relays 1, 2 and 3. */
export function relayLabels(setting: unknown): string[] {
  const given = typeof setting === 'string' ? setting.split(',').map((s) => s.trim()) : [];
  const labels = [0, 1, 2].map((i) => given[i] ?? '');
  return labels.every((l) => l === '') ? ['relay 1', 'relay 2', 'relay 3'] : labels;
}
