/**
 * Settings of a load shedder, validated once. Every validator here is exported so the editor can
 * check a field with the same rule the runtime uses.
 */
import { InputError } from '../errors';
import { parseRelaySet } from '../prm3/mask';
import { describeReceived } from '../prm3/preview';

/**
 * The PRM3's own minimum open/close time as it ships (the module allows 0..255 s). A load's
 * minimum on/off time may not be shorter: the module would silently hold the command anyway.
 */
export const PRM3_DEFAULT_MIN_SWITCH_S = 10;
export const PRM3_MAX_MIN_SWITCH_S = 255;

export const FAILSAFE_ACTIONS = ['hold', 'shed-all', 'restore-all'] as const;
export type FailsafeAction = (typeof FAILSAFE_ACTIONS)[number];

export const DEMAND_INTERVALS_MIN = [15, 60] as const;
export type DemandIntervalMin = (typeof DEMAND_INTERVALS_MIN)[number];

export interface LoadConfig {
  /** Unique; how events, overrides and the view name the load. */
  name: string;
  /** Which PRM3 the relays are on, as the glue names it (e.g. meter node id + device path). */
  device: string;
  /** Relay mask 1..7; several relays are one load, always switched in one command. */
  relays: number;
  /** Lower numbers are shed first. */
  priority: number;
  /** Null: learnt from the drop in power when the load is shed. */
  expectedW: number | null;
  minOnS: number;
  minOffS: number;
  critical: boolean;
  autoRestore: boolean;
}

export interface ShedConfig {
  loads: LoadConfig[];
  limitW: number;
  bandW: number;
  shedDelayS: number;
  restoreDelayS: number;
  restoreGapS: number;
  switchesPerHour: number;
  /** Null: the limit applies to present power; 15 or 60: to the clock-aligned interval average. */
  demandIntervalMin: DemandIntervalMin | null;
  /** Readings older than this put the controller into fail-safe. */
  failsafeAfterS: number;
  failsafeAction: FailsafeAction;
  /** How long a change seen from elsewhere keeps a load under manual control. */
  externalOverrideS: number;
  /** Length of an override that names no forS. */
  overrideDefaultS: number;
  /** The PRM3's configured minimum open/close time; load minimums may not be shorter. */
  prm3MinSwitchS: number;
  /** Wait after a held or failed command before the controller tries that load again. */
  retryS: number;
  /** A command with no result after this long counts as failed. */
  commandTimeoutS: number;
}

export const DEFAULTS = {
  bandW: 300,
  shedDelayS: 5,
  restoreDelayS: 60,
  restoreGapS: 30,
  switchesPerHour: 6,
  demandIntervalMin: null,
  failsafeAfterS: 60,
  failsafeAction: 'hold',
  externalOverrideS: 3600,
  overrideDefaultS: 3600,
  prm3MinSwitchS: PRM3_DEFAULT_MIN_SWITCH_S,
  retryS: 30,
  commandTimeoutS: 30,
} as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A finite number in [min, max], given as a number or a numeric string (editor fields are strings). */
export function parseNumber(value: unknown, field: string, min: number, max: number, unit: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) {
    throw new InputError(
      field,
      `${field} must be a number of ${unit} from ${min} to ${max}; got ${describeReceived(value)}`,
    );
  }
  return n;
}

export function parseWholeNumber(value: unknown, field: string, min: number, max: number, unit: string): number {
  const n = parseNumber(value, field, min, max, unit);
  if (!Number.isInteger(n))
    throw new InputError(
      field,
      `${field} must be a whole number of ${unit} from ${min} to ${max}; got ${describeReceived(value)}`,
    );
  return n;
}

export function parseBoolean(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InputError(field, `${field} must be true or false; got ${describeReceived(value)}`);
}

export function parseLoadName(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 64) {
    throw new InputError(field, `${field} must be a name of 1 to 64 characters; got ${describeReceived(value)}`);
  }
  return value.trim();
}

export function parseFailsafeAction(value: unknown, field: string): FailsafeAction {
  const found = FAILSAFE_ACTIONS.find((a) => a === value);
  if (found === undefined)
    throw new InputError(
      field,
      `${field} must be one of ${FAILSAFE_ACTIONS.join(', ')}; got ${describeReceived(value)}`,
    );
  return found;
}

/** Off, 15 or 60 minutes; "", null, 0 and "off" mean the limit applies to present power. */
export function parseDemandInterval(value: unknown, field: string): DemandIntervalMin | null {
  if (value === null || value === undefined || value === '' || value === 0 || value === '0' || value === 'off')
    return null;
  const n = typeof value === 'string' ? Number(value) : value;
  const found = DEMAND_INTERVALS_MIN.find((m) => m === n);
  if (found === undefined)
    throw new InputError(field, `${field} must be 15 or 60 (minutes) or off; got ${describeReceived(value)}`);
  return found;
}

const MAX_W = 1_000_000;
const MAX_S = 7 * 24 * 3600;

function optional<T>(v: unknown, fallback: T, parse: (x: unknown) => T): T {
  return v === undefined ? fallback : parse(v);
}

export function parseLoad(value: unknown, field: string, prm3MinSwitchS: number): LoadConfig {
  if (!isRecord(value))
    throw new InputError(
      field,
      `${field} must be an object with name, device, relays and priority; got ${describeReceived(value)}`,
    );
  const f = (k: string): string => `${field}.${k}`;
  const minS = (k: string): number =>
    optional(value[k], prm3MinSwitchS, (x) => {
      const s = parseNumber(x, f(k), 0, MAX_S, 'seconds');
      if (s < prm3MinSwitchS) {
        throw new InputError(
          f(k),
          `${f(k)} must be at least the PRM3's own minimum of ${prm3MinSwitchS} s; got ${describeReceived(x)}`,
        );
      }
      return s;
    });
  if (typeof value.device !== 'string' || value.device === '') {
    throw new InputError(
      f('device'),
      `${f('device')} must name the PRM3 device as a non-empty string; got ${describeReceived(value.device)}`,
    );
  }
  const expected = value.expectedW;
  return {
    name: parseLoadName(value.name, f('name')),
    device: value.device,
    relays: parseRelaySet(value.relays, f('relays')),
    priority: parseNumber(value.priority, f('priority'), -1e6, 1e6, 'priority (lower sheds first)'),
    expectedW:
      expected === undefined || expected === null || expected === ''
        ? null
        : parseNumber(expected, f('expectedW'), 1, MAX_W, 'watts'),
    minOnS: minS('minOnS'),
    minOffS: minS('minOffS'),
    critical: optional(value.critical, false, (x) => parseBoolean(x, f('critical'))),
    autoRestore: optional(value.autoRestore, true, (x) => parseBoolean(x, f('autoRestore'))),
  };
}

type FieldReader<T> = (value: unknown, field: string) => T;
const seconds =
  (min: number): FieldReader<number> =>
  (x, field) =>
    parseNumber(x, field, min, MAX_S, 'seconds');

/**
 * The reader of each field that stands alone (the loads, and `bandW` against `limitW`, are checked
 * together by validateShedConfig). The editor checks a field with the same reader.
 */
export const SHED_FIELD_READERS = {
  limitW: (x, field) => parseNumber(x, field, 1, MAX_W, 'watts'),
  bandW: (x, field) => parseNumber(x, field, 0, MAX_W, 'watts'),
  shedDelayS: seconds(0),
  restoreDelayS: seconds(0),
  restoreGapS: seconds(0),
  switchesPerHour: (x, field) => parseWholeNumber(x, field, 1, 3600, 'switches'),
  demandIntervalMin: parseDemandInterval,
  failsafeAfterS: seconds(1),
  failsafeAction: parseFailsafeAction,
  externalOverrideS: seconds(1),
  overrideDefaultS: seconds(1),
  prm3MinSwitchS: (x, field) => parseWholeNumber(x, field, 0, PRM3_MAX_MIN_SWITCH_S, 'seconds'),
  retryS: seconds(1),
  commandTimeoutS: seconds(1),
} satisfies Record<Exclude<keyof ShedConfig, 'loads'>, FieldReader<unknown>>;

/** Whole settings object; the first wrong field throws an InputError naming it. */
export function validateShedConfig(value: unknown): ShedConfig {
  if (!isRecord(value))
    throw new InputError('config', `config must be an object with loads and limitW; got ${describeReceived(value)}`);
  const v = value;
  const r = SHED_FIELD_READERS;
  const read = (k: Exclude<keyof typeof DEFAULTS, 'failsafeAction' | 'demandIntervalMin'>): number =>
    optional(v[k], DEFAULTS[k], (x) => r[k](x, k));
  const prm3MinSwitchS = optional(v.prm3MinSwitchS, DEFAULTS.prm3MinSwitchS, (x) =>
    r.prm3MinSwitchS(x, 'prm3MinSwitchS'),
  );
  if (!Array.isArray(v.loads) || v.loads.length === 0) {
    throw new InputError('loads', `loads must be a non-empty array of loads; got ${describeReceived(v.loads)}`);
  }
  const loads = v.loads.map((l, i) => parseLoad(l, `loads[${i}]`, prm3MinSwitchS));
  const names = new Set<string>();
  const relaysInUse = new Map<string, number>();
  loads.forEach((load, i) => {
    if (names.has(load.name))
      throw new InputError(
        `loads[${i}].name`,
        `loads[${i}].name "${load.name}" is used by another load; each load needs its own name`,
      );
    names.add(load.name);
    const used = relaysInUse.get(load.device) ?? 0;
    if ((used & load.relays) !== 0) {
      throw new InputError(
        `loads[${i}].relays`,
        `loads[${i}].relays share a relay of ${load.device} with another load; a relay belongs to one load only`,
      );
    }
    relaysInUse.set(load.device, used | load.relays);
  });
  const limitW = r.limitW(v.limitW, 'limitW');
  const bandW = read('bandW');
  if (bandW >= limitW)
    throw new InputError('bandW', `bandW must be smaller than limitW (${limitW} W); got ${describeReceived(v.bandW)}`);
  return {
    loads,
    limitW,
    bandW,
    shedDelayS: read('shedDelayS'),
    restoreDelayS: read('restoreDelayS'),
    restoreGapS: read('restoreGapS'),
    switchesPerHour: read('switchesPerHour'),
    demandIntervalMin: r.demandIntervalMin(v.demandIntervalMin, 'demandIntervalMin'),
    failsafeAfterS: read('failsafeAfterS'),
    failsafeAction: optional(v.failsafeAction, DEFAULTS.failsafeAction, (x) => r.failsafeAction(x, 'failsafeAction')),
    externalOverrideS: read('externalOverrideS'),
    overrideDefaultS: read('overrideDefaultS'),
    prm3MinSwitchS,
    retryS: read('retryS'),
    commandTimeoutS: read('commandTimeoutS'),
  };
}
