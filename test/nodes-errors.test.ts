/**
 * What a Catch node receives from each of this package's nodes: Node-RED's own `msg.error`,
 * whose `code` is the package's code, and the meter, device and operation in `msg.egaugeError`.
 * Real Catch nodes in a real runtime; the same test runs on each Node-RED major CI covers.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import type { MeterSimulator } from '../src/sim/types';
import { normalizeMeterUrl } from '../src/webapi';
import {
  eventually,
  helper,
  wait,
  load,
  meterConfig,
  METER_ID,
  nextMessage,
  PASSWORD,
  simEachTest,
  TAB,
  tab,
  type Msg,
} from './helpers/flow';

const WRONG_PASSWORD = 'Wrong-Pw-5e2b7';

function flow(sim: MeterSimulator, nodes: Record<string, unknown>[]): Record<string, unknown>[] {
  return [
    tab(),
    meterConfig(sim),
    ...nodes.map((n) => ({ z: TAB, meter: METER_ID, wires: [['out']], ...n })),
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
}

interface Expected {
  node: string;
  code: string;
  message: RegExp;
  device?: string;
  operation?: string;
  maybeSent?: boolean;
}

/** The documented shape, checked field by field, and no secret anywhere in the message. */
function assertCaught(sim: MeterSimulator, msg: Msg, expected: Expected): void {
  const error = msg['error'] as Msg;
  const details = msg['egaugeError'] as Msg;
  assert.equal(error['code'], expected.code, 'msg.error.code is the package code');
  assert.match(String(error['message']), expected.message);
  assert.equal((error['source'] as Msg)['id'], expected.node, 'Node-RED names the node');
  assert.ok(details, 'msg.egaugeError is there');
  assert.equal(details['code'], expected.code);
  assert.equal(details['message'], error['message']);
  assert.equal(details['meter'], normalizeMeterUrl(sim.url));
  assert.equal(details['device'], expected.device);
  assert.equal(details['operation'], expected.operation);
  assert.equal(details['maybeSent'], expected.maybeSent ?? false);
  assert.deepEqual(
    Object.keys(details).filter((k) => !['code', 'message', 'meter', 'device', 'operation', 'maybeSent'].includes(k)),
    [],
  );
  assert.equal(msg['_error'], undefined, 'nothing is left where Node-RED moves a node-set msg.error');
  const everything = `${JSON.stringify(msg)}\n${inspect(msg, { depth: 10, showHidden: true })}`;
  for (const secret of [PASSWORD, WRONG_PASSWORD])
    assert.ok(!everything.includes(secret), 'no password in the caught message');
  assert.doesNotMatch(everything, /eyJ[\w-]+\.[\w-]+\.[\w-]+|Bearer /, 'no token in the caught message');
}

describe('errors as Catch nodes receive them', function () {
  let sim: MeterSimulator;

  simEachTest((started) => (sim = started));

  it('prm3 mask, bad input: INPUT, and nothing sent', async function () {
    await load(flow(sim, [{ id: 'mask', type: 'prm3 mask', relays: '1,2', oneLoad: true }]));
    const caught = nextMessage('caught');
    helper.getNode('mask').receive({ payload: { close: [1] }, topic: 'heater' });
    const msg = await caught;
    assertCaught(sim, msg, { node: 'mask', code: 'INPUT', message: /^msg\.payload: relays 1,2 are one load/ });
    assert.equal(msg['topic'], 'heater', 'the rest of the message is kept');
    assert.equal(sim.ctrlCalls().length, 0);
  });

  it('a caught message sent again and then carried out leaves without its old error details', async function () {
    await load(flow(sim, [{ id: 'mask', type: 'prm3 mask', relays: '1,2', oneLoad: true }]));
    const caught = nextMessage('caught');
    helper.getNode('mask').receive({ payload: { close: [1] } });
    const failed = await caught;
    assert.equal((failed['egaugeError'] as Msg)['code'], 'INPUT');
    const out = nextMessage('out');
    helper.getNode('mask').receive({ ...failed, payload: true });
    const done = await out;
    assert.equal(done['mask'], 3);
    assert.equal('egaugeError' in done, false, 'a success does not repeat the earlier failure');
  });

  it('prm3 mask, a device that is not there: DEVICE, naming it', async function () {
    await load(flow(sim, [{ id: 'mask', type: 'prm3 mask', device: 'USB7' }]));
    const caught = nextMessage('caught');
    helper.getNode('mask').receive({ payload: true });
    assertCaught(sim, await caught, {
      node: 'mask',
      code: 'DEVICE',
      message: /USB7/,
      device: 'USB7',
      operation: 'select device',
    });
  });

  it('prm3 mask, the module unplugged: CALL, with the device and the call', async function () {
    await load(flow(sim, [{ id: 'mask', type: 'prm3 mask', device: '00000004', oneLoad: false }]));
    sim.unplug('00000004');
    const caught = nextMessage('caught');
    helper.getNode('mask').receive({ payload: true });
    assertCaught(sim, await caught, {
      node: 'mask',
      code: 'CALL',
      message: /00000004/,
      device: 'sn 00000004',
      operation: 'relay.close_mask',
    });
  });

  it('prm3 scpi, INVALID COMMAND: CALL, with the device and the call', async function () {
    await load(flow(sim, [{ id: 'scpi', type: 'prm3 scpi', device: '', command: '' }]));
    const caught = nextMessage('caught');
    helper.getNode('scpi').receive({ payload: 'FOO:BAR?' });
    assertCaught(sim, await caught, {
      node: 'scpi',
      code: 'CALL',
      message: /INVALID COMMAND/,
      device: '00000004',
      operation: 'scpi.exec',
    });
  });

  it('prm3 discover and egauge register, a wrong password: AUTH, and neither password anywhere', async function () {
    await load(
      flow(sim, [
        { id: 'discover', type: 'prm3 discover' },
        { id: 'reg', type: 'egauge register', registers: ['Grid'] },
      ]),
      {
        [METER_ID]: { username: 'owner', password: WRONG_PASSWORD },
      },
    );
    const fromDiscover = nextMessage('caught');
    helper.getNode('discover').receive({ payload: 'scan' });
    assertCaught(sim, await fromDiscover, { node: 'discover', code: 'AUTH', message: /./, operation: 'login' });
    const fromRegister = nextMessage('caught');
    helper.getNode('reg').receive({ payload: 'now' });
    assertCaught(sim, await fromRegister, { node: 'reg', code: 'AUTH', message: /./, operation: 'login' });
  });

  it('a timed read that fails: the same shape, once per kind of failure', async function () {
    await load(flow(sim, [{ id: 'reg', type: 'egauge register', registers: ['Nope'], interval: 1, onDeploy: true }]));
    const seen: Msg[] = [];
    helper.getNode('caught').on('input', (m: Msg) => seen.push(m));
    await eventually(() => seen.length === 1, 5000, 'caught error');
    assertCaught(sim, seen[0] ?? {}, { node: 'reg', code: 'INPUT', message: /"Nope" not found/ });
    await wait(2300);
    assert.equal(seen.length, 1, 'the same failure on later reads shows on the status only');
  });
});

describe('errors as the README and the help describe them', function () {
  const KEYS = ['code', 'message', 'meter', 'device', 'operation', 'maybeSent'];
  const documents = [
    'README.md',
    ...['prm3-mask', 'prm3-scpi', 'prm3-discover', 'egauge-register'].map((n) => `nodes/locales/en-US/${n}.html`),
  ];

  for (const file of documents) {
    it(`${file} lists the fields msg.egaugeError really has`, function () {
      const text = readFileSync(path.join(__dirname, '..', '..', file), 'utf8');
      const shapes = [...text.matchAll(/msg\.egaugeError = \{([^}]*)\}/g)].map((m) =>
        (m[1] ?? '').split(',').map((k) => k.trim()),
      );
      assert.ok(shapes.length > 0, `${file} documents msg.egaugeError`);
      for (const keys of shapes) {
        for (const key of keys) assert.ok(KEYS.includes(key), `${file}: ${key} is not a field of msg.egaugeError`);
        for (const always of ['code', 'message', 'meter', 'maybeSent'])
          assert.ok(keys.includes(always), `${file}: ${always} is always there`);
      }
    });
  }
});
