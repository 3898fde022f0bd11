import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../src/errors';
import type { NodeAPI } from '../src/nodes/red';
import { textsOf } from '../src/nodes/texts';

const ROOT = path.resolve(__dirname, '..', '..');
const NODES_SRC = path.join(ROOT, 'src', 'nodes');
const SHARED_SET = 'egauge-meter';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function runtimeLeaves(set: string): string[] {
  const catalogue: unknown = JSON.parse(
    readFileSync(path.join(NODES_SRC, set, 'locales', 'en-US', 'messages.json'), 'utf8'),
  );
  const leaves: string[] = [];
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string') leaves.push(key);
    else if (typeof value === 'object' && value !== null)
      for (const [name, inner] of Object.entries(value)) walk(inner, `${key}.${name}`);
  };
  walk(Reflect.get(Reflect.get(catalogue as object, set) as object, 'runtime'), `${set}.runtime`);
  return leaves;
}

describe('runtime texts', function () {
  const code = sources(NODES_SRC)
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const named = new Set<string>();
  for (const match of code.matchAll(/'([a-z0-9-]+\.runtime\.[A-Za-z0-9.]+)'/g)) named.add(match[1] ?? '');
  for (const match of code.matchAll(/shared\('([A-Za-z0-9.]+)'\)/g))
    named.add(`${SHARED_SET}.runtime.${match[1] ?? ''}`);
  const sets = Object.keys(
    (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { 'node-red': { nodes: object } })['node-red']
      .nodes,
  );
  const leaves = new Set(sets.flatMap(runtimeLeaves));

  it('finds the texts the node code names', function () {
    assert.ok(named.size > 20, `${named.size} texts named`);
  });

  it('has every status text and message the node code names in the en-US catalogues', function () {
    for (const key of named) assert.ok(leaves.has(key), `${key} is in a catalogue`);
  });

  it('has a short status text for every error code, and no other', function () {
    const errorKeys = [...leaves].filter((key) => key.startsWith(`${SHARED_SET}.runtime.error.`));
    assert.deepEqual(
      errorKeys.map((key) => key.slice(`${SHARED_SET}.runtime.error.`.length)).sort(),
      [...ERROR_CODES].sort(),
    );
  });

  it('names every runtime text of the catalogues in the node code', function () {
    for (const key of leaves) {
      if (key.startsWith(`${SHARED_SET}.runtime.error.`)) continue;
      assert.ok(named.has(key), `${key} is used`);
    }
  });

  it('words a status text once per value and still follows every new value', function () {
    const worded: string[] = [];
    const RED = {
      _: (key: string, values?: Record<string, unknown>): string => {
        const text = `${key} ${JSON.stringify(values ?? {})}`;
        worded.push(text);
        return text;
      },
    } as unknown as NodeAPI;
    const texts = textsOf(RED);
    const key = 'load-shedder.runtime.status.power';
    assert.equal(texts(key, { power: '5.8', limit: '6.0' }), `${key} {"power":"5.8","limit":"6.0"}`);
    assert.equal(texts(key, { power: '5.8', limit: '6.0' }), `${key} {"power":"5.8","limit":"6.0"}`);
    assert.equal(worded.length, 1, 'the same status text is worded once');
    for (let i = 0; i < 500; i++) {
      const power = (i / 10).toFixed(1);
      assert.equal(texts(key, { power, limit: '6.0' }), `${key} {"power":"${power}","limit":"6.0"}`);
    }
    assert.equal(texts(key, { power: '5.8', limit: '6.1' }), `${key} {"power":"5.8","limit":"6.1"}`);
  });
});
