/**
 * Where the password and the token can and cannot be found: not through `util.inspect` or
 * `JSON.stringify` of the package's objects after a real login, not in a meter's error text
 * kept on an error, and what a meter's transport settings expose is said once at deploy.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { EgaugeClient, CallError, PermissionError } from '../src/webapi';
import { EgaugeError } from '../src/errors';
import type { MeterSimulator } from '../src/sim/types';
import {
  errors,
  helper,
  load,
  meterConfig,
  METER_ID,
  nextMessage,
  PASSWORD,
  simEachTest,
  TAB,
  tab,
  warnings,
  type Msg,
} from './helpers/flow';

/** Everything `util.inspect` can reach, hidden properties and all. */
function inspected(value: unknown): string {
  return inspect(value, {
    depth: Infinity,
    showHidden: true,
    getters: false,
    maxArrayLength: Infinity,
    maxStringLength: Infinity,
  });
}

/** What a serialiser can reach: `JSON.stringify`, with repeated objects left out instead of throwing. */
function serialised(value: unknown): string {
  const seen = new WeakSet<object>();
  const text: string | undefined = JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[seen]';
      seen.add(v);
    }
    return typeof v === 'bigint' ? String(v) : v;
  });
  return text ?? '';
}

const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

function assertNoSecret(text: string, what: string): void {
  assert.ok(!text.includes(PASSWORD), `${what} shows the password`);
  assert.ok(!JWT.test(text), `${what} shows a token: ${JWT.exec(text)?.[0] ?? ''}`);
}

describe('secrets out of reach', function () {
  let sim: MeterSimulator;

  simEachTest((started) => (sim = started));

  describe('client objects after a real login', function () {
    let client: EgaugeClient;
    beforeEach(async function () {
      client = new EgaugeClient({ url: sim.url, username: 'owner', password: PASSWORD });
      await client.devices();
      await client.call({ sn: '00000004' }, 'relay.get_mask', []);
      assert.equal(sim.logins(), 1);
    });
    afterEach(async function () {
      await client.close();
    });

    it('util.inspect of the client, hidden properties included, shows neither password nor token', function () {
      assertNoSecret(inspected(client), 'util.inspect(client)');
    });

    it('JSON.stringify of the client shows neither password nor token', function () {
      assertNoSecret(serialised(client), 'JSON.stringify(client)');
    });

    it('nor does any of its parts', function () {
      for (const [name, part] of Object.entries(client)) {
        assertNoSecret(inspected(part), `util.inspect(client.${name})`);
        assertNoSecret(serialised(part), `JSON.stringify(client.${name})`);
      }
    });
  });

  it('the deployed meter node and its connection show neither password nor token', async function () {
    await load([
      tab(),
      meterConfig(sim),
      { id: 'scan', type: 'prm3 discover', z: TAB, meter: METER_ID, wires: [['out']] },
      { id: 'out', type: 'helper', z: TAB },
    ]);
    const reply = nextMessage('out');
    helper.getNode('scan').receive({});
    await reply;
    const node = helper.getNode(METER_ID) as unknown as { connection: unknown; credentials: unknown };
    assertNoSecret(inspected(node.connection), 'util.inspect(meter.connection)');
    assertNoSecret(serialised(node.connection), 'JSON.stringify(meter.connection)');
    assertNoSecret(inspected(node.credentials), 'util.inspect(meter.credentials)');
  });

  describe('a meter that repeats secrets in its error texts', function () {
    const FAULT = 'refused: token {token} for password {password}';

    it('finds them blanked in the message and in the meter text kept on the error', async function () {
      const client = new EgaugeClient({ url: sim.url, username: 'owner', password: PASSWORD });
      try {
        await client.rights();
        sim.faults.errorText = FAULT;
        const error = await client.registers().then(
          () => assert.fail('the registers call should fail'),
          (thrown: unknown) => thrown,
        );
        assert.ok(error instanceof CallError, String(error));
        assert.match(error.message, /\[token\]/);
        assert.match(error.message, /\[password\]/);
        assert.equal(error.meterText, 'refused: token [token] for password [password]');
        assertNoSecret(error.message, 'the message');
        assertNoSecret(error.meterText, 'meterText');
        assertNoSecret(inspected(error), 'util.inspect(error)');
        assertNoSecret(serialised(error), 'JSON.stringify(error)');
      } finally {
        sim.faults.errorText = null;
        await client.close();
      }
    });

    it('keeps them out of a refusal that wraps the meter text as its cause', async function () {
      sim.setUser({ username: 'viewer', password: PASSWORD, rights: ['view'] });
      const client = new EgaugeClient({ url: sim.url, username: 'viewer', password: PASSWORD });
      try {
        await client.rights();
        sim.faults.errorText = FAULT;
        const error = await client.call({ sn: '00000004' }, 'relay.get_mask', []).then(
          () => assert.fail('the call should fail'),
          (thrown: unknown) => thrown,
        );
        assert.ok(error instanceof EgaugeError, String(error));
        assertNoSecret(inspected(error), 'util.inspect(error)');
        if (error instanceof PermissionError) assert.ok(error.cause instanceof CallError);
      } finally {
        sim.faults.errorText = null;
        await client.close();
      }
    });

    it('a flow sees them blanked in msg.error and the log', async function () {
      await load([
        tab(),
        meterConfig(sim),
        {
          id: 'mask',
          type: 'prm3 mask',
          z: TAB,
          meter: METER_ID,
          device: '00000004',
          relays: '1,2,3',
          output: 'mask',
          poll: 0,
          mode: 'queue',
          x: 100,
          y: 100,
          wires: [['out']],
        },
        { id: 'out', type: 'helper', z: TAB },
        { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper', z: TAB },
      ]);
      const warm = nextMessage('out');
      helper.getNode('mask').receive({ payload: 'get' });
      await warm;
      sim.faults.errorText = FAULT;
      const caught = nextMessage('caught');
      helper.getNode('mask').receive({ payload: 'get' });
      const msg: Msg = await caught;
      sim.faults.errorText = null;
      assertNoSecret(inspected(msg), 'the caught message');
      assertNoSecret(errors('mask').join('\n'), "the node's logged errors");
      assert.match(inspected(msg), /\[password\]/);
    });
  });

  describe('transport warnings at deploy', function () {
    it('warns once that a plain http:// meter lets the token and the login digest be read', async function () {
      await load([tab(), meterConfig(sim)]);
      const said = warnings(METER_ID);
      assert.equal(said.length, 1, said.join('\n'));
      assert.match(said[0] ?? '', /plain HTTP: the login digest and the bearer token cross the network readable/);
      assert.match(said[0] ?? '', /try passwords against the digest offline/);
      assert.match(said[0] ?? '', /https:\/\//);
    });

    it('warns once that certificate verification off is insecure', async function () {
      await load([
        tab(),
        {
          id: METER_ID,
          type: 'egauge-meter',
          url: 'https://meter.example',
          verify: false,
          timeout: 5,
          callTimeout: 10,
        },
      ]);
      const said = warnings(METER_ID);
      assert.equal(said.length, 1, said.join('\n'));
      assert.match(said[0] ?? '', /without certificate verification, which is insecure/);
    });

    it('says nothing for https:// with verification on', async function () {
      await load([
        tab(),
        { id: METER_ID, type: 'egauge-meter', url: 'https://meter.example', verify: true, timeout: 5, callTimeout: 10 },
      ]);
      assert.deepEqual(warnings(METER_ID), []);
    });
  });
});
