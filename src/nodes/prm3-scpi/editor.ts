/** The `prm3 scpi` dialog: settings from the node's schema, and the device picker. */
import { editorDefaults } from '../../editor/defaults';
import { setupDevicePicker } from '../../editor/device-picker';
import { meterApi } from '../../editor/meter-api';
import { scpiSettings } from './settings';

RED.nodes.registerType('prm3 scpi', {
  category: 'eGauge',
  color: '#E9B872',
  defaults: editorDefaults(scpiSettings, 'prm3-scpi'),
  inputs: 1,
  outputs: 1,
  icon: 'egauge-terminal.svg',
  paletteLabel: 'prm3 scpi',
  label() {
    return this.name || (typeof this['command'] === 'string' && this['command']) || 'prm3 scpi';
  },
  labelStyle() {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels() {
    return this['command'] ? this._('prm3-scpi.label.trigger') : this._('prm3-scpi.label.commandIn');
  },
  outputLabels() {
    return this._('prm3-scpi.label.reply');
  },
  oneditprepare() {
    const api = meterApi(RED, (options) => {
      void $.ajax(options);
    });
    setupDevicePicker(api, {
      input: $('#node-input-device'),
      choices: $('#prm3-scpi-device-choices'),
      refresh: $('#prm3-scpi-device-refresh'),
      note: $('#prm3-scpi-device-note'),
      meter: $('#node-input-meter'),
    });
  },
});
