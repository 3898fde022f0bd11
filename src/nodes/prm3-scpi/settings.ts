/** Settings of `prm3 scpi`: the editor's defaults, the runtime's reader and the tests' contract. */
import { validateScpiLine } from '../../prm3/scpi-line';
import { deviceSetting } from '../device-setting';
import { defineSettings, METER_NODE, text, type Setting } from '../schema';

/** One SCPI line sent on every message; empty takes the lines from `msg.payload`. */
const scpiCommand: Setting<string> = {
  value: '',
  checked: true,
  read(saved, key) {
    const line = text().read(saved, key);
    if (line !== '') validateScpiLine(line, key);
    return line;
  },
};

export const scpiSettings = defineSettings({
  settings: { name: text(), device: deviceSetting, command: scpiCommand },
  configNodes: { meter: METER_NODE },
});
