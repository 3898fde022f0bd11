/** The device setting of the nodes that talk to one PRM3: a fixed selector, or `msg.device`. */
import { InputError } from '../errors';
import { parseDeviceSelector, type DeviceSelector } from '../prm3/device-selector';
import type { Setting } from './schema';

/** Where a device node takes its device from: a fixed selector, or `msg.device`. */
export type DeviceSetting = { fromMsg: true } | { fromMsg: false; selector: DeviceSelector; text: string };

/** Empty means the first PRM3 the meter lists; `msg` means each message names its device. */
export const deviceSetting: Setting<DeviceSetting> = {
  value: '',
  checked: true,
  read(saved, key) {
    const value = saved === undefined || saved === null ? '' : saved;
    if (typeof value !== 'string') throw new InputError(key, `setting "${key}" must be text`);
    const text = value.trim();
    if (text === 'msg') return { fromMsg: true };
    return { fromMsg: false, selector: parseDeviceSelector(text, key), text: text === '' ? 'first PRM3' : text };
  },
};
