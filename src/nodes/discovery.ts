/** Device scans for `prm3 discover`: filtering, optional method lists, and what changed since the last scan. */
import { InputError } from '../errors';
import type { ControlDevice, DeviceAttrs, InterfaceMap } from '../webapi';
import { hasRelay, isPrm3, summarizeDevice, type DeviceSummary } from '../prm3/device';
import type { DiscoverSettings } from './settings';

export type DiscoveredDevice = DeviceSummary & {
  methods?: Record<string, { name: string; in: string; out: string; doc: string }[]>;
};

const STRING_ATTRS = ['sn', 'mfg', 'model', 'name', 'prot', 'link', 'interface'] as const;

/** `msg.attrs` → DeviceAttrs, or an InputError naming what is wrong; nothing is sent for bad input. */
export function parseAttrs(value: unknown): DeviceAttrs {
  const accepted = `accepted: an object of device attributes, e.g. {"interface":"relay"} or {"sn":"00000004"}; keys ${STRING_ATTRS.join(', ')}, path (array of strings), index (integer ≥ 0)`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError('msg.attrs', `msg.attrs must be an object (${accepted})`);
  const attrs: DeviceAttrs = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'path') {
      if (!Array.isArray(v) || v.length === 0 || !v.every((p): p is string => typeof p === 'string'))
        throw new InputError('msg.attrs', `msg.attrs.path must be a non-empty array of strings (${accepted})`);
      attrs.path = [...v];
    } else if (key === 'index') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
        throw new InputError('msg.attrs', `msg.attrs.index must be an integer ≥ 0 (${accepted})`);
      attrs.index = v;
    } else if ((STRING_ATTRS as readonly string[]).includes(key)) {
      if (typeof v !== 'string') throw new InputError('msg.attrs', `msg.attrs.${key} must be a string (${accepted})`);
      attrs[key as (typeof STRING_ATTRS)[number]] = v;
    } else {
      throw new InputError('msg.attrs', `msg.attrs has an unknown attribute "${key}" (${accepted})`);
    }
  }
  return attrs;
}

export function filterDevices(devices: ControlDevice[], filter: DiscoverSettings['filter']): ControlDevice[] {
  if (filter === 'all') return devices;
  return devices.filter(filter === 'relay' ? hasRelay : isPrm3);
}

export function describe(devices: ControlDevice[], interfaces: InterfaceMap | null): DiscoveredDevice[] {
  return devices.map((device) => {
    const summary: DiscoveredDevice = summarizeDevice(device);
    if (interfaces) {
      summary.methods = Object.fromEntries(
        device.interface.map((name) => [
          name,
          (interfaces[name] ?? []).map((m) => ({ name: m.name, in: m.in, out: m.out, doc: m.doc })),
        ]),
      );
    }
    return summary;
  });
}

const keyOf = (d: DeviceSummary): string => JSON.stringify(d.path);

/** Devices added and removed between two scans, compared by path (the meter's unique id). */
export function compareScans(
  previous: DeviceSummary[],
  current: DeviceSummary[],
): { added: DeviceSummary[]; removed: DeviceSummary[] } {
  const before = new Set(previous.map(keyOf));
  const now = new Set(current.map(keyOf));
  return { added: current.filter((d) => !before.has(keyOf(d))), removed: previous.filter((d) => !now.has(keyOf(d))) };
}

export function sameScan(a: DiscoveredDevice[], b: DiscoveredDevice[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
