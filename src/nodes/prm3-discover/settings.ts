/** Settings of `prm3 discover`: the editor's defaults, the runtime's reader and the tests' contract. */
import { defineSettings, flag, METER_NODE, oneOf, seconds, text, type SettingsOf } from '../schema';

export const FILTERS = ['prm3', 'relay', 'all'] as const;

export const discoverSettings = defineSettings({
  settings: {
    name: text(),
    filter: oneOf(FILTERS, 'prm3'),
    methods: flag(false),
    onDeploy: flag(false),
    /** Read as milliseconds; 0 scans only on input (and after deploy when `onDeploy`). */
    interval: seconds({ value: 0, min: 1, max: 86400, off: true }),
  },
  configNodes: { meter: METER_NODE },
});

export type DiscoverSettings = SettingsOf<typeof discoverSettings.settings>;
