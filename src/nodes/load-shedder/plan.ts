/** The deployed node's plan: the loads' meters and devices, the control law's settings, the power source. */
import { InputError } from '../../errors';
import { parseDeviceSelector, type DeviceSelector } from '../../prm3/device';
import { describeReceived } from '../../prm3/preview';
import { SHED_FIELD_READERS, validateShedConfig, type ShedConfig } from '../../shed/config';
import { isEmpty, lawLoad, type LoadShedderSaved } from './settings';

type Raw = Record<string, unknown>;

/** Where each load's relays are: one meter config node and one PRM3 on it. */
export interface LoadPlace {
  name: string;
  meter: string;
  selector: DeviceSelector;
  /** The key the control law groups relays by: one per meter and device. */
  device: string;
}

export interface LoadShedderPlan {
  config: ShedConfig;
  /** The control law's settings as given, for createShedder (which validates them itself). */
  law: Raw;
  /** The node's meter: the loads' unless a load names another, and the power register's. */
  meter: string;
  places: LoadPlace[];
  /** A register of the node's meter read every `everyMs` as grid power; null: `msg.payload` only. */
  power: { meter: string; register: string; everyMs: number } | null;
  pollMs: number;
}

/** The deployed node's plan; fields that depend on each other are checked here, naming the field. */
export function planLoadShedder(saved: LoadShedderSaved, meterId: unknown): LoadShedderPlan {
  if (typeof meterId !== 'string' || meterId.trim() === '')
    throw new InputError('meter', `meter must name an eGauge meter config node; got ${describeReceived(meterId)}`);
  const meter = meterId.trim();
  const places = saved.loads.map((row, i): LoadPlace => {
    const on = row.meter === '' ? meter : row.meter;
    const text = row.device === '' ? 'first' : row.device.toUpperCase();
    return {
      name: row.name,
      meter: on,
      selector: parseDeviceSelector(row.device, `loads[${i}].device`),
      device: `${on}/${text}`,
    };
  });
  const law: Raw = { loads: saved.loads.map((row, i) => lawLoad({ ...row }, places[i]?.device ?? '')) };
  const given: Raw = saved;
  for (const key of Object.keys(SHED_FIELD_READERS)) if (!isEmpty(given[key])) law[key] = given[key];
  const config = validateShedConfig(law);
  return {
    config,
    law,
    meter,
    places,
    power: saved.powerRegister === '' ? null : { meter, register: saved.powerRegister, everyMs: saved.powerEveryS },
    pollMs: saved.pollS,
  };
}
