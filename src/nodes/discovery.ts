/** Device scans for `prm3 discover`: filtering, optional method lists, and what changed since the last scan. */
import { checkAttrs, type ControlDevice, type DeviceAttrs, type InterfaceMap } from '../webapi';
import { hasRelay, isPrm3, summarizeDevice, type DeviceSummary } from '../prm3/device';
import type { DiscoverSettings } from './prm3-discover/settings';

export type DiscoveredDevice = DeviceSummary & {
  methods?: Record<string, { name: string; in: string; out: string; doc: string }[]>;
};

/** `msg.attrs` → DeviceAttrs, or an InputError naming what is wrong; an empty selection lists every device. */
export function parseAttrs(value: unknown): DeviceAttrs {
  return checkAttrs(value, 'msg.attrs', false);
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
