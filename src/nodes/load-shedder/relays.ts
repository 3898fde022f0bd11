/**
 * The load shedder's way to the relays: read a PRM3's mask, and switch one load's relays in one
 * call. The same device choice and relay operations as `prm3 mask`; nothing here retries.
 */
import { executeRelayCommand, type RelayResult } from '../../prm3/operations';
import { onSelectedDevice } from '../../prm3/pinned-device';
import { ALL_RELAYS } from '../../prm3/mask';
import type { DeviceSelector } from '../../prm3/device';
import type { EgaugeError } from '../../errors';
import type { MeterConnection } from '../meter-connection';
import type { LoadPlace } from './plan';

export interface DeviceRef {
  /** The control law's key for this meter + device. */
  key: string;
  meterId: string;
  meter: MeterConnection;
  selector: DeviceSelector;
}

/** Errors that say the meter itself did not answer, as opposed to a device or a call refused. */
export function meterUnreachable(error: EgaugeError): boolean {
  return error.code === 'NETWORK' || error.code === 'TIMEOUT' || error.code === 'AUTH';
}

export class ShedderRelays {
  readonly devices = new Map<string, DeviceRef>();

  constructor(places: readonly LoadPlace[], meters: ReadonlyMap<string, MeterConnection>) {
    for (const place of places) {
      const meter = meters.get(place.meter);
      if (meter === undefined) throw new RangeError(`no connection for meter ${place.meter}`);
      if (!this.devices.has(place.device)) {
        this.devices.set(place.device, {
          key: place.device,
          meterId: place.meter,
          meter,
          selector: place.selector,
        });
      }
    }
  }

  /** The whole relay mask of one device, read now. */
  async read(ref: DeviceRef, signal: AbortSignal): Promise<number> {
    const result = await this.run(ref, signal, (client, sn, path) =>
      executeRelayCommand(client, sn, { kind: 'get' }, ALL_RELAYS, 'independent', this.options(signal, path)),
    );
    return result.actual;
  }

  /** Closes or opens all of a load's relays in one call (close_mask / open_mask), then reads them back. */
  async switchLoad(ref: DeviceRef, relays: number, on: boolean, signal: AbortSignal): Promise<RelayResult> {
    const command = on
      ? ({ kind: 'change', close: relays, open: 0 } as const)
      : ({ kind: 'change', close: 0, open: relays } as const);
    return this.run(ref, signal, (client, sn, path) =>
      executeRelayCommand(client, sn, command, relays, 'one-load', this.options(signal, path)),
    );
  }

  private options(signal: AbortSignal, path: readonly string[] | undefined): { signal: AbortSignal; path?: string[] } {
    return path === undefined ? { signal } : { signal, path: [...path] };
  }

  private run<T>(
    ref: DeviceRef,
    signal: AbortSignal,
    job: (client: MeterConnection['client'], sn: string, path: readonly string[] | undefined) => Promise<T>,
  ): Promise<T> {
    const { client, directory } = ref.meter;
    return onSelectedDevice(directory, ref.selector, signal, (sn, path) => job(client, sn, path));
  }
}
