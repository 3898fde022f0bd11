/** The `prm3 mask` dialog: settings from the node's schema, relay checkboxes, the grouping tip and the device picker. */
import { editorDefaults } from '../../editor/defaults';
import { setupDevicePicker } from '../../editor/device-picker';
import { meterApi, textOf } from '../../editor/meter-api';
import { maskSettings } from './settings';

/** The relay numbers of the saved comma list, as typed. */
function relayNumbers(list: unknown): string[] {
  return textOf(list)
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

RED.nodes.registerType('prm3 mask', {
  category: 'eGauge',
  color: '#E9B872',
  defaults: editorDefaults(maskSettings, 'prm3-mask'),
  inputs: 1,
  outputs: 1,
  icon: 'egauge-relay.svg',
  paletteLabel: 'prm3 mask',
  label() {
    if (this.name) return this.name;
    const relays = relayNumbers(this['relays']).join(',');
    return relays ? this._('prm3-mask.label.node', { relays }) : 'prm3 mask';
  },
  labelStyle() {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels() {
    return this._('prm3-mask.label.input');
  },
  outputLabels() {
    return this['output'] === 'boolean'
      ? this._('prm3-mask.label.outputBoolean')
      : this._('prm3-mask.label.outputMask');
  },
  oneditprepare() {
    const node = this;
    const relaysField = $('#node-input-relays');
    const boxes = [1, 2, 3].map((relay) => $(`#prm3-mask-relay-${relay}`));

    function showRelays(): void {
      const chosen = relayNumbers(relaysField.val());
      for (const box of boxes) box.prop('checked', chosen.includes(textOf(box.val())));
      $('#prm3-mask-relays-error').toggle(chosen.length === 0);
    }
    // The checkboxes write the comma list the runtime reads, in relay order.
    for (const box of boxes) {
      box.on('change', () => {
        const chosen = boxes.filter((b) => b.prop('checked') === true).map((b) => textOf(b.val()));
        relaysField.val(chosen.join(',')).trigger('change');
        $('#prm3-mask-relays-error').toggle(chosen.length === 0);
      });
    }
    showRelays();

    // The tip says what the relays are now: one load, independent loads, or a single relay.
    const oneLoad = $('#node-input-oneLoad');
    function showGrouping(): void {
      const count = relayNumbers(relaysField.val()).length;
      const key =
        count < 2
          ? 'prm3-mask.tip.single'
          : oneLoad.prop('checked')
            ? 'prm3-mask.tip.oneLoad'
            : 'prm3-mask.tip.independent';
      $('#prm3-mask-grouping-tip').text(node._(key));
    }
    oneLoad.on('change', showGrouping);
    relaysField.on('change', showGrouping);
    showGrouping();

    const poll = $('#node-input-poll');
    const device = $('#node-input-device');
    function showPollRows(): void {
      const seconds = Number(poll.val());
      const polling = Number.isFinite(seconds) && seconds > 0;
      $('#prm3-mask-poll-output-row').toggle(polling);
      $('#prm3-mask-poll-msg-tip').toggle(polling && textOf(device.val()).trim() === 'msg');
    }
    poll.on('change keyup input', showPollRows);
    device.on('change keyup input', showPollRows);
    showPollRows();

    const api = meterApi(RED, (options) => {
      void $.ajax(options);
    });
    setupDevicePicker(api, {
      input: device,
      choices: $('#prm3-mask-device-choices'),
      refresh: $('#prm3-mask-device-refresh'),
      note: $('#prm3-mask-device-note'),
      meter: $('#node-input-meter'),
    });
  },
});
