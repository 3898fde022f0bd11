/**
 * The editor side of the package: dialogs, help, message catalogues, icons and example flows.
 * The dialogs' bundles run in a sandbox with a small stand-in for the editor's `RED` object, so
 * their definitions, labels and messages are checked; then a real Node-RED loads the package and
 * the dialogs' meter requests (src/editor/meter-api.ts) talk to its admin routes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim/types';
import { readMeterSettings } from '../src/nodes/egauge-meter/settings';
import { readMaskSettings } from '../src/nodes/prm3-mask/settings';
import { scpiSettings } from '../src/nodes/prm3-scpi/settings';
import { readRegisterSettings } from '../src/nodes/egauge-register/settings';
import { validateScpiLine } from '../src/prm3/scpi';
import { normalizeMeterUrl } from '../src/webapi';
import { readSettings, type Setting, type SettingsSchema } from '../src/nodes/schema';
import { discoverSettings } from '../src/nodes/prm3-discover/settings';
import { meterSettings, PASSWORD_PLACEHOLDER } from '../src/nodes/egauge-meter/settings';
import { maskSettings } from '../src/nodes/prm3-mask/settings';
import { registerSettings } from '../src/nodes/egauge-register/settings';
import { connectionTestBody, meterApi, type MeterApi } from '../src/editor/meter-api';
import type { EditorRED } from '../src/editor/red';

/** Node sets whose dialog is built from src/nodes/<set>/: their settings schema. */
const SCHEMAS: Record<string, SettingsSchema<Record<string, Setting<unknown>>>> = {
  'egauge-meter': meterSettings,
  'prm3-mask': maskSettings,
  'prm3-scpi': scpiSettings,
  'prm3-discover': discoverSettings,
  'egauge-register': registerSettings,
};
const readDiscoverSettings = (raw: Json): unknown => readSettings(discoverSettings, raw);
const readScpiSettings = (raw: Json): { command: string } => readSettings(scpiSettings, raw);

const ROOT = path.resolve(__dirname, '..', '..');
const MODULE = '@relayworks/node-red-egauge-prm3';
const CATEGORY = 'eGauge';

type Json = Record<string, unknown>;
type Fn = (...args: unknown[]) => unknown;

interface NodeContract {
  /** Base name of nodes/<file>.html, nodes/<file>.js and the locale files; also the message namespace. */
  file: string;
  type: string;
  config: boolean;
  /** Default value of every setting, or `{ type }` for a reference to a config node. */
  defaults: Record<string, { value: unknown } | { type: string }>;
  credentials?: Record<string, string>;
  /** msg properties the help must list under Inputs and Outputs. */
  inputs: string[];
  outputs: string[];
  /** Status texts the help must explain. */
  statuses: string[];
}

const METER_REF = { type: 'egauge-meter' };

const CONTRACTS: NodeContract[] = [
  {
    file: 'egauge-meter',
    type: 'egauge-meter',
    config: true,
    defaults: {
      name: { value: '' },
      url: { value: '' },
      tls: { type: 'tls-config' },
      verify: { value: true },
      timeout: { value: 10 },
      callTimeout: { value: 30 },
      version: { value: 1 },
    },
    credentials: { username: 'text', password: 'password' },
    inputs: [],
    outputs: [],
    statuses: ['connecting', 'authentication failed', 'meter unreachable'],
  },
  {
    file: 'prm3-mask',
    type: 'prm3 mask',
    config: false,
    defaults: {
      name: { value: '' },
      meter: METER_REF,
      device: { value: '' },
      relays: { value: '1,2,3' },
      oneLoad: { value: true },
      output: { value: 'mask' },
      poll: { value: 0 },
      pollOutput: { value: 'change' },
      mode: { value: 'queue' },
      version: { value: 1 },
    },
    inputs: ['payload', 'topic', 'device'],
    outputs: ['payload', 'mask', 'relays', 'prm3', 'topic'],
    statuses: [
      'set_mask…',
      'mask 5: 1,3 closed',
      'mask 0: all open',
      'held: mask 1, wanted 3',
      'invalid input',
      'call failed',
      'timeout',
      'connecting',
      'authentication failed',
      'meter unreachable',
      'no meter configured',
    ],
  },
  {
    file: 'prm3-scpi',
    type: 'prm3 scpi',
    config: false,
    defaults: {
      name: { value: '' },
      meter: METER_REF,
      device: { value: '' },
      command: { value: '' },
      version: { value: 1 },
    },
    inputs: ['payload', 'device'],
    outputs: ['payload', 'scpi', 'prm3'],
    statuses: ['sending…', 'INVALID COMMAND', 'no meter configured'],
  },
  {
    file: 'prm3-discover',
    type: 'prm3 discover',
    config: false,
    defaults: {
      name: { value: '' },
      meter: METER_REF,
      filter: { value: 'prm3' },
      methods: { value: false },
      onDeploy: { value: false },
      interval: { value: 0 },
      version: { value: 1 },
    },
    inputs: ['payload', 'attrs'],
    outputs: ['payload', 'added', 'removed', 'meter'],
    statuses: ['scanning…', '2 PRM3s', '3 devices', 'no meter configured'],
  },
  {
    file: 'egauge-register',
    type: 'egauge register',
    config: false,
    defaults: {
      name: { value: '' },
      meter: METER_REF,
      registers: { value: [] },
      interval: { value: 0 },
      onDeploy: { value: false },
      version: { value: 1 },
    },
    inputs: ['payload'],
    outputs: ['payload', 'ts', 'registers'],
    statuses: ['Grid 1.2 kW', '3 registers', 'no meter configured'],
  },
];

const OUR_TYPES = CONTRACTS.map((c) => c.type);
const CORE_TYPES = [
  'tab',
  'inject',
  'debug',
  'function',
  'change',
  'switch',
  'catch',
  'status',
  'comment',
  'delay',
  'trigger',
  'link in',
  'link out',
  'join',
  'split',
  'template',
];
const EXAMPLES = ['seed-sequence', 'relay-toggle', 'scpi-console', 'discovery'];

// ---------------------------------------------------------------------------------------------
// Small readers with type guards: everything below comes from files or another JS realm.

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function record(value: unknown, what: string): Json {
  assert.ok(isRecord(value), `${what} must be an object`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what} must be an array`);
  return value as unknown[];
}

function fn(value: unknown, what: string): Fn {
  assert.equal(typeof value, 'function', `${what} must be a function`);
  return value as Fn;
}

function text(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

function json(file: string): unknown {
  return JSON.parse(text(file)) as unknown;
}

/** Values made in the sandbox have that realm's prototypes: compare them as plain JSON. */
function plain(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** The leaf keys of a message catalogue, dotted: `prm3-mask.label.device`. */
function leafKeys(value: unknown, prefix = ''): string[] {
  if (!isRecord(value)) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafKeys(child, prefix === '' ? key : `${prefix}.${key}`));
}

function lookup(catalogue: unknown, key: string): string | undefined {
  let node: unknown = catalogue;
  for (const part of key.split('.')) node = isRecord(node) ? node[part] : undefined;
  return typeof node === 'string' ? node : undefined;
}

function catalogue(file: string): Json {
  return record(json(`nodes/locales/en-US/${file}.json`), `${file}.json`);
}

/** i18next as the editor uses it: `__name__` placeholders and a `_plural` form for count ≠ 1. */
function translator(file: string): (key: unknown, args?: unknown) => string {
  const messages = catalogue(file);
  return (key, args) => {
    assert.equal(typeof key, 'string');
    const name = String(key);
    const values = isRecord(args) ? args : {};
    const plural =
      typeof values['count'] === 'number' && values['count'] !== 1 ? lookup(messages, `${name}_plural`) : undefined;
    const template = plural ?? lookup(messages, name) ?? name;
    return template.replace(/__([A-Za-z0-9]+)__/g, (_m, field: string) => {
      const value = values[field];
      return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    });
  };
}

// ---------------------------------------------------------------------------------------------
// The dialogs' scripts in a sandbox.

interface AjaxOptions {
  url: string;
  type: string;
  data: string;
  contentType: string;
  success: (reply: unknown) => void;
  error: (xhr: { status: number }, status: string) => void;
}

function isAjaxOptions(value: unknown): value is AjaxOptions {
  return (
    isRecord(value) &&
    typeof value['url'] === 'string' &&
    typeof value['type'] === 'string' &&
    typeof value['data'] === 'string' &&
    typeof value['contentType'] === 'string' &&
    typeof value['success'] === 'function' &&
    typeof value['error'] === 'function'
  );
}

interface EditorHelper {
  passwordPlaceholder: string;
  connectionTestBody: typeof connectionTestBody;
  meterRequest: MeterApi['meterRequest'];
  post: MeterApi['post'];
  describeDevice: (device: unknown) => string;
}

interface Sandbox {
  definitions: Map<string, Json>;
  helper: EditorHelper;
}

interface SandboxOptions {
  /** What `RED.nodes.node(id)` finds: the editor's view of other nodes. */
  nodes?: Record<string, Json>;
  /** Where `$.ajax` sends requests; without it, a request fails the test. */
  adminUrl?: string;
}

/** The dialog code of a node set: inline in its .html, or the bundle its .html loads from resources/. */
function editorScripts(file: string): string[] {
  const html = text(`nodes/${file}.html`);
  const inline = [...html.matchAll(/<script\s+type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  const bundled = [
    ...html.matchAll(/<script type="text\/javascript" src="resources\/@[^/]+\/[^/]+\/([^"]+)"><\/script>/g),
  ];
  return [...inline, ...bundled.map((m) => text(`resources/${m[1] ?? ''}`))];
}

/** Where a node set's dialog code is written: its editor.ts, or its hand-written .html. */
function dialogSource(file: string): string {
  if (!SCHEMAS[file]) return text(`nodes/${file}.html`);
  // The helpers every dialog shares speak from the meter's catalogue.
  const shared =
    file === 'egauge-meter'
      ? readdirSync(path.join(ROOT, 'src', 'editor')).map((name) => text(`src/editor/${name}`))
      : [];
  return [text(`src/nodes/${file}/editor.ts`), ...shared].join('\n');
}

function ajaxTo(adminUrl: string | undefined): (options: unknown) => void {
  return (options) => {
    assert.ok(isAjaxOptions(options), 'the dialogs call $.ajax with url, type, data, contentType, success and error');
    assert.ok(adminUrl, `unexpected request to ${options.url}`);
    assert.ok(!options.url.startsWith('/'), 'admin URLs are relative, so they work under any httpAdminRoot');
    fetch(new URL(options.url, adminUrl), {
      method: options.type,
      headers: { 'content-type': options.contentType },
      body: options.data,
    })
      .then(async (res) =>
        res.ok ? options.success(await res.json()) : options.error({ status: res.status }, 'error'),
      )
      .catch(() => options.error({ status: 0 }, 'error'));
  };
}

function loadEditor(options: SandboxOptions = {}): Sandbox {
  const definitions = new Map<string, Json>();
  const fileOfType = new Map(CONTRACTS.map((c) => [c.type, c.file]));
  const red = {
    _: (key: unknown) => String(key),
    nodes: {
      registerType(type: unknown, def: unknown): void {
        assert.equal(typeof type, 'string');
        const definition = record(def, `definition of ${String(type)}`);
        const file = fileOfType.get(String(type));
        assert.ok(file, `unexpected node type ${String(type)}`);
        // The editor gives each definition a translator bound to its node set's catalogue.
        definition['_'] = translator(file);
        definitions.set(String(type), definition);
      },
      getType: (type: unknown) => definitions.get(String(type)) ?? null,
      node: (id: unknown) => options.nodes?.[String(id)] ?? null,
    },
  };
  // The browser's URL: the dialogs check a meter address with the runtime's own parser.
  const context: Json = { RED: red, $: { ajax: ajaxTo(options.adminUrl) }, console, URL };
  context['window'] = context;
  vm.createContext(context);
  for (const contract of CONTRACTS) {
    for (const script of editorScripts(contract.file))
      vm.runInContext(script, context, { filename: `nodes/${contract.file}.html` });
  }
  // The dialogs' meter requests, the same module the bundles hold, with this sandbox's RED and $.ajax.
  const api = meterApi(red as unknown as Pick<EditorRED, 'nodes'>, ajaxTo(options.adminUrl));
  return {
    definitions,
    helper: {
      passwordPlaceholder: PASSWORD_PLACEHOLDER,
      connectionTestBody,
      meterRequest: api.meterRequest,
      post: api.post,
      describeDevice: (device) => {
        assert.ok(isRecord(device) && typeof device['sn'] === 'string', 'a device summary');
        return api.describeDevice({ ...device, sn: device['sn'] });
      },
    },
  };
}

function definitionOf(sandbox: Sandbox, type: string): Json {
  const def = sandbox.definitions.get(type);
  assert.ok(def, `${type} is registered`);
  return def;
}

/** A node as the editor holds it: the definition's defaults plus `overrides`, with the translator. */
function editorNode(def: Json, overrides: Json = {}): Json {
  const node: Json = { id: 'n1', _: def['_'] };
  for (const [key, prop] of Object.entries(record(def['defaults'], 'defaults')))
    node[key] = plain(record(prop, key)['value']);
  return { ...node, ...overrides };
}

/** Whether the dialog accepts a value, the way the editor decides: `required`, then `validate`. */
function editorAccepts(def: Json, key: string, value: unknown): boolean {
  const prop = record(record(def['defaults'], 'defaults')[key], `defaults.${key}`);
  if (prop['required'] === true && value === '') return false;
  if (prop['required'] === false && value === '') return true;
  if (prop['validate'] === undefined) return true;
  const validate = fn(prop['validate'], `${key}.validate`);
  const said = validate.call(editorNode(def), value, {});
  // The editor takes a text as "invalid, because…" only from a validator declaring (value, options);
  // from any other it is a truthy value, so valid.
  if (typeof said === 'string') return validate.length !== 2;
  return Boolean(said);
}

function helpBlock(contract: NodeContract): string {
  const help = text(`nodes/locales/en-US/${contract.file}.html`);
  const escaped = contract.type.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const block = new RegExp(`<script type="text/html" data-help-name="${escaped}">([\\s\\S]*?)</script>`).exec(
    help,
  )?.[1];
  assert.ok(block, `help block for ${contract.type}`);
  return block;
}

/** The text of a help section: from its <h3> to the next one. */
function section(block: string, title: string): string {
  const start = block.indexOf(`<h3>${title}</h3>`);
  assert.ok(start >= 0, `section ${title}`);
  const next = block.indexOf('<h3>', start + 1);
  return block.slice(start, next < 0 ? undefined : next);
}

/** Every translation key an editor file names: `data-i18n` attributes and quoted `ns.a.b` literals. */
function referencedKeys(html: string): string[] {
  const keys = new Set<string>();
  for (const m of html.matchAll(/data-i18n="([^"]+)"/g)) {
    for (const entry of (m[1] ?? '').split(';')) keys.add(entry.replace(/^\[[a-z]+\]/, ''));
  }
  const namespaces = CONTRACTS.map((c) => c.file).join('|');
  for (const m of html.matchAll(
    new RegExp(`["']((?:node-red:)?(?:${namespaces}|common)(?:\\.[A-Za-z0-9_-]+)+)["']`, 'g'),
  ))
    keys.add(m[1] ?? '');
  // A schema's checked settings show `<set>.errors.<setting>` when the dialog refuses a value.
  for (const [file, schema] of Object.entries(SCHEMAS)) {
    if (!html.includes(`src/nodes/${file}/`) && !html.includes(`/${file}.js"`)) continue;
    for (const [key, setting] of Object.entries(schema.settings))
      if (setting.checked) keys.add(`${file}.errors.${key}`);
  }
  // File names such as "egauge-meter.svg" look like keys but are not.
  return [...keys].filter((k) => k !== '' && !/\.(svg|png|html|js|json)$/.test(k));
}

function exampleNodes(name: string): Json[] {
  return list(json(`examples/${name}.json`), `${name}.json`).map((n, i) => record(n, `${name}.json[${i}]`));
}

// ---------------------------------------------------------------------------------------------

describe('editor files', function () {
  let sandbox: Sandbox;
  before(function () {
    sandbox = loadEditor();
  });

  it('lists every node file in package.json, each with its editor .html', function () {
    const pkg = record(json('package.json'), 'package.json');
    const nodes = record(record(pkg['node-red'], 'node-red')['nodes'], 'node-red.nodes');
    for (const contract of CONTRACTS) {
      assert.equal(nodes[contract.file], `nodes/${contract.file}.js`);
      assert.ok(existsSync(path.join(ROOT, 'nodes', `${contract.file}.html`)), `nodes/${contract.file}.html`);
    }
  });

  it("CONTRIBUTING.md's recipe names at most 6 files for a node, the files of src/nodes/prm3-discover/", function () {
    const recipe = /<!-- add-a-node[^>]*-->([\s\S]*?)<!-- \/add-a-node -->/.exec(text('CONTRIBUTING.md'))?.[1];
    assert.ok(recipe, 'the recipe');
    const named = [...recipe.matchAll(/^\d+\. `([^`]+)`/gm)].map((m) => (m[1] ?? '').replace('<set>', 'prm3-discover'));
    assert.ok(named.length > 0 && named.length <= 6, `${named.length} files: ${named.join(', ')}`);
    const folder = 'src/nodes/prm3-discover';
    const files = readdirSync(path.join(ROOT, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
    assert.deepEqual(files.sort(), named.filter((f) => f.startsWith(`${folder}/`)).sort());
    assert.ok(named.includes('package.json'));
    const pkg = record(json('package.json'), 'package.json');
    assert.equal(
      record(record(pkg['node-red'], 'node-red')['nodes'], 'nodes')['prm3-discover'],
      'nodes/prm3-discover.js',
    );
  });

  for (const contract of CONTRACTS) {
    describe(contract.type, function () {
      it('registers its type with a literal call, in its category, with its icon', function () {
        const html = dialogSource(contract.file);
        // Tools such as node-red-dev read the type and these properties without running the script.
        assert.ok(html.includes(`RED.nodes.registerType('${contract.type}', {`), 'literal registerType call');
        const def = definitionOf(sandbox, contract.type);
        assert.equal(def['category'], contract.config ? 'config' : CATEGORY);
        const icon = def['icon'];
        assert.equal(typeof icon, 'string');
        // Whether Node-RED finds it there is checked against a running Node-RED below.
        const iconFile = ['nodes/icons', 'icons']
          .map((dir) => path.join(ROOT, dir, String(icon)))
          .find((file) => existsSync(file));
        assert.ok(iconFile, `icon ${String(icon)} exists`);
        assert.match(readFileSync(iconFile, 'utf8'), /<svg[^>]*viewBox="0 0 40 60"/);
        if (!contract.config) {
          assert.equal(def['inputs'], 1);
          assert.equal(def['outputs'], 1);
          assert.equal(def['paletteLabel'], contract.type);
          assert.match(String(def['color']), /^#[0-9A-F]{6}$/i);
        }
      });

      it('has the settings the runtime reads, with their defaults', function () {
        const def = definitionOf(sandbox, contract.type);
        const defaults = record(def['defaults'], 'defaults');
        assert.deepEqual(Object.keys(defaults).sort(), Object.keys(contract.defaults).sort());
        for (const [key, expected] of Object.entries(contract.defaults)) {
          const prop = record(defaults[key], key);
          if ('type' in expected) assert.equal(prop['type'], expected.type, `${key} refers to a ${expected.type} node`);
          else assert.deepEqual(plain(prop['value']), expected.value, `default of ${key}`);
        }
        if (contract.credentials) {
          const credentials = record(def['credentials'], 'credentials');
          for (const [key, kind] of Object.entries(contract.credentials))
            assert.equal(record(credentials[key], key)['type'], kind);
        }
      });

      it('documents every msg property, the details and the status texts in its help', function () {
        const block = helpBlock(contract);
        assert.match(block.trim(), /^<p>[^<]+/, 'one-line summary first');
        const details = section(block, 'Details');
        section(block, 'References');
        if (contract.config) return;
        const inputs = section(block, 'Inputs');
        const outputs = section(block, 'Outputs');
        assert.ok(inputs.includes('<dl class="message-properties">'));
        assert.ok(outputs.includes('<dl class="message-properties">'));
        for (const name of contract.inputs)
          assert.match(
            inputs,
            new RegExp(`<dt( class="optional")?>${name} <span class="property-type">`),
            `input ${name}`,
          );
        for (const name of contract.outputs)
          assert.match(outputs, new RegExp(`<dt>${name} <span class="property-type">`), `output ${name}`);
        for (const status of contract.statuses)
          assert.ok(details.includes(`<code>${status}</code>`), `status "${status}"`);
      });

      it('has every message it names, and names every message it has', function () {
        const html = text(`nodes/${contract.file}.html`) + dialogSource(contract.file);
        const messages = catalogue(contract.file);
        const core = record(json('node_modules/@node-red/nodes/locales/en-US/messages.json'), 'core messages');
        const keys = referencedKeys(html);
        for (const key of keys) {
          if (key.startsWith('node-red:'))
            assert.ok(lookup(core, key.slice('node-red:'.length)), `core message ${key}`);
          else {
            // The editor looks keys up in this node set's catalogue, so they must carry its namespace.
            assert.ok(key.startsWith(`${contract.file}.`), `${key} belongs to another catalogue`);
            assert.ok(lookup(messages, key), `${contract.file}.json has ${key}`);
          }
        }
        // The runtime's texts (status, warnings) are checked against the runtime code in runtime-texts.test.
        for (const key of leafKeys(messages).filter((leaf) => !leaf.startsWith(`${contract.file}.runtime.`))) {
          assert.ok(keys.includes(key.replace(/_plural$/, '')), `${key} is used by ${contract.file}.html`);
        }
      });
    });
  }

  it('uses one colour for the whole palette category', function () {
    const colours = new Set(
      CONTRACTS.filter((c) => !c.config).map((c) => String(definitionOf(sandbox, c.type)['color'])),
    );
    assert.equal(colours.size, 1);
  });

  it('labels nodes by their name, else by what they do', function () {
    const label = (type: string, overrides: Json): unknown => {
      const def = definitionOf(sandbox, type);
      return fn(def['label'], 'label').call(editorNode(def, overrides));
    };
    assert.equal(label('egauge-meter', { url: 'http://192.168.1.50' }), 'http://192.168.1.50');
    assert.equal(label('egauge-meter', { name: 'Shop meter', url: 'http://192.168.1.50' }), 'Shop meter');
    assert.equal(label('prm3 mask', { relays: '1,2' }), 'prm3 relays 1,2');
    assert.equal(label('prm3 mask', { relays: '1,2', name: 'Water heater' }), 'Water heater');
    assert.equal(label('prm3 scpi', { command: '*IDN?' }), '*IDN?');
    assert.equal(label('prm3 scpi', {}), 'prm3 scpi');
    assert.equal(label('prm3 discover', {}), 'prm3 discover');
    assert.equal(label('egauge register', { registers: ['Grid'] }), 'Grid');
    assert.equal(label('egauge register', { registers: ['Grid', 'Solar'] }), '2 registers');
  });

  it("saves defaults the runtime's settings readers accept", function () {
    const defaults = (type: string): Json => editorNode(definitionOf(sandbox, type));
    assert.doesNotThrow(() =>
      readMeterSettings({ ...defaults('egauge-meter'), url: '192.168.1.50' }, { username: 'owner', password: 'pw' }),
    );
    assert.doesNotThrow(() => readMaskSettings(defaults('prm3 mask')));
    assert.doesNotThrow(() => readScpiSettings(defaults('prm3 scpi')));
    assert.doesNotThrow(() => readDiscoverSettings(defaults('prm3 discover')));
    assert.doesNotThrow(() => readRegisterSettings(defaults('egauge register')));
  });

  // The dialogs check a field with the schema's own reader, so they refuse what a deploy refuses;
  // what is left to check is that the bundled dialog says why, in the node's own words.
  for (const [file, schema] of Object.entries(SCHEMAS)) {
    const contract = CONTRACTS.find((c) => c.file === file);
    it(`${contract?.type ?? file}: a refused value shows the catalogue's reason, the default passes`, function () {
      assert.ok(contract);
      const def = definitionOf(sandbox, contract.type);
      const messages = catalogue(file);
      for (const [key, setting] of Object.entries(schema.settings)) {
        if (!setting.checked) continue;
        const validate = fn(record(record(def['defaults'], 'defaults')[key], key)['validate'], `${key}.validate`);
        assert.equal(validate.length, 2, `${key}: the editor shows a reason only from a (value, options) validator`);
        if (setting.required !== true) assert.equal(validate.call(editorNode(def), setting.value, {}), true, key);
        const reason = lookup(messages, `${file}.errors.${key}`);
        assert.ok(reason, `${file}.json has ${file}.errors.${key}`);
        assert.equal(validate.call(editorNode(def), { not: 'a setting' }, {}), reason, key);
      }
    });
  }

  it('builds the connection test from the dialog fields, keeping the password placeholder', function () {
    const body = plain(
      sandbox.helper.connectionTestBody('m1', {
        url: ' http://192.168.1.50 ',
        username: 'owner ',
        password: sandbox.helper.passwordPlaceholder,
        tls: '_ADD_',
        verify: false,
        timeout: '15',
      }),
    );
    assert.deepEqual(body, {
      id: 'm1',
      url: 'http://192.168.1.50',
      username: 'owner',
      password: '__PWRD__',
      tls: '',
      verify: false,
      timeout: 15,
    });
    // A timeout that is not a number goes as typed, so the runtime's answer names the problem.
    const typo = record(
      plain(
        sandbox.helper.connectionTestBody('m1', {
          url: 'meter.local',
          username: 'owner',
          password: 'pw',
          tls: '',
          verify: true,
          timeout: '1O',
        }),
      ),
      'body',
    );
    assert.equal(typo['timeout'], '1O');
    assert.throws(
      () => readMeterSettings({ url: 'meter.local', timeout: typo['timeout'] }, { username: 'owner' }),
      /timeout/,
    );
  });

  it('names a deployed meter to the pickers by its id alone, and sends a changed one with its fields', function () {
    const meter = { id: 'm1', type: 'egauge-meter', url: 'meter.local', verify: true, tls: '', timeout: '10' };
    const deployed = loadEditor({
      nodes: { m1: { ...meter, credentials: { username: 'owner', has_password: true } } },
    });
    assert.deepEqual(plain(deployed.helper.meterRequest('m1', 'devices')), {
      route: 'egauge-meter/devices',
      body: { id: 'm1' },
    });
    assert.deepEqual(plain(deployed.helper.meterRequest('m1', 'registers')), {
      route: 'egauge-meter/registers',
      body: { id: 'm1' },
    });
    const withTyped = loadEditor({
      nodes: { m1: { ...meter, changed: true, credentials: { username: 'owner', password: 'typed-pw' } } },
    });
    assert.deepEqual(plain(withTyped.helper.meterRequest('m1', 'devices')), {
      route: 'egauge-meter/draft/devices',
      body: { id: 'm1', url: 'meter.local', verify: true, timeout: 10, username: 'owner', password: 'typed-pw' },
    });
    const changed = loadEditor({
      nodes: { m1: { ...meter, changed: true, credentials: { username: 'owner', has_password: true } } },
    });
    assert.deepEqual(plain(changed.helper.meterRequest('m1', 'registers')), {
      route: 'egauge-meter/draft/registers',
      body: { id: 'm1', url: 'meter.local', verify: true, timeout: 10, username: 'owner' },
    });
  });

  describe('examples', function () {
    for (const name of EXAMPLES) {
      it(`${name}.json is an importable flow that opens with a comment`, function () {
        const nodes = exampleNodes(name);
        const ids = nodes.map((n) => String(n['id']));
        assert.equal(new Set(ids).size, ids.length, 'unique ids');
        for (const id of ids) assert.match(id, /^[0-9a-f]{16}$/);
        const tab = nodes[0]?.['type'] === 'tab' ? nodes[0] : undefined;
        const body = tab ? nodes.slice(1) : nodes;
        assert.equal(body[0]?.['type'], 'comment', 'starts with a comment node');
        const meters = new Map(nodes.filter((n) => n['type'] === 'egauge-meter').map((n) => [String(n['id']), n]));
        for (const node of nodes) {
          const type = String(node['type']);
          assert.ok(OUR_TYPES.includes(type) || CORE_TYPES.includes(type), `known type ${type}`);
          assert.ok(!('credentials' in node), 'no credentials in an example');
          if (type === 'tab' || type === 'egauge-meter') continue;
          if (tab) assert.equal(node['z'], tab['id'], `${type} ${String(node['id'])} sits on the tab`);
          else assert.equal(typeof node['z'], 'string');
          assert.equal(typeof node['x'], 'number');
          assert.equal(typeof node['y'], 'number');
          for (const port of list(node['wires'], 'wires')) {
            for (const target of list(port, 'wires of one output'))
              assert.ok(ids.includes(String(target)), `wire to ${String(target)}`);
          }
          if (OUR_TYPES.includes(type))
            assert.ok(meters.has(String(node['meter'])), `${type} names a meter in the file`);
        }
        for (const meter of meters.values()) assert.doesNotThrow(() => normalizeMeterUrl(meter['url']));
      });
    }

    it('configures our nodes with settings the editor shows as valid', function () {
      const sandbox = loadEditor();
      for (const name of EXAMPLES) {
        for (const node of exampleNodes(name)) {
          const def = sandbox.definitions.get(String(node['type']));
          if (!def) continue;
          for (const key of Object.keys(record(def['defaults'], 'defaults'))) {
            if (key === 'meter' || key === 'tls') continue;
            assert.ok(
              editorAccepts(def, key, node[key] ?? ''),
              `${name}: ${String(node['type'])} ${String(node['id'])} ${key}`,
            );
          }
        }
      }
    });

    it('configures our nodes with settings the runtime accepts', function () {
      const readers: Record<string, (raw: Json) => unknown> = {
        'egauge-meter': (raw) => readMeterSettings(raw, { username: 'owner', password: 'default' }),
        'prm3 mask': readMaskSettings,
        'prm3 scpi': (raw) => {
          const settings = readScpiSettings(raw);
          if (settings.command !== '') validateScpiLine(settings.command, 'command');
        },
        'prm3 discover': readDiscoverSettings,
        'egauge register': readRegisterSettings,
      };
      for (const name of EXAMPLES) {
        for (const node of exampleNodes(name)) {
          const read = readers[String(node['type'])];
          if (read) assert.doesNotThrow(() => read(node), `${name}: ${String(node['type'])} ${String(node['id'])}`);
        }
      }
    });

    it('tells how to log in to the simulator without storing the password', function () {
      for (const name of EXAMPLES) {
        const comment = exampleNodes(name).find((n) => n['type'] === 'comment');
        assert.match(
          String(comment?.['info']),
          /owner.*default/s,
          `${name}: the first comment names user and password`,
        );
      }
    });

    it('use every device node type', function () {
      const used = new Set(EXAMPLES.flatMap((name) => exampleNodes(name).map((n) => String(n['type']))));
      // The register node's example belongs with the load-shedding flow.
      for (const type of ['egauge-meter', 'prm3 mask', 'prm3 scpi', 'prm3 discover'])
        assert.ok(used.has(type), `${type} appears in an example`);
    });
  });
});

// ---------------------------------------------------------------------------------------------

/** A Node-RED of its own in a child process, loading this package the way users install it. */
const NODE_RED_MAIN = `
const http = require('node:http');
const config = JSON.parse(process.env.EGAUGE_EDITOR_NODE_RED);
const RED = require(require.resolve('node-red', { paths: [config.root] }));
const server = http.createServer((req, res) => RED.httpAdmin(req, res));
RED.init(server, {
  userDir: config.userDir, nodesDir: [config.root], httpAdminRoot: '/', httpNodeRoot: false,
  flowFile: 'flows.json', credentialSecret: 'editor-files-test', uiHost: '127.0.0.1',
  logging: { console: { level: 'warn' } }, editorTheme: { tours: false }, telemetry: { enabled: false },
});
RED.start().then(() => server.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port)));
process.on('SIGTERM', () => RED.stop().then(() => process.exit(0), () => process.exit(1)));
`;

interface RunningNodeRed {
  url: string;
  child: ChildProcess;
  output: () => string;
}

function startNodeRed(userDir: string): Promise<RunningNodeRed> {
  const child = spawn(process.execPath, ['-e', NODE_RED_MAIN], {
    env: { ...process.env, EGAUGE_EDITOR_NODE_RED: JSON.stringify({ root: ROOT, userDir }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const port = /LISTENING (\d+)/.exec(output)?.[1];
      if (port) resolve({ url: `http://127.0.0.1:${port}/`, child, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`Node-RED exited with ${String(code)} before listening:\n${output}`)),
    );
  });
}

async function stopNodeRed(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(forced);
}

async function getJson(base: string, route: string): Promise<unknown> {
  const res = await fetch(new URL(route, base), { headers: { accept: 'application/json' } });
  assert.equal(res.status, 200, `GET ${route}`);
  return (await res.json()) as unknown;
}

describe('editor files in a running Node-RED', function () {
  this.timeout(60_000);
  let sim: MeterSimulator;
  let nodeRed: RunningNodeRed;
  let userDir: string;

  before(async function () {
    sim = await startSimulator({ minDurationS: 0 });
    userDir = mkdtempSync(path.join(tmpdir(), 'egauge-editor-'));
    nodeRed = await startNodeRed(userDir);
  });

  after(async function () {
    if (nodeRed) await stopNodeRed(nodeRed.child);
    if (sim) await sim.close();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
  });

  function editor(nodes: Record<string, Json> = {}): Sandbox {
    return loadEditor({ nodes, adminUrl: nodeRed.url });
  }

  function post(sandbox: Sandbox, route: string, body: unknown): Promise<Json> {
    return new Promise((resolve) => {
      sandbox.helper.post(route, body, (reply: unknown) => resolve(record(plain(reply), `reply of ${route}`)));
    });
  }

  it('loads the five node sets without an error', async function () {
    const sets = list(await getJson(nodeRed.url, 'nodes'), 'node sets');
    for (const contract of CONTRACTS) {
      const set = sets.map((s) => record(s, 'node set')).find((s) => s['id'] === `${MODULE}/${contract.file}`);
      assert.ok(set, `${contract.file} is loaded`);
      assert.equal(
        set['err'],
        undefined,
        `${contract.file} loads without error: ${JSON.stringify(set['err'])}\n${nodeRed.output()}`,
      );
      assert.deepEqual(set['types'], [contract.type]);
    }
  });

  it("serves every node's dialog and help to the editor", async function () {
    const res = await fetch(new URL('nodes', nodeRed.url), { headers: { accept: 'text/html' } });
    const html = await res.text();
    for (const contract of CONTRACTS) {
      if (SCHEMAS[contract.file]) {
        // The dialog's code is a script of the package's resources/, which Node-RED serves beside the editor.
        const src = `resources/${MODULE}/${contract.file}.js`;
        assert.ok(html.includes(`<script type="text/javascript" src="${src}"></script>`), `dialog of ${contract.type}`);
        const script = await fetch(new URL(src, nodeRed.url));
        assert.equal(script.status, 200, `GET ${src}`);
        assert.ok((await script.text()).includes(`RED.nodes.registerType("${contract.type}"`), `${src} registers it`);
      } else assert.ok(html.includes(`RED.nodes.registerType('${contract.type}'`), `dialog of ${contract.type}`);
      assert.ok(html.includes(`data-help-name="${contract.type}"`), `help of ${contract.type}`);
    }
  });

  it('serves the message catalogues', async function () {
    for (const contract of CONTRACTS) {
      const served = await getJson(nodeRed.url, `locales/${MODULE}/${contract.file}?lng=en-US`);
      // Node-RED hands `_plural` keys to the editor's i18next under their newer name, `_other`.
      const expected = leafKeys(catalogue(contract.file)).map((key) => key.replace(/_plural$/, '_other'));
      assert.deepEqual(leafKeys(served).sort(), expected.sort());
    }
  });

  it('serves the icons the nodes use (Node-RED looks for them in nodes/icons)', async function () {
    const icons = record(await getJson(nodeRed.url, 'icons'), 'icons');
    const ours = list(icons[MODULE] ?? [], 'icons of this package');
    const sandbox = loadEditor();
    for (const contract of CONTRACTS) {
      const icon = definitionOf(sandbox, contract.type)['icon'];
      assert.ok(ours.includes(icon), `Node-RED serves ${String(icon)}; it serves ${JSON.stringify(ours)}`);
    }
  });

  it('lists the examples under Import > Examples', async function () {
    const listed = list(await getJson(nodeRed.url, `library/examples/flows/${MODULE}`), 'examples');
    const names = listed.map((e) => String(record(e, 'example')['fn']));
    for (const name of EXAMPLES) assert.ok(names.includes(name), `${name} is listed`);
  });

  it('tests a connection from the dialog fields before the first deploy', async function () {
    const sandbox = editor();
    const body = sandbox.helper.connectionTestBody('new-meter', {
      url: sim.url,
      username: 'owner',
      password: 'default',
      tls: '',
      verify: true,
      timeout: '5',
    });
    const reply = await post(sandbox, 'egauge-meter/test', body);
    assert.equal(reply['ok'], true, JSON.stringify(reply));
    assert.equal(reply['user'], 'owner');
    assert.equal(reply['ctrl'], true);
    const devices = list(reply['devices'], 'devices');
    assert.deepEqual(
      devices.map((d) => sandbox.helper.describeDevice(d)),
      ['PRM3 00000004 on USB1'],
    );
  });

  it('reports a refused login without echoing the password', async function () {
    const sandbox = editor();
    const body = sandbox.helper.connectionTestBody('new-meter', {
      url: sim.url,
      username: 'owner',
      password: 'Wrong-7c1e',
      tls: '',
      verify: true,
      timeout: '5',
    });
    const reply = await post(sandbox, 'egauge-meter/test', body);
    assert.equal(reply['ok'], false);
    assert.equal(reply['code'], 'AUTH');
    assert.equal(typeof reply['error'], 'string');
    assert.ok(!JSON.stringify(reply).includes('Wrong-7c1e'));
  });

  it('uses the stored password when the dialog still shows the placeholder', async function () {
    const meter = {
      id: 'a1b2c3d4e5f60718',
      type: 'egauge-meter',
      name: 'sim',
      url: sim.url,
      tls: '',
      verify: true,
      timeout: '5',
      callTimeout: '10',
    };
    const deploy = await fetch(new URL('flows', nodeRed.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'node-red-api-version': 'v2', 'node-red-deployment-type': 'full' },
      body: JSON.stringify({ flows: [{ ...meter, credentials: { username: 'owner', password: 'default' } }] }),
    });
    assert.equal(deploy.status, 200);
    const sandbox = editor();
    const body = sandbox.helper.connectionTestBody(meter.id, {
      url: sim.url,
      username: 'owner',
      password: sandbox.helper.passwordPlaceholder,
      tls: '',
      verify: true,
      timeout: '5',
    });
    // Node-RED answers a deploy before the new flows have started.
    let reply: Json = {};
    for (let tries = 0; tries < 50 && reply['ok'] !== true; tries++) {
      reply = await post(sandbox, 'egauge-meter/test', body);
      if (reply['ok'] !== true) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(reply['ok'], true, JSON.stringify(reply));
    assert.equal(reply['user'], 'owner');
  });

  it('fills the device picker from a meter that is not deployed yet', async function () {
    const sandbox = editor({
      m9: {
        id: 'm9',
        type: 'egauge-meter',
        changed: true,
        url: sim.url,
        verify: true,
        tls: '',
        timeout: '5',
        credentials: { username: 'owner', password: 'default' },
      },
    });
    const ask = record(sandbox.helper.meterRequest('m9', 'devices'), 'request');
    const reply = await post(sandbox, String(ask['route']), { ...record(ask['body'], 'body'), filter: 'prm3' });
    assert.equal(reply['ok'], true, JSON.stringify(reply));
    const devices = list(reply['devices'], 'devices').map((d) => record(d, 'device'));
    assert.deepEqual(
      devices.map((d) => [d['sn'], d['port']]),
      [['00000004', 'USB1']],
    );
  });

  it('fills the register list with names, types and units', async function () {
    const sandbox = editor({
      m9: {
        id: 'm9',
        type: 'egauge-meter',
        changed: true,
        url: sim.url,
        verify: true,
        tls: '',
        timeout: '5',
        credentials: { username: 'owner', password: 'default' },
      },
    });
    const ask = record(sandbox.helper.meterRequest('m9', 'registers'), 'request');
    const reply = await post(sandbox, String(ask['route']), ask['body']);
    assert.equal(reply['ok'], true, JSON.stringify(reply));
    const registers = list(reply['registers'], 'registers');
    assert.ok(registers.length > 0);
    const power = registers.map((r) => record(r, 'register')).find((r) => r['type'] === 'P');
    assert.ok(power, 'a power register');
    assert.equal(typeof power['name'], 'string');
    assert.equal(power['unit'], 'W');
  });
});
