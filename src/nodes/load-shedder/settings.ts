/**
 * The `load shedder` node's settings: what the editor saves, checked once at deploy. The control
 * law's own fields go through src/shed's validators; this file adds what only the node knows:
 * which meter and PRM3 each load is on, where power readings come from, how often relays are read.
 */
import { InputError } from '../../errors';
import { parseDeviceSelector, type DeviceSelector } from '../../prm3/device';
import { describeReceived } from '../../prm3/preview';
import { DEFAULTS, parseNumber, validateShedConfig, type ShedConfig } from '../../shed/config';

/** The saved shape; bumped when a field changes meaning. */
export const SETTINGS_VERSION = 1;

/** Where each load's relays are: one meter config node and one PRM3 on it. */
export interface LoadPlace {
  name: string;
  meter: string;
  selector: DeviceSelector;
  /** The key the control law groups relays by: one per meter and device. */
  device: string;
}

/** A register of the node's meter read every `everyMs`, as grid power. */
export interface PowerSource {
  meter: string;
  register: string;
  everyMs: number;
}

export interface LoadShedderSettings {
  config: ShedConfig;
  /** The control law's settings as given, for createShedder (which validates them itself). */
  law: Record<string, unknown>;
  places: LoadPlace[];
  /** The node's meter: the loads' unless a load names another, and the power register's. */
  meter: string;
  /** Null: power comes from `msg.payload` only. */
  power: PowerSource | null;
  pollMs: number;
}

/** Defaults the editor shows for a new node; the control law's own defaults come from src/shed. */
export const NODE_DEFAULTS = {
  limitW: 6000,
  pollS: 5,
  powerEveryS: 1,
  powerRegister: '',
} as const;

/** One load as the editor's list holds it. */
export const LOAD_FIELDS = [
  'name',
  'meter',
  'device',
  'relays',
  'priority',
  'expectedW',
  'minOnS',
  'minOffS',
  'critical',
  'autoRestore',
] as const;

/** The control law's settings as the editor names them (its fields are the law's own names). */
export const LAW_FIELDS = [
  'limitW',
  'bandW',
  'shedDelayS',
  'restoreDelayS',
  'restoreGapS',
  'switchesPerHour',
  'demandIntervalMin',
  'failsafeAfterS',
  'failsafeAction',
  'externalOverrideS',
  'overrideDefaultS',
  'prm3MinSwitchS',
  'retryS',
  'commandTimeoutS',
] as const;

type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An empty editor field means "the default": the law's validators treat only undefined that way. */
function blankToUndefined(value: unknown): unknown {
  return value === '' || value === null ? undefined : value;
}

function meterId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputError(field, `${field} must name an eGauge meter config node; got ${describeReceived(value)}`);
  }
  return value.trim();
}

function placeOf(raw: unknown, index: number, nodeMeter: string): { place: LoadPlace; law: Raw } {
  const field = `loads[${index}]`;
  if (!isRecord(raw)) {
    throw new InputError(
      field,
      `${field} must be an object with name, meter, device, relays and priority; got ${describeReceived(raw)}`,
    );
  }
  // A load on another meter names it; otherwise it is on the node's own meter.
  const ownMeter = blankToUndefined(raw['meter']);
  const meter = ownMeter === undefined ? nodeMeter : meterId(ownMeter, `${field}.meter`);
  const deviceText = raw['device'] === undefined || raw['device'] === null ? '' : raw['device'];
  const selector = parseDeviceSelector(deviceText, `${field}.device`);
  const text = typeof deviceText === 'string' ? deviceText.trim() : '';
  const device = `${meter}/${text === '' ? 'first' : text.toUpperCase()}`;
  const law: Raw = {
    name: raw['name'],
    device,
    relays: raw['relays'],
    priority: raw['priority'],
  };
  for (const key of ['expectedW', 'minOnS', 'minOffS', 'critical', 'autoRestore'] as const) {
    const v = blankToUndefined(raw[key]);
    if (v !== undefined) law[key] = v;
  }
  return { place: { name: typeof raw['name'] === 'string' ? raw['name'].trim() : '', meter, selector, device }, law };
}

function powerSource(raw: Raw, meter: string): PowerSource | null {
  const register = blankToUndefined(raw['powerRegister']);
  if (register === undefined) return null;
  if (typeof register !== 'string' || register.trim() === '') {
    throw new InputError(
      'powerRegister',
      `powerRegister must name a meter register such as "Grid", or be empty; got ${describeReceived(register)}`,
    );
  }
  const every = blankToUndefined(raw['powerEveryS']) ?? NODE_DEFAULTS.powerEveryS;
  return {
    meter,
    register: register.trim(),
    everyMs: Math.round(parseNumber(every, 'powerEveryS', 0.2, 3600, 'seconds') * 1000),
  };
}

/** The node's settings from the flow file; the first wrong field throws an InputError naming it. */
export function readLoadShedderSettings(raw: Raw): LoadShedderSettings {
  const loadsRaw = raw['loads'];
  if (!Array.isArray(loadsRaw) || loadsRaw.length === 0) {
    throw new InputError('loads', `loads must list at least one load; got ${describeReceived(loadsRaw)}`);
  }
  const meter = meterId(raw['meter'], 'meter');
  const pairs = loadsRaw.map((l, i) => placeOf(l, i, meter));
  const law: Raw = { loads: pairs.map((p) => p.law) };
  for (const key of LAW_FIELDS) {
    const v = blankToUndefined(raw[key]);
    if (v !== undefined) law[key] = v;
  }
  const config = validateShedConfig(law);
  const places = pairs.map((p, i) => ({ ...p.place, name: config.loads[i]?.name ?? p.place.name }));
  const poll = blankToUndefined(raw['pollS']) ?? NODE_DEFAULTS.pollS;
  return {
    config,
    law,
    meter,
    places,
    power: powerSource(raw, meter),
    pollMs: Math.round(parseNumber(poll, 'pollS', 1, 3600, 'seconds') * 1000),
  };
}

export { DEFAULTS as LAW_DEFAULTS };
