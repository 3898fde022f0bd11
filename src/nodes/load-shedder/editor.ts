/** The `load shedder` dialog: defaults and validators from the node's settings schema, and an editable list of loads. */
import { editorDefaults } from '../../editor/defaults';
import type { EditorNode } from '../../editor/red';
import { loadShedderSettings, type LoadRow } from './settings';

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

function addRow(node: EditorNode, row: JQuery, data: Partial<LoadRow>): void {
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
}

function readRows(): Array<Record<string, unknown>> {
  const rows: Array<Record<string, unknown>> = [];
  loadList()
    .editableList('items')
    .each(function (this: HTMLElement) {
      const row = $(this);
      const value = (cls: string): string => String(row.find(`.load-${cls}`).val() ?? '').trim();
      const number = (cls: string): number | string => {
        const v = value(cls);
        return v === '' || Number.isNaN(Number(v)) ? v : Number(v);
      };
      rows.push({
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
      });
    });
  return rows;
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
    const list = loadList().editableList({
      addItem: (row, _index, data) => addRow(node, row, data),
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
