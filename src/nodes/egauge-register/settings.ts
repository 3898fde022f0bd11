/** Settings of `egauge register`: the editor's defaults, the runtime's reader and the tests' contract. */
import { InputError } from '../../errors';
import { defineSettings, flag, METER_NODE, readSettings, seconds, text, type Saved, type Setting } from '../schema';

/** Register names: the dialog saves a list; a comma-separated text is read too. */
const registerNames: Setting<string[]> = {
  value: [],
  checked: true,
  read(saved, key) {
    if (saved === undefined || saved === null || saved === '') return [];
    if (Array.isArray(saved) && saved.every((v): v is string => typeof v === 'string')) {
      return saved.map((v) => v.trim()).filter((v) => v !== '');
    }
    if (typeof saved === 'string') {
      return saved
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
    }
    throw new InputError(key, `setting "${key}" must be a list of register names`);
  },
};

export const registerSettings = defineSettings({
  settings: {
    name: text(),
    registers: registerNames,
    /** Read as milliseconds; 0 reads only on input (and after deploy when `onDeploy`). */
    interval: seconds({ value: 0, min: 1, max: 86400, off: true }),
    onDeploy: flag(false),
  },
  configNodes: { meter: METER_NODE },
});

export interface RegisterSettings {
  registers: string[];
  intervalMs: number;
  onDeploy: boolean;
}

export function readRegisterSettings(saved: Saved): RegisterSettings {
  const { registers, interval, onDeploy } = readSettings(registerSettings, saved);
  return { registers, intervalMs: interval, onDeploy };
}
