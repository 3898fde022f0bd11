/**
 * Settings of `load shedder`: the editor's defaults, the runtime's reader and the tests' contract.
 * Each field is read by the control law's own reader from src/shed; what only the node knows is
 * added here: which meter and PRM3 each load is on, where power comes from, how often relays are read.
 */
import { InputError } from '../../errors';
import { parseDeviceSelector } from '../../prm3/device-selector';
import { describeReceived } from '../../prm3/preview';
import { DEFAULTS, parseLoad, SHED_FIELD_READERS } from '../../shed/config';
import { defineSettings, METER_NODE, seconds, text, type Setting, type SettingsOf } from '../schema';

type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** One load as the dialog's list saves it. Empty fields mean the law's defaults. */
export interface LoadRow {
  name: string;
  /** Blank: the node's meter. */
  meter: string;
  /** Blank: the first PRM3; or a USB port or serial number. */
  device: string;
  relays: unknown;
  priority: unknown;
  expectedW: unknown;
  minOnS: unknown;
  minOffS: unknown;
  critical: unknown;
  autoRestore: unknown;
}

const LOAD_KEYS = ['expectedW', 'minOnS', 'minOffS', 'critical', 'autoRestore'] as const;

/** A row's fields for the law, with blank fields left out so its defaults apply. */
export function lawLoad(row: Raw, device: string): Raw {
  const load: Raw = { name: row['name'], device, relays: row['relays'], priority: row['priority'] };
  for (const key of LOAD_KEYS) if (!isEmpty(row[key])) load[key] = row[key];
  return load;
}

function readRow(value: unknown, field: string, prm3MinSwitchS: number): LoadRow {
  if (!isRecord(value)) {
    throw new InputError(
      field,
      `${field} must be an object with name, device, relays and priority; got ${describeReceived(value)}`,
    );
  }
  const meter = isEmpty(value['meter']) ? '' : value['meter'];
  if (typeof meter !== 'string')
    throw new InputError(`${field}.meter`, `${field}.meter must name an eGauge meter config node, or be empty`);
  const device = isEmpty(value['device']) ? '' : value['device'];
  if (typeof device !== 'string')
    throw new InputError(`${field}.device`, `${field}.device must be blank, a USB port or a serial number, as text`);
  parseDeviceSelector(device, `${field}.device`);
  // The law's own reader of a load; at deploy the PRM3 minimum is checked against the node's setting.
  parseLoad(lawLoad(value, 'device'), field, prm3MinSwitchS);
  return {
    name: String(value['name']).trim(),
    meter: meter.trim(),
    device: String(device).trim(),
    relays: value['relays'],
    priority: value['priority'],
    expectedW: value['expectedW'] ?? '',
    minOnS: value['minOnS'] ?? '',
    minOffS: value['minOffS'] ?? '',
    critical: value['critical'] ?? false,
    autoRestore: value['autoRestore'] ?? true,
  };
}

/**
 * One load as the dialog holds it, checked as a deploy checks it, with the PRM3 minimum the
 * dialog shows: throws an InputError naming the row's field.
 */
export function checkLoadRow(value: unknown, field: string, prm3MinSwitchS: number): void {
  readRow(value, field, prm3MinSwitchS);
}

function loadList(): Setting<LoadRow[]> {
  return {
    value: [],
    checked: true,
    read(saved, key) {
      if (!Array.isArray(saved) || saved.length === 0)
        throw new InputError(key, `${key} must list at least one load; got ${describeReceived(saved)}`);
      return saved.map((row, i) => readRow(row, `${key}[${i}]`, 0));
    },
  };
}

type LawKey = keyof typeof SHED_FIELD_READERS;

/** A field of the control law, read by the law's own reader; empty means the law's default. */
function lawField<K extends LawKey>(key: K, value: unknown): Setting<unknown> {
  return {
    value,
    checked: true,
    read(saved) {
      if (isEmpty(saved)) return key === 'demandIntervalMin' ? null : (DEFAULTS as Record<string, unknown>)[key];
      return SHED_FIELD_READERS[key](saved, key);
    },
  };
}

function register(): Setting<string> {
  const base = text('');
  return {
    ...base,
    checked: true,
    read(saved, key) {
      const name = base.read(saved, key);
      if (name.length > 64) throw new InputError(key, `${key} must be a register name of at most 64 characters`);
      return name;
    },
  };
}

export const loadShedderSettings = defineSettings({
  settings: {
    name: text(),
    loads: loadList(),
    limitW: lawField('limitW', 6000),
    bandW: lawField('bandW', DEFAULTS.bandW),
    shedDelayS: lawField('shedDelayS', DEFAULTS.shedDelayS),
    restoreDelayS: lawField('restoreDelayS', DEFAULTS.restoreDelayS),
    restoreGapS: lawField('restoreGapS', DEFAULTS.restoreGapS),
    switchesPerHour: lawField('switchesPerHour', DEFAULTS.switchesPerHour),
    demandIntervalMin: lawField('demandIntervalMin', ''),
    failsafeAfterS: lawField('failsafeAfterS', DEFAULTS.failsafeAfterS),
    failsafeAction: lawField('failsafeAction', DEFAULTS.failsafeAction),
    externalOverrideS: lawField('externalOverrideS', DEFAULTS.externalOverrideS),
    overrideDefaultS: lawField('overrideDefaultS', DEFAULTS.overrideDefaultS),
    prm3MinSwitchS: lawField('prm3MinSwitchS', DEFAULTS.prm3MinSwitchS),
    /** Empty: power comes only from `msg.payload`. */
    powerRegister: register(),
    /** Read as milliseconds. */
    powerEveryS: seconds({ value: 1, min: 0.2, max: 3600 }),
    /** Relay read-back interval, read as milliseconds. */
    pollS: seconds({ value: 5, min: 1, max: 3600 }),
  },
  configNodes: { meter: METER_NODE },
});

export type LoadShedderSaved = SettingsOf<typeof loadShedderSettings.settings>;
