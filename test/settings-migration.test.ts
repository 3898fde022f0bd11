/**
 * Flows saved by version 0.1.0 (its examples, and nodes saved by an older editor without the
 * settings added since) load unchanged: every node's settings read today as 0.1.0 read them.
 * test/fixtures/saved-0.1.0/settings.json holds what 0.1.0's readers returned for each node.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readSettings } from '../src/nodes/schema';
import { discoverSettings } from '../src/nodes/prm3-discover/settings';
import { readMeterSettings } from '../src/nodes/egauge-meter/settings';
import { readMaskSettings } from '../src/nodes/prm3-mask/settings';
import { scpiSettings } from '../src/nodes/prm3-scpi/settings';
import { readRegisterSettings } from '../src/nodes/egauge-register/settings';

const SAVED = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'saved-0.1.0');

type Json = Record<string, unknown>;

/** Today's reading of a saved node, in the shape 0.1.0's reader returned. */
const READ_AS_0_1_0: Record<string, (saved: Json) => unknown> = {
  'egauge-meter': (saved) => {
    const { username: _u, password: _p, ...settings } = readMeterSettings(saved, { username: 'owner', password: 'pw' });
    return settings;
  },
  'prm3 mask': readMaskSettings,
  'prm3 scpi': (saved) => {
    const { device, command } = readSettings(scpiSettings, saved);
    return { device, command };
  },
  'prm3 discover': (saved) => {
    const { filter, methods, onDeploy, interval } = readSettings(discoverSettings, saved);
    return { filter, methods, onDeploy, intervalMs: interval };
  },
  'egauge register': readRegisterSettings,
};

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function savedFlow(name: string): Json[] {
  const flow: unknown = JSON.parse(readFileSync(path.join(SAVED, `${name}.json`), 'utf8'));
  assert.ok(Array.isArray(flow));
  return flow.filter(isRecord);
}

describe('flows saved by version 0.1.0', function () {
  const expected: unknown = JSON.parse(readFileSync(path.join(SAVED, 'settings.json'), 'utf8'));
  assert.ok(isRecord(expected));
  const flows = readdirSync(SAVED)
    .filter((f) => f.endsWith('.json') && f !== 'settings.json')
    .map((f) => f.slice(0, -'.json'.length));

  for (const name of flows) {
    it(`${name}: every node reads as 0.1.0 read it`, function () {
      const ours = savedFlow(name).filter((n) => String(n['type']) in READ_AS_0_1_0);
      assert.ok(ours.length > 0, 'the flow has nodes of this package');
      for (const node of ours) {
        const key = `${name}/${String(node['id'])}`;
        const saidThen: unknown = expected[key];
        assert.ok(isRecord(saidThen), `0.1.0's reading of ${key}`);
        assert.equal(saidThen['type'], node['type']);
        const read = READ_AS_0_1_0[String(node['type'])];
        assert.ok(read);
        assert.deepEqual(JSON.parse(JSON.stringify(read(node))), saidThen['settings'], key);
      }
    });
  }

  it('covers every saved node', function () {
    const nodes = flows.flatMap((name) =>
      savedFlow(name)
        .filter((n) => String(n['type']) in READ_AS_0_1_0)
        .map((n) => `${name}/${String(n['id'])}`),
    );
    assert.deepEqual(nodes.sort(), Object.keys(expected).sort());
  });

  it('reads a node saved without a settings version as version 1, and refuses one from a newer package', function () {
    const node = { filter: 'relay', interval: '60' };
    assert.deepEqual(readSettings(discoverSettings, node), readSettings(discoverSettings, { ...node, version: 1 }));
    assert.throws(
      () => readSettings(discoverSettings, { ...node, version: discoverSettings.version + 1 }),
      (e: unknown) => e instanceof Error && /newer version of this package/.test(e.message),
    );
  });
});
