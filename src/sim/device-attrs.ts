/**
 * Device records as `GET /ctrl/device` lists them, and attribute selection as `/ctrl/device`
 * and `/ctrl/call` apply it: every attribute given must match, `interface` matches a device
 * that supports it, `path` compares whole arrays, `index` picks the n-th match.
 */
import { PRM3_INTERFACE_NAMES } from './interfaces';
import { isIntegerIn, isStringArray } from './json-guards';
import type { Prm3Module } from './prm3-module';

/** A PRM3 on USB, exactly as a meter reports one. */
export interface DeviceRecord {
  path: string[];
  mfg: string;
  model: string;
  sn: string;
  prot: string;
  link: string;
  quality: string;
  interface: string[];
}

const records = new WeakMap<Prm3Module, DeviceRecord>();

export function deviceRecord(device: Prm3Module): DeviceRecord {
  let record = records.get(device);
  // A module moved to another port is listed under its new path.
  if (record === undefined || record.path[1] !== device.port) {
    record = {
      path: ['net.egauge.slowd', device.port],
      mfg: 'eGauge',
      model: 'PRM3',
      sn: device.sn,
      prot: 'SCPI',
      link: 'serial',
      quality: '1',
      interface: [...PRM3_INTERFACE_NAMES],
    };
    records.set(device, record);
  }
  return record;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function attributeMatches(record: DeviceRecord, name: string, wanted: unknown): boolean {
  if (name === 'interface') {
    // One name, or several that must all be supported (JSON objects cannot repeat a key).
    const names = typeof wanted === 'string' ? [wanted] : wanted;
    return isStringArray(names) && names.every((entry) => record.interface.includes(entry));
  }
  if (name === 'path') return isStringArray(wanted) && sameStrings(record.path, wanted);
  if (!Object.hasOwn(record, name)) return false;
  const value: unknown = Reflect.get(record, name);
  return typeof value === 'string' && value === wanted;
}

export type Selection = { devices: Prm3Module[] } | { error: string };

/** USB1 before USB2 before USB10, whichever module was added first. */
function byPort(a: Prm3Module, b: Prm3Module): number {
  return portNumber(a.port) - portNumber(b.port) || (a.port < b.port ? -1 : a.port > b.port ? 1 : 0);
}

function portNumber(port: string): number {
  const digits = /\d+$/.exec(port);
  return digits === null ? Number.MAX_SAFE_INTEGER : Number(digits[0]);
}

/** Plugged devices matching `attrs`, listed by port; with `index`, at most one. */
export function selectDevices(devices: readonly Prm3Module[], attrs: Record<string, unknown>): Selection {
  // The meter reads `path` only as the first attribute: anywhere else it is refused.
  if (Object.hasOwn(attrs, 'path') && Object.keys(attrs)[0] !== 'path')
    return { error: 'EINVAL: path must be the first attribute.' };
  const index = attrs['index'];
  if (index !== undefined && !isIntegerIn(index, 0, Number.MAX_SAFE_INTEGER))
    return { error: 'EINVAL: index must be a non-negative integer.' };
  const wanted = Object.entries(attrs).filter(([name]) => name !== 'index');
  const matches = devices
    .filter((device) => {
      if (!device.plugged) return false;
      const record = deviceRecord(device);
      return wanted.every(([name, value]) => attributeMatches(record, name, value));
    })
    .sort(byPort);
  if (index === undefined) return { devices: matches };
  const picked = matches[index];
  return { devices: picked === undefined ? [] : [picked] };
}
