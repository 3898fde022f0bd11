/**
 * A node's settings, declared once. The same declaration gives the editor its `defaults` and
 * validators, gives the runtime its typed settings, and brings nodes saved in an older shape up
 * to date. Pure code with no Node-RED or Node.js imports: the editor bundle includes it.
 */
import { InputError } from '../errors';

/** One saved property of a node. */
export interface Setting<T> {
  /** What a new node saves. */
  readonly value: unknown;
  /** Reads a saved value: throws an InputError naming `key` and the accepted forms. */
  readonly read: (saved: unknown, key: string) => T;
  /** The editor marks a field invalid when `read` refuses it; settings that cannot fail skip the check. */
  readonly checked: boolean;
  /** The dialog's check, where it differs from `read` (a value Node-RED fills in at deploy). */
  readonly check?: (value: unknown, key: string) => void;
  /** The dialog refuses an empty field, though a node saved without the setting reads as its default. */
  readonly required?: boolean;
}

/** A reference to a config node (the meter): the editor offers a picker; the runtime looks the node up. */
export interface ConfigNodeRef {
  readonly configType: string;
  readonly required: boolean;
}

export type Saved = Record<string, unknown>;

/**
 * Brings a node saved in version `n` to version `n + 1`. A migration must accept anything the
 * older editor could save and may leave settings it does not concern alone.
 */
export type Migration = (saved: Saved) => Saved;

export interface SettingsSchema<S extends Record<string, Setting<unknown>>> {
  /** The shape version a node saves; nodes saved before settings had versions read as version 1. */
  readonly version: number;
  readonly settings: S;
  readonly configNodes: Record<string, ConfigNodeRef>;
  /** Kept by Node-RED in its credentials store, not in the flow. */
  readonly credentials: Record<string, 'text' | 'password'>;
  /** `migrations[i]` brings version i + 1 to version i + 2. */
  readonly migrations: readonly Migration[];
}

export type SettingsOf<S> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

/** The saved property that records a node's settings version. */
export const VERSION_KEY = 'version';

export function defineSettings<S extends Record<string, Setting<unknown>>>(declared: {
  settings: S;
  configNodes?: Record<string, ConfigNodeRef>;
  credentials?: Record<string, 'text' | 'password'>;
  migrations?: readonly Migration[];
}): SettingsSchema<S> {
  const migrations = declared.migrations ?? [];
  return {
    version: migrations.length + 1,
    settings: declared.settings,
    configNodes: declared.configNodes ?? {},
    credentials: declared.credentials ?? {},
    migrations,
  };
}

/** The version a node was saved in: absent means it was saved before versions (version 1). */
export function savedVersion(saved: Saved, current: number): number {
  const value = saved[VERSION_KEY];
  if (value === undefined || value === null || value === '') return 1;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InputError(VERSION_KEY, `setting "${VERSION_KEY}" must be a whole number from 1`);
  if (n > current) {
    throw new InputError(
      VERSION_KEY,
      `these settings were saved by a newer version of this package (settings version ${n}; this one reads up to ${current})`,
    );
  }
  return n;
}

/** A saved node in the current shape. */
export function migrate(schema: SettingsSchema<Record<string, Setting<unknown>>>, saved: Saved): Saved {
  let node = saved;
  for (let v = savedVersion(saved, schema.version); v < schema.version; v++) {
    const step = schema.migrations[v - 1];
    if (step) node = step(node);
  }
  return { ...node, [VERSION_KEY]: schema.version };
}

/** The runtime's settings of a deployed node: migrated, each value read and checked. */
export function readSettings<S extends Record<string, Setting<unknown>>>(
  schema: SettingsSchema<S>,
  saved: Saved,
): SettingsOf<S> {
  const current = migrate(schema, saved);
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(schema.settings)) out[key] = setting.read(current[key], key);
  return out as SettingsOf<S>;
}

// ---------------------------------------------------------------------------------------------
// Kinds of settings. Empty (absent, null, '') always reads as the default, as older nodes lack newer settings.

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export function text(value = ''): Setting<string> {
  return {
    value,
    checked: false,
    read(saved, key) {
      if (saved === undefined || saved === null) return value;
      if (typeof saved !== 'string') throw new InputError(key, `setting "${key}" must be text`);
      return saved.trim();
    },
  };
}

export function flag(value: boolean): Setting<boolean> {
  return {
    value,
    // A checkbox always saves true or false; an imported flow may not.
    checked: true,
    read(saved, key) {
      if (isEmpty(saved)) return value;
      if (typeof saved === 'boolean') return saved;
      if (saved === 'true') return true;
      if (saved === 'false') return false;
      throw new InputError(key, `setting "${key}" must be true or false`);
    },
  };
}

export function oneOf<T extends string>(allowed: readonly T[], value: T): Setting<T> {
  return {
    value,
    checked: true,
    read(saved, key) {
      if (isEmpty(saved)) return value;
      const found = allowed.find((a) => a === saved);
      if (found === undefined) throw new InputError(key, `setting "${key}" must be one of ${allowed.join(', ')}`);
      return found;
    },
  };
}

/** Seconds as typed in the editor (number or numeric text), read as milliseconds; `off` lets 0 switch a timer off. */
export function seconds(limits: { value: number; min: number; max: number; off?: boolean }): Setting<number> {
  const { value, min, max, off = false } = limits;
  return {
    value,
    checked: true,
    read(saved, key) {
      if (isEmpty(saved)) return value * 1000;
      const n = typeof saved === 'number' ? saved : typeof saved === 'string' ? Number(saved.trim()) : Number.NaN;
      if (!Number.isFinite(n)) throw new InputError(key, `setting "${key}" must be a number of seconds`);
      if (off && n === 0) return 0;
      if (n < min || n > max) {
        throw new InputError(
          key,
          `setting "${key}" must be ${off ? '0 (off) or ' : ''}between ${min} and ${max} seconds`,
        );
      }
      return Math.round(n * 1000);
    },
  };
}

/** The meter config node every device node names. */
export const METER_NODE: ConfigNodeRef = { configType: 'egauge-meter', required: true };

/** Node-RED's TLS configuration node, optional. */
export const TLS_NODE: ConfigNodeRef = { configType: 'tls-config', required: false };
