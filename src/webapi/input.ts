/** Checks on what callers hand the client: nothing is sent unless it passes. */
import { InputError } from '../errors';
import type { DeviceAttrs } from './types';
import { isRecord, isStringArray } from './validate';

const STRING_ATTRS = ['sn', 'mfg', 'model', 'name', 'prot', 'link', 'interface'] as const;
const ACCEPTED_ATTRS = `accepted: an object of device attributes, e.g. {"sn":"00000004"} or {"interface":"relay"}; keys ${STRING_ATTRS.join(', ')} (strings), path (non-empty list of strings), index (integer, 0 or more)`;

/** A device selection with the documented attributes; unknown names are refused (typos would widen it). */
export function checkAttrs(value: unknown, field: string, requireSome: boolean): DeviceAttrs {
  if (!isRecord(value)) throw new InputError(field, `${field} must be an object (${ACCEPTED_ATTRS})`);
  const attrs: DeviceAttrs = {};
  for (const [name, attribute] of Object.entries(value)) {
    if (name === 'path') {
      if (!isStringArray(attribute) || attribute.length === 0)
        throw new InputError(field, `${field}.path must be a non-empty list of strings (${ACCEPTED_ATTRS})`);
      attrs.path = [...attribute];
    } else if (name === 'index') {
      if (typeof attribute !== 'number' || !Number.isSafeInteger(attribute) || attribute < 0) {
        throw new InputError(field, `${field}.index must be an integer, 0 or more (${ACCEPTED_ATTRS})`);
      }
      attrs.index = attribute;
    } else if (isStringAttr(name)) {
      if (typeof attribute !== 'string')
        throw new InputError(field, `${field}.${name} must be a string (${ACCEPTED_ATTRS})`);
      attrs[name] = attribute;
    } else if (attribute !== undefined) {
      throw new InputError(field, `${field} has the unknown attribute "${name}" (${ACCEPTED_ATTRS})`);
    }
  }
  // A call without any attribute would act on whichever device the meter lists first.
  if (requireSome && Object.keys(attrs).filter((name) => name !== 'index').length === 0) {
    throw new InputError(
      field,
      `${field} must name the device (e.g. its sn); an empty selection could switch any device`,
    );
  }
  return meterOrder(attrs);
}

/** The meter reads `path`, and otherwise `index`, only as the first attribute. */
function meterOrder(attrs: DeviceAttrs): DeviceAttrs {
  // The usual selection (by sn) needs no reordering; object rest is costly on every call.
  if (attrs.path === undefined && attrs.index === undefined) return attrs;
  const { path, index, ...rest } = attrs;
  if (path !== undefined) return index === undefined ? { path, ...rest } : { path, index, ...rest };
  return index === undefined ? rest : { index, ...rest };
}

function isStringAttr(name: string): name is (typeof STRING_ATTRS)[number] {
  return (STRING_ATTRS as readonly string[]).includes(name);
}

export function checkMethod(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(value)) {
    throw new InputError('method', 'method must be a method name such as relay.get_mask');
  }
  return value;
}

export function checkArgs(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new InputError('args', 'args must be a list');
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new InputError('args', 'args must be plain JSON values');
  return value;
}

/** How a device is named in messages: its serial number when known. */
export function describeDevice(attrs: object): string {
  const sn: unknown = Reflect.get(attrs, 'sn');
  if (typeof sn === 'string') return `sn ${sn}`;
  const path: unknown = Reflect.get(attrs, 'path');
  if (isStringArray(path)) return `path ${path.join('/')}`;
  const name: unknown = Reflect.get(attrs, 'name');
  if (typeof name === 'string') return `device "${name}"`;
  return `device ${JSON.stringify(attrs)}`;
}

export function checkPositive(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new InputError(field, `${field} must be a positive number of ms`);
  return value;
}

export function checkCount(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new InputError(field, `${field} must be a whole number, 0 or more`);
  return value;
}
