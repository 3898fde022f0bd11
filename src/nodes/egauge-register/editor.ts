/** The `egauge register` dialog: settings from the node's schema, and the register list the meter offers. */
import { editorDefaults } from '../../editor/defaults';
import { isObject, isMeterId, meterApi, textOf } from '../../editor/meter-api';
import { registerSettings } from './settings';

interface KnownRegister {
  name: string;
  type: string;
  unit?: unknown;
}

// The register list has no form field: its state lives here while a dialog is open.
const editing = new Map<string, { chosen: string[] }>();

function isKnownRegister(value: unknown): value is KnownRegister {
  return isObject(value) && typeof value['name'] === 'string' && typeof value['type'] === 'string';
}

function savedNames(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((name): name is string => typeof name === 'string') : [];
}

RED.nodes.registerType('egauge register', {
  category: 'eGauge',
  color: '#E9B872',
  defaults: editorDefaults(registerSettings, 'egauge-register'),
  inputs: 1,
  outputs: 1,
  icon: 'egauge-gauge.svg',
  paletteLabel: 'egauge register',
  label() {
    if (this.name) return this.name;
    const names = savedNames(this['registers']);
    if (names.length === 1) return names[0] ?? '';
    return names.length > 1 ? this._('egauge-register.label.node', { count: names.length }) : 'egauge register';
  },
  labelStyle() {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels() {
    return this._('egauge-register.label.trigger');
  },
  outputLabels() {
    return this._('egauge-register.label.readings');
  },
  oneditprepare() {
    const node = this;
    const api = meterApi(RED, (options) => {
      void $.ajax(options);
    });
    const list = $('#egauge-register-list');
    const state = { chosen: savedNames(node['registers']) };
    editing.set(node.id, state);
    let known: KnownRegister[] = [];

    // One row per register: the chosen ones first (in their order), then the rest the meter has.
    function render(): void {
      list.empty();
      const rows = state.chosen.map((name) => ({ name, info: known.find((r) => r.name === name), checked: true }));
      for (const register of known) {
        if (!state.chosen.includes(register.name)) rows.push({ name: register.name, info: register, checked: false });
      }
      if (rows.length === 0) {
        $('<div></div>').css('opacity', '0.7').text(node._('egauge-register.label.empty')).appendTo(list);
        return;
      }
      for (const row of rows) {
        const line = $('<label></label>').css({ display: 'block', width: 'auto', margin: '2px 0' }).appendTo(list);
        $('<input type="checkbox">')
          .css({ width: 'auto', margin: '0 6px 0 0', 'vertical-align': 'baseline' })
          .prop('checked', row.checked)
          .data('register', row.name)
          .appendTo(line);
        $('<span></span>').text(row.name).appendTo(line);
        const unit = textOf(row.info?.unit);
        const detail = row.info ? row.info.type + (unit ? `, ${unit}` : '') : node._('egauge-register.label.notListed');
        $('<span></span>').css({ opacity: '0.6', 'margin-left': '6px' }).text(`(${detail})`).appendTo(line);
      }
    }

    list.on('change', 'input[type=checkbox]', function () {
      const name = textOf($(this).data('register'));
      if ($(this).prop('checked')) {
        if (!state.chosen.includes(name)) state.chosen.push(name);
      } else state.chosen = state.chosen.filter((n) => n !== name);
    });

    function addTyped(): void {
      const field = $('#egauge-register-add-name');
      const name = textOf(field.val()).trim();
      if (name !== '' && !state.chosen.includes(name)) {
        state.chosen.push(name);
        render();
      }
      field.val('');
    }
    $('#egauge-register-add').on('click', (event) => {
      event.preventDefault();
      addTyped();
    });
    $('#egauge-register-add-name').on('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        addTyped();
      }
    });

    const note = $('#egauge-register-note');
    let requests = 0;
    function load(): void {
      const meterId = $('#node-input-meter').val();
      if (!isMeterId(meterId)) {
        note.css('color', '').text(node._('egauge-register.label.noMeter'));
        return;
      }
      const request = ++requests;
      note.css('color', '').text(node._('egauge-register.label.loading'));
      const ask = api.meterRequest(meterId, 'registers');
      api.post(ask.route, ask.body, (reply) => {
        if (request !== requests) return;
        if (!reply.ok) {
          note.css('color', 'var(--red-ui-text-color-error, #d6615f)').text(textOf(reply.error));
          return;
        }
        const registers = reply['registers'];
        known = Array.isArray(registers) ? registers.filter(isKnownRegister) : [];
        note.css('color', '').text(node._('egauge-register.label.loaded', { count: known.length }));
        render();
      });
    }
    $('#egauge-register-refresh').on('click', (event) => {
      event.preventDefault();
      load();
    });
    $('#node-input-meter').on('change', load);
    render();
    load();
  },
  oneditsave() {
    const state = editing.get(this.id);
    editing.delete(this.id);
    if (state) this['registers'] = state.chosen.slice();
  },
  oneditcancel() {
    editing.delete(this.id);
  },
});
