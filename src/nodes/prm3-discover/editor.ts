/** The `prm3 discover` dialog: defaults and validators come from the node's settings schema. */
import { editorDefaults } from '../../editor/defaults';
import { discoverSettings } from './settings';

RED.nodes.registerType('prm3 discover', {
  category: 'eGauge',
  color: '#E9B872',
  defaults: editorDefaults(discoverSettings, 'prm3-discover'),
  inputs: 1,
  outputs: 1,
  icon: 'egauge-radar.svg',
  paletteLabel: 'prm3 discover',
  label() {
    return this.name || 'prm3 discover';
  },
  labelStyle() {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels() {
    return this._('prm3-discover.label.trigger');
  },
  outputLabels() {
    return this._('prm3-discover.label.devices');
  },
});
