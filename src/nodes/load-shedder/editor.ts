/** The `load shedder` dialog: defaults and validators from the node's settings schema, and an editable list of loads. */
import { editorDefaults } from '../../editor/defaults';
import { isDeviceSummary, isMeterId, meterApi, textOf, type MeterApi } from '../../editor/meter-api';
import type { EditorNode } from '../../editor/red';
import { InputError } from '../../errors';
import { DEFAULTS } from '../../shed/config';
import { checkLoadRow, loadShedderSettings, type LoadRow } from './settings';

/** The parts of Node-RED's editor this dialog uses beyond src/editor/red.ts. */
interface EditableListOptions {
  addItem(row: JQuery, index: number, data: Partial<LoadRow>): void;
  removable: boolean;
  sortable: boolean;
  height: string | number;
  header?: JQuery;
}
interface ConfigNodeInfo {
  id: string;
  type: string;
  name?: string;
  url?: string;
}
interface LoadList {
  editableList(options: EditableListOptions): LoadList;
  editableList(method: 'addItem', data: Partial<LoadRow>): LoadList;
  editableList(method: 'items'): JQuery;
}
const loadList = (): LoadList => $('#node-input-loads-list') as unknown as LoadList;
const editorRED = RED as typeof RED & { nodes: { eachConfig(cb: (node: ConfigNodeInfo) => boolean | void): void } };

const SET = 'load-shedder';
const TEXT_FIELDS = ['name', 'device', 'relays', 'priority', 'expectedW', 'minOnS', 'minOffS'] as const;
const WIDTHS: Record<(typeof TEXT_FIELDS)[number], string> = {
  name: '130px',
  device: '70px',
  relays: '50px',
  priority: '45px',
  expectedW: '60px',
  minOnS: '45px',
  minOffS: '45px',
};

function meterOptions(node: EditorNode, select: JQuery, chosen: string): void {
  $('<option>')
    .val('')
    .text(node._(`${SET}.label.nodeMeter`))
    .appendTo(select);
  editorRED.nodes.eachConfig((config) => {
    if (config.type === 'egauge-meter')
      $('<option>')
        .val(config.id)
        .text(config.name || config.url || config.id)
        .appendTo(select);
  });
  select.val(chosen);
}

function addRow(node: EditorNode, row: JQuery, data: Partial<LoadRow>, lists: DeviceLists): void {
  const line = $('<div>', { style: 'display: flex; gap: 4px; align-items: center; flex-wrap: wrap;' }).appendTo(row);
  for (const field of TEXT_FIELDS) {
    $('<input>', { type: 'text', class: `load-${field}`, style: `width: ${WIDTHS[field]};` })
      .attr('placeholder', node._(`${SET}.load.${field}`))
      .attr('title', node._(`${SET}.load.${field}`))
      .val(typeof data[field] === 'string' || typeof data[field] === 'number' ? String(data[field]) : '')
      .appendTo(line);
  }
  for (const flag of ['critical', 'autoRestore'] as const) {
    const label = $('<label>', { style: 'width: auto; margin: 0 4px;' }).appendTo(line);
    const fallback = flag === 'autoRestore';
    $('<input>', { type: 'checkbox', class: `load-${flag}`, style: 'width: auto; margin: 0 2px;' })
      .prop('checked', data[flag] === undefined ? fallback : data[flag] === true || data[flag] === 'true')
      .appendTo(label);
    label.append(document.createTextNode(node._(`${SET}.load.${flag}`)));
  }
  const meter = $('<select>', { class: 'load-meter', style: 'width: 160px;' }).appendTo(line);
  meterOptions(node, meter, typeof data.meter === 'string' ? data.meter : '');
  meter.on('change', () => suggest(row, lists));
  line.find('input').on('change keyup', () => checkRow(row));
  suggest(row, lists);
  checkRow(row);
}

/** The id of the `<datalist>` of PRM3s a meter reports, asked for once per dialog; null without a meter. */
type DeviceLists = (meterId: string) => string | null;

function deviceListsOf(api: MeterApi, parent: JQuery): DeviceLists {
  const lists = new Map<string, string>();
  return (meterId) => {
    if (!isMeterId(meterId)) return null;
    const known = lists.get(meterId);
    if (known !== undefined) return known;
    const id = `load-shedder-devices-${lists.size}`;
    lists.set(meterId, id);
    const list = $('<datalist>', { id }).appendTo(parent);
    const ask = api.meterRequest(meterId, 'devices');
    ask.body['filter'] = 'prm3';
    api.post(ask.route, ask.body, (reply) => {
      const listed = reply.ok && Array.isArray(reply['devices']) ? reply['devices'].filter(isDeviceSummary) : [];
      for (const device of listed) {
        $('<option>').val(device.sn).text(api.describeDevice(device)).appendTo(list);
        const port = textOf(device.port);
        if (port) $('<option>').val(port).text(api.describeDevice(device)).appendTo(list);
      }
    });
    return id;
  };
}

/** Points a row's device field at the list of the meter its load is on. */
function suggest(row: JQuery, lists: DeviceLists): void {
  const own = textOf(row.find('.load-meter').val());
  const id = lists(own !== '' ? own : textOf($('#node-input-meter').val()));
  const device = row.find('.load-device');
  if (id === null) device.removeAttr('list');
  else device.attr('list', id);
}

/** Marks the field a deploy would refuse in this row, with the runtime's own reason as its tooltip. */
function checkRow(row: JQuery): void {
  const fields = row.find('input[type=text]');
  fields.removeClass('input-error').each(function (this: HTMLElement) {
    const input = $(this);
    input.attr('title', textOf(input.attr('placeholder')));
  });
  const minimum = Number(textOf($('#node-input-prm3MinSwitchS').val()).trim());
  try {
    checkLoadRow(rowData(row), 'load', Number.isFinite(minimum) && minimum >= 0 ? minimum : DEFAULTS.prm3MinSwitchS);
  } catch (thrown) {
    if (!(thrown instanceof InputError)) throw thrown;
    const key = thrown.field.split('.').pop() ?? '';
    const input = row.find(`.load-${key}`);
    (input.length > 0 ? input : row.find('.load-name')).addClass('input-error').attr('title', thrown.message);
  }
}

/** A row's fields as the node saves them. */
function rowData(row: JQuery): Record<string, unknown> {
  const value = (cls: string): string => String(row.find(`.load-${cls}`).val() ?? '').trim();
  const number = (cls: string): number | string => {
    const v = value(cls);
    return v === '' || Number.isNaN(Number(v)) ? v : Number(v);
  };
  return {
    name: value('name'),
    meter: value('meter'),
    device: value('device'),
    relays: value('relays'),
    priority: number('priority'),
    expectedW: number('expectedW'),
    minOnS: number('minOnS'),
    minOffS: number('minOffS'),
    critical: row.find('.load-critical').prop('checked') === true,
    autoRestore: row.find('.load-autoRestore').prop('checked') === true,
  };
}

function readRows(): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  eachRow((row) => rows.push(rowData(row)));
  return rows;
}

function eachRow(act: (row: JQuery) => void): void {
  loadList()
    .editableList('items')
    .each(function (this: HTMLElement) {
      act($(this));
    });
}

RED.nodes.registerType('load shedder', {
  category: 'eGauge',
  color: '#E9B872',
  defaults: editorDefaults(loadShedderSettings, SET),
  inputs: 1,
  outputs: 2,
  icon: 'egauge-shed.svg',
  paletteLabel: 'load shedder',
  label() {
    return this.name || 'load shedder';
  },
  labelStyle() {
    return this.name ? 'node_label_italic' : '';
  },
  inputLabels() {
    return this._(`${SET}.label.input`);
  },
  outputLabels(index) {
    return this._(index === 0 ? `${SET}.label.events` : `${SET}.label.state`);
  },
  oneditprepare() {
    const node = this;
    const api = meterApi(RED, (options) => {
      void $.ajax(options);
    });
    const lists = deviceListsOf(api, $('.node-input-loads-row'));
    $('#node-input-meter').on('change', () => eachRow((row) => suggest(row, lists)));
    $('#node-input-prm3MinSwitchS').on('change keyup', () => eachRow(checkRow));
    const list = loadList().editableList({
      addItem: (row, _index, data) => addRow(node, row, data, lists),
      removable: true,
      sortable: true,
      height: 'auto',
    });
    const loads = Array.isArray(node['loads']) ? (node['loads'] as Array<Partial<LoadRow>>) : [];
    for (const load of loads) list.editableList('addItem', load);
  },
  oneditsave() {
    this['loads'] = readRows();
  },
});
