/**
 * Control-device records from `/ctrl/device`: which ones are PRM3s, where they sit, and which
 * one a node's device setting means. Commands address a device by serial number, because
 * `path` changes when a module moves to another USB port.
 */
import { AbortedError, raceAbort, type ControlDevice } from '../webapi';
import { DeviceError } from './errors';
import { describeSelector, USB_PORT, type DeviceSelector } from './device-selector';

export { describeSelector, parseDeviceSelector, type DeviceSelector } from './device-selector';

/** How many found devices a "not found" error lists before it only counts the rest. */
const FOUND_LIST_MAX = 5;

/** The USB port in a device path; for other links the element after the daemon name. */
export function portOfPath(path: readonly string[]): string | undefined {
  return path.find((element) => USB_PORT.test(element)) ?? path[1];
}

export function portOf(device: ControlDevice): string | undefined {
  return portOfPath(device.path);
}

export function hasRelay(device: ControlDevice): boolean {
  return device.interface.includes('relay');
}

export function isPrm3(device: ControlDevice): boolean {
  return (device.model ?? '').toUpperCase() === 'PRM3' && hasRelay(device);
}

/** What the editor and the discover node show of a device. */
export interface DeviceSummary {
  sn: string;
  model: string;
  mfg: string;
  port: string;
  path: string[];
  link: string;
  prot: string;
  /** Decimal string as the meter sends it; higher is a better path. */
  quality: string;
  interfaces: string[];
  name?: string;
}

export function summarizeDevice(device: ControlDevice): DeviceSummary {
  const summary: DeviceSummary = {
    sn: device.sn ?? '',
    model: device.model ?? '',
    mfg: device.mfg ?? '',
    port: portOf(device) ?? '',
    path: [...device.path],
    link: device.link ?? '',
    prot: device.prot ?? '',
    quality: device.quality ?? '',
    interfaces: [...device.interface],
  };
  if (device.name !== undefined) summary.name = device.name;
  return summary;
}

function matches(device: ControlDevice, selector: DeviceSelector): boolean {
  switch (selector.kind) {
    case 'first':
      return isPrm3(device);
    case 'sn':
      return hasRelay(device) && device.sn === selector.sn;
    case 'port':
      return hasRelay(device) && (portOf(device) ?? '').toUpperCase() === selector.port;
  }
}

/** The meter lists devices best path first, so the first match is the one to use. */
export function findDevice(devices: readonly ControlDevice[], selector: DeviceSelector): ControlDevice | undefined {
  return devices.find((device) => matches(device, selector));
}

/** "00000004 on USB1, 00000007 on USB2" — what a user needs to fix a wrong setting. */
export function describeFound(devices: readonly ControlDevice[]): string {
  const relays = devices.filter(hasRelay);
  if (relays.length === 0) {
    return devices.length === 0 ? 'no control devices' : `no relay devices, ${devices.length} other device(s)`;
  }
  const listed = relays.slice(0, FOUND_LIST_MAX).map((d) => `${d.sn ?? '(no serial)'} on ${portOf(d) ?? '(no port)'}`);
  const more = relays.length - listed.length;
  return more > 0 ? `${listed.join(', ')} and ${more} more` : listed.join(', ');
}

function notFoundText(selector: DeviceSelector): string {
  switch (selector.kind) {
    case 'first':
      return 'no PRM3 on this meter';
    case 'sn':
      return `no PRM3 with serial ${selector.sn}`;
    case 'port':
      return `no PRM3 on ${selector.port}`;
  }
}

export function selectDevice(devices: readonly ControlDevice[], selector: DeviceSelector): ControlDevice {
  const device = findDevice(devices, selector);
  if (device === undefined) {
    throw new DeviceError(`${notFoundText(selector)} (found: ${describeFound(devices)})`, {
      device: describeSelector(selector),
      operation: 'select device',
    });
  }
  return device;
}

export interface ResolvedDevice {
  sn: string;
  /** The record it was found in; absent when the selector already was a serial number. */
  device?: ControlDevice;
}

export interface DeviceDirectoryOptions {
  list: (signal?: AbortSignal) => Promise<ControlDevice[]>;
  /** How long a listing is trusted, default 30 s. */
  ttlMs?: number;
  now?: () => number;
}

interface SharedListing {
  readonly promise: Promise<ControlDevice[]>;
  readonly controller: AbortController;
  /** Callers that may still give up; when the last one does, the listing is aborted. */
  abortableWaiters: number;
  /** A caller without a signal keeps the listing alive to the end. */
  pinned: boolean;
}

export const DEFAULT_DIRECTORY_TTL_MS = 30_000;

/**
 * Device lists per meter, so "first" and "USB1" resolve without a `/ctrl/device` request
 * before every command. Serial numbers resolve without listing at all.
 */
export class DeviceDirectory {
  private readonly list: (signal?: AbortSignal) => Promise<ControlDevice[]>;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private cached: { devices: ControlDevice[]; at: number } | null = null;
  private listing: SharedListing | null = null;
  /** Bumped by invalidate(): a listing started before it must not refill the cache. */
  private generation = 0;

  constructor(options: DeviceDirectoryOptions) {
    this.list = options.list;
    this.ttlMs = options.ttlMs ?? DEFAULT_DIRECTORY_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  async resolve(selector: DeviceSelector, signal?: AbortSignal): Promise<ResolvedDevice> {
    if (selector.kind === 'sn') return { sn: selector.sn };
    if (signal?.aborted) throw aborted(selector);
    const cached = this.freshDevices();
    const hit = cached === null ? undefined : findDevice(cached, selector);
    if (hit !== undefined) return resolved(hit, selector);
    // A miss in a fresh list may be a module plugged in since: list once more before failing.
    const devices = await this.refresh(selector, signal);
    return resolved(selectDevice(devices, selector), selector);
  }

  /** Forget the list, e.g. after a call failed because a module was unplugged. */
  invalidate(): void {
    this.cached = null;
    this.listing = null;
    this.generation++;
  }

  private freshDevices(): ControlDevice[] | null {
    if (this.cached === null || this.now() - this.cached.at >= this.ttlMs) return null;
    return this.cached.devices;
  }

  private refresh(selector: DeviceSelector, signal?: AbortSignal): Promise<ControlDevice[]> {
    const listing = this.listing ?? this.startListing();
    if (signal === undefined) {
      listing.pinned = true;
      return listing.promise;
    }
    listing.abortableWaiters++;
    // raceAbort asks for the error once, when this waiter gives up: the last one to leave stops the listing.
    return raceAbort(listing.promise, signal, () => {
      listing.abortableWaiters--;
      if (listing.abortableWaiters === 0 && !listing.pinned) {
        if (this.listing === listing) this.listing = null;
        listing.controller.abort();
      }
      return aborted(selector);
    });
  }

  private startListing(): SharedListing {
    const controller = new AbortController();
    const generation = this.generation;
    const promise = this.list(controller.signal).then((devices) => {
      if (this.generation === generation) this.cached = { devices, at: this.now() };
      return devices;
    });
    const listing: SharedListing = { promise, controller, abortableWaiters: 0, pinned: false };
    const settle = (): void => {
      if (this.listing === listing) this.listing = null;
    };
    // Every waiter may have given up already: the branch keeps a late failure from going unhandled.
    promise.then(settle, settle);
    this.listing = listing;
    return listing;
  }
}

function resolved(device: ControlDevice, selector: DeviceSelector): ResolvedDevice {
  if (device.sn === undefined || device.sn === '') {
    throw new DeviceError(
      `the relay device on ${portOf(device) ?? '(no port)'} reports no serial number, so commands cannot address it`,
      {
        device: describeSelector(selector),
        operation: 'select device',
      },
    );
  }
  return { sn: device.sn, device };
}

function aborted(selector: DeviceSelector): AbortedError {
  return new AbortedError(`device lookup (${describeSelector(selector)}) was aborted`, {
    device: describeSelector(selector),
    operation: 'GET /ctrl/device',
  });
}
