/** Settings of `prm3 mask`: the editor's defaults, the runtime's reader and the tests' contract. */
import { parseRelaySet, type RelayGrouping } from '../../prm3/mask';
import { deviceSetting, type DeviceSetting } from '../device-setting';
import {
  defineSettings,
  flag,
  METER_NODE,
  oneOf,
  readSettings,
  seconds,
  text,
  type Saved,
  type Setting,
} from '../schema';

/** The node's relays as a comma list; the dialog asks for at least one, a node saved without any gets all three. */
const relays: Setting<number> = {
  value: '1,2,3',
  checked: true,
  required: true,
  read(saved, key) {
    return saved === undefined || saved === '' ? 7 : parseRelaySet(saved, key);
  },
};

export const maskSettings = defineSettings({
  settings: {
    name: text(),
    device: deviceSetting,
    relays,
    /** Nodes saved before this setting existed read as one load, the safe side (see the help). */
    oneLoad: flag(true),
    output: oneOf(['mask', 'boolean'] as const, 'mask'),
    /** Read as milliseconds; 0 polls never. */
    poll: seconds({ value: 0, min: 1, max: 86400, off: true }),
    pollOutput: oneOf(['change', 'always'] as const, 'change'),
    mode: oneOf(['queue', 'latest'] as const, 'queue'),
  },
  configNodes: { meter: METER_NODE },
});

export interface MaskSettings {
  device: DeviceSetting;
  relaySet: number;
  grouping: RelayGrouping;
  output: 'mask' | 'boolean';
  pollMs: number;
  pollOutput: 'change' | 'always';
  mode: 'queue' | 'latest';
}

export function readMaskSettings(saved: Saved): MaskSettings {
  const read = readSettings(maskSettings, saved);
  return {
    device: read.device,
    relaySet: read.relays,
    grouping: read.oneLoad ? 'one-load' : 'independent',
    output: read.output,
    pollMs: read.poll,
    pollOutput: read.pollOutput,
    mode: read.mode,
  };
}
