import assert from 'node:assert/strict';
import type { MeterSimulator } from '../src/sim/types';
import {
  collect,
  eventually,
  exchange,
  helper,
  lastStatus,
  load,
  meterConfig,
  METER_ID,
  nextMessage,
  PASSWORD,
  simEachTest,
  startSim,
  statuses,
  TAB,
  tab,
  wait,
  warnings,
  type Msg,
} from './helpers/flow';

/** `node` overrides the mask node's settings; a setting given as undefined is left out, as in a flow saved without it. */
function maskFlow(sim: MeterSimulator, node: Record<string, unknown> = {}): Record<string, unknown>[] {
  const mask: Record<string, unknown> = {
    id: 'mask',
    type: 'prm3 mask',
    z: TAB,
    meter: METER_ID,
    device: '',
    relays: '1,2,3',
    oneLoad: false,
    output: 'mask',
    poll: 0,
    mode: 'queue',
    wires: [['out']],
    ...node,
  };
  for (const key of Object.keys(mask)) if (mask[key] === undefined) delete mask[key];
  return [
    tab(),
    meterConfig(sim),
    mask,
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
}

function actuations(sim: MeterSimulator): Array<{ method: string; args: unknown[] }> {
  return sim
    .ctrlCalls()
    .filter((e) => e.ctrlMethod !== 'relay.get_mask')
    .map((e) => ({ method: e.ctrlMethod ?? '', args: e.args ?? [] }));
}

async function send(payload: unknown, extra: Msg = {}): Promise<Msg> {
  const reply = nextMessage('out');
  helper.getNode('mask').receive({ payload, ...extra });
  return reply;
}

describe('prm3 mask node', function () {
  let sim: MeterSimulator;

  simEachTest((started) => (sim = started));

  describe('input forms', function () {
    const cases: Array<{
      name: string;
      start: number;
      payload: unknown;
      method: string;
      args: number[];
      mask: number;
    }> = [
      { name: 'true closes the relay set', start: 0, payload: true, method: 'relay.close_mask', args: [7], mask: 7 },
      { name: 'false opens the relay set', start: 7, payload: false, method: 'relay.open_mask', args: [7], mask: 0 },
      { name: '"on" closes', start: 0, payload: 'on', method: 'relay.close_mask', args: [7], mask: 7 },
      { name: '"off" opens', start: 5, payload: 'off', method: 'relay.open_mask', args: [7], mask: 0 },
      { name: '"close" closes', start: 0, payload: 'close', method: 'relay.close_mask', args: [7], mask: 7 },
      { name: '"open" opens', start: 7, payload: 'open', method: 'relay.open_mask', args: [7], mask: 0 },
      { name: 'a number sets the mask', start: 2, payload: 5, method: 'relay.set_mask', args: [5], mask: 5 },
      { name: 'a digit string sets the mask', start: 0, payload: '6', method: 'relay.set_mask', args: [6], mask: 6 },
      { name: '{mask} sets the mask', start: 4, payload: { mask: 3 }, method: 'relay.set_mask', args: [3], mask: 3 },
      {
        name: '{close:[1,3]} closes relays 1 and 3',
        start: 0,
        payload: { close: [1, 3] },
        method: 'relay.close_mask',
        args: [5],
        mask: 5,
      },
      {
        name: '{open:[2]} opens relay 2',
        start: 7,
        payload: { open: [2] },
        method: 'relay.open_mask',
        args: [2],
        mask: 5,
      },
      {
        name: '{relays:{1:true,3:false}} changes both in one set_mask',
        start: 6,
        payload: { relays: { '1': true, '3': false } },
        method: 'relay.set_mask',
        args: [3],
        mask: 3,
      },
      {
        name: 'three booleans set the whole state',
        start: 2,
        payload: [true, false, true],
        method: 'relay.set_mask',
        args: [5],
        mask: 5,
      },
      {
        name: '"toggle" inverts the set in one call',
        start: 5,
        payload: 'toggle',
        method: 'relay.set_mask',
        args: [2],
        mask: 2,
      },
    ];
    for (const c of cases) {
      it(c.name, async function () {
        await load(maskFlow(sim));
        sim.device('USB1').setMaskDirect(c.start);
        sim.clearLog();
        const msg = await send(c.payload);
        assert.deepEqual(actuations(sim), [{ method: c.method, args: c.args }]);
        assert.equal(sim.device('USB1').mask, c.mask);
        assert.equal(msg['payload'], c.mask);
        assert.equal(msg['mask'], c.mask);
        assert.deepEqual(msg['relays'], [Boolean(c.mask & 1), Boolean(c.mask & 2), Boolean(c.mask & 4)]);
        const prm3 = msg['prm3'] as Record<string, unknown>;
        assert.equal(prm3['sn'], '00000004');
        assert.equal(prm3['method'], c.method.replace('relay.', ''));
        assert.equal(prm3['actual'], c.mask);
        assert.equal(prm3['commanded'], c.mask);
        assert.equal(prm3['applied'], true);
        assert.equal(prm3['held'], 0);
        assert.equal(typeof prm3['elapsedMs'], 'number');
        // The state is read back after every change.
        const last = sim.ctrlCalls().at(-1);
        assert.equal(last?.ctrlMethod, 'relay.get_mask');
      });
    }

    it('"get" and msg.topic "get" only read', async function () {
      await load(maskFlow(sim));
      sim.device('USB1').setMaskDirect(3);
      sim.clearLog();
      const a = await send('get');
      const b = await send(undefined, { topic: 'get' });
      assert.equal(a['payload'], 3);
      assert.equal(b['payload'], 3);
      assert.deepEqual(
        sim.ctrlCalls().map((e) => e.ctrlMethod),
        ['relay.get_mask', 'relay.get_mask'],
      );
      assert.equal((a['prm3'] as Msg)['commanded'], null);
    });

    it('keeps msg.topic and other properties', async function () {
      await load(maskFlow(sim));
      const msg = await send(true, { topic: 'heater', extra: 42 });
      assert.equal(msg['topic'], 'heater');
      assert.equal(msg['extra'], 42);
    });
  });

  describe('bad input', function () {
    const bad: unknown[] = [
      8,
      -1,
      1.5,
      'banana',
      '',
      { mask: 9 },
      { close: [4] },
      { foo: 1 },
      [true, false],
      null,
      { relays: { '4': true } },
    ];
    for (const payload of bad) {
      it(`rejects ${JSON.stringify(payload)} with a clear error and sends nothing`, async function () {
        await load(maskFlow(sim));
        sim.clearLog();
        const caught = nextMessage('caught');
        helper.getNode('mask').receive({ payload });
        const msg = await caught;
        const error = msg['error'] as Msg;
        assert.equal(error['code'], 'INPUT');
        assert.match(String(error['message']), /msg\.payload/);
        assert.match(String(error['message']), /true\/false|"on"|mask/);
        assert.equal((msg['egaugeError'] as Msg)['code'], 'INPUT');
        assert.equal(sim.ctrlCalls().length, 0, 'nothing reached the meter');
        assert.deepEqual(lastStatus('mask'), { fill: 'red', shape: 'ring', text: 'invalid input' });
      });
    }
  });

  describe('relay sets', function () {
    it('switches a polyphase set in one call', async function () {
      await load(maskFlow(sim, { relays: '1,2' }));
      sim.clearLog();
      const on = await send('on');
      assert.deepEqual(actuations(sim), [{ method: 'relay.close_mask', args: [3] }]);
      assert.equal(on['payload'], 3);
      sim.clearLog();
      await send('off');
      assert.deepEqual(actuations(sim), [{ method: 'relay.open_mask', args: [3] }]);
    });

    it('leaves relays outside the set alone when setting a mask', async function () {
      await load(maskFlow(sim, { relays: '1,2' }));
      sim.device('USB1').setMaskDirect(4);
      sim.clearLog();
      const msg = await send(1);
      assert.equal(sim.device('USB1').mask, 5);
      assert.deepEqual(actuations(sim), [{ method: 'relay.set_mask', args: [5] }]);
      assert.equal(msg['mask'], 5);
    });

    it('refuses relays the node does not drive', async function () {
      await load(maskFlow(sim, { relays: '3' }));
      sim.clearLog();
      const caught = nextMessage('caught');
      helper.getNode('mask').receive({ payload: { close: [1] } });
      const msg = await caught;
      assert.match(String((msg['error'] as Msg)['message']), /relay 1|relays? 1/);
      assert.equal(sim.ctrlCalls().length, 0);
    });

    it('emits a boolean "all closed" for dashboard switches', async function () {
      await load(maskFlow(sim, { relays: '2,3', output: 'boolean' }));
      const on = await send(true);
      assert.equal(on['payload'], true);
      assert.equal(on['mask'], 6);
      const off = await send(false);
      assert.equal(off['payload'], false);
    });
  });

  describe('one load', function () {
    /** A split-phase load on relays 1 and 2, as the editor saves it, or as saved before the setting existed. */
    const saved = [
      { how: 'with "one load" ticked', node: { relays: '1,2', oneLoad: true } },
      { how: 'saved without the setting', node: { relays: '1,2', oneLoad: undefined } },
    ];
    const partial: unknown[] = [
      { close: [1] },
      { relays: { '2': true } },
      [true, null, null],
      1,
      { mask: 2 },
      { close: [1], open: [2] },
    ];

    for (const { how, node } of saved) {
      for (const payload of partial) {
        it(`${how}: refuses ${JSON.stringify(payload)} for relays 1,2, sends nothing and leaves the relays`, async function () {
          await load(maskFlow(sim, node));
          sim.device('USB1').setMaskDirect(0);
          sim.clearLog();
          const outcome = await exchange('mask', { payload });
          assert.equal(outcome.kind, 'error', 'refused');
          if (outcome.kind !== 'error') return;
          assert.equal(outcome.error.code, 'INPUT');
          assert.match(outcome.error.message, /^msg\.payload: relays 1,2 are one load and switch only together/);
          assert.match(
            outcome.error.message,
            /Accepted: true\/"on"\/"close" or false\/"off"\/"open" \(relays 1,2 together\)/,
          );
          assert.equal(sim.ctrlCalls().length, 0, 'nothing reached the meter');
          assert.equal(sim.device('USB1').mask, 0);
          assert.deepEqual(lastStatus('mask'), { fill: 'red', shape: 'ring', text: 'invalid input' });
        });
      }
    }

    it('switches the whole load in one call', async function () {
      await load(maskFlow(sim, { relays: '1,2', oneLoad: true }));
      sim.device('USB1').setMaskDirect(4);
      sim.clearLog();
      assert.equal((await send({ close: [1, 2] }))['mask'], 7);
      assert.equal((await send(0))['mask'], 4);
      assert.equal((await send([true, true, null]))['mask'], 7);
      assert.deepEqual(actuations(sim), [
        { method: 'relay.close_mask', args: [3] },
        { method: 'relay.set_mask', args: [4] },
        { method: 'relay.close_mask', args: [3] },
      ]);
    });

    it('toggles a load found split to whole: closed when not all of it was', async function () {
      await load(maskFlow(sim, { relays: '1,2', oneLoad: true }));
      sim.device('USB1').setMaskDirect(0b001); // relay 2 opened elsewhere
      sim.clearLog();
      assert.equal((await send('toggle'))['mask'], 0b011);
      assert.equal((await send('toggle'))['mask'], 0b000);
      assert.deepEqual(actuations(sim), [
        { method: 'relay.set_mask', args: [3] },
        { method: 'relay.set_mask', args: [0] },
      ]);
    });

    it('with "one load" unticked, drives each relay on its own', async function () {
      await load(maskFlow(sim, { relays: '1,2', oneLoad: false }));
      sim.device('USB1').setMaskDirect(0);
      sim.clearLog();
      assert.equal((await send({ close: [1] }))['mask'], 1);
      assert.equal((await send({ relays: { '2': true } }))['mask'], 3);
      assert.equal((await send([false, null, null]))['mask'], 2);
      assert.equal((await send('toggle'))['mask'], 1);
      assert.deepEqual(actuations(sim), [
        { method: 'relay.close_mask', args: [1] },
        { method: 'relay.close_mask', args: [2] },
        { method: 'relay.open_mask', args: [1] },
        { method: 'relay.set_mask', args: [1] },
      ]);
    });
  });

  describe('actual state', function () {
    it('reports a command held by the minimum open time as not applied', async function () {
      await sim.close();
      sim = await startSim({ minDurationS: 10 });
      await load(maskFlow(sim));
      await send(true); // all closed now: the minimum close time starts
      const msg = await send(false);
      const prm3 = msg['prm3'] as Msg;
      assert.equal(prm3['applied'], false);
      assert.equal(prm3['commanded'], 0);
      assert.equal(prm3['actual'], 7);
      assert.equal(prm3['held'], 7);
      assert.equal(msg['payload'], 7, 'the output shows the actual state, not the commanded one');
      assert.deepEqual(lastStatus('mask'), { fill: 'yellow', shape: 'dot', text: 'held: mask 7, wanted 0' });
    });

    it('shows the result in a green status', async function () {
      await load(maskFlow(sim));
      await send(5);
      await eventually(() => lastStatus('mask')?.text === 'mask 5: 1,3 closed', 2000, 'green status');
      assert.equal(lastStatus('mask')?.fill, 'green');
    });

    it('shows a blue dot while a slow call is in flight', async function () {
      await sim.close();
      sim = await startSim({ deviceLatencyMs: 300 });
      await load(maskFlow(sim));
      const reply = send('get');
      await eventually(() => lastStatus('mask')?.fill === 'blue', 2000, 'blue status');
      assert.equal(lastStatus('mask')?.text, 'get_mask…');
      await reply;
      assert.equal(lastStatus('mask')?.fill, 'green');
    });
  });

  describe('devices', function () {
    it('uses msg.device when the node is set to "from message"', async function () {
      sim.addPrm3({ sn: 'B0000002', port: 'USB2' });
      await load(maskFlow(sim, { device: 'msg' }));
      const msg = await send(2, { device: 'USB2' });
      assert.equal((msg['prm3'] as Msg)['sn'], 'B0000002');
      assert.equal(sim.device('USB2').mask, 2);
      assert.equal(sim.device('USB1').mask, 0);
      const bySn = await send(4, { device: 'B0000002' });
      assert.equal((bySn['prm3'] as Msg)['sn'], 'B0000002');
    });

    it('requires msg.device when the node takes it from the message', async function () {
      await load(maskFlow(sim, { device: 'msg' }));
      const caught = nextMessage('caught');
      helper.getNode('mask').receive({ payload: true });
      const msg = await caught;
      assert.match(String((msg['error'] as Msg)['message']), /msg\.device/);
      assert.equal(sim.ctrlCalls().length, 0);
    });

    it('ignores a conflicting msg.device with a warning: node settings win', async function () {
      sim.addPrm3({ sn: 'B0000002', port: 'USB2' });
      await load(maskFlow(sim, { device: 'USB1' }));
      const msg = await send(1, { device: 'USB2' });
      assert.equal((msg['prm3'] as Msg)['sn'], '00000004');
      assert.equal(sim.device('USB2').mask, 0);
      assert.equal(warnings('mask').filter((w) => /msg\.device "USB2" ignored/.test(w)).length, 1);
      await send(0, { device: 'USB2' });
      assert.equal(warnings('mask').filter((w) => /ignored/.test(w)).length, 1, 'warned once per value');
    });

    it('addresses a device by serial number', async function () {
      sim.addPrm3({ sn: 'B0000002', port: 'USB2' });
      await load(maskFlow(sim, { device: 'B0000002' }));
      const msg = await send(7);
      assert.equal((msg['prm3'] as Msg)['sn'], 'B0000002');
      assert.deepEqual(
        sim.ctrlCalls().map((e) => e.attrs),
        [{ sn: 'B0000002' }, { sn: 'B0000002' }],
      );
    });

    it('reports a device that is not there to a Catch node', async function () {
      await load(maskFlow(sim, { device: 'USB7' }));
      const caught = nextMessage('caught');
      helper.getNode('mask').receive({ payload: true });
      const msg = await caught;
      assert.equal((msg['error'] as Msg)['code'], 'DEVICE');
      assert.match(String((msg['error'] as Msg)['message']), /USB7/);
      assert.equal(sim.ctrlCalls().length, 0);
    });

    it("surfaces the meter's own error when the device is unplugged", async function () {
      await load(maskFlow(sim, { device: '00000004' }));
      sim.unplug('00000004');
      const caught = nextMessage('caught');
      helper.getNode('mask').receive({ payload: true });
      const msg = await caught;
      assert.equal((msg['error'] as Msg)['code'], 'CALL');
      assert.equal((msg['egaugeError'] as Msg)['device'], 'sn 00000004');
    });
  });

  describe('polling', function () {
    it('emits at start and then only when the state changes', async function () {
      await load(maskFlow(sim, { poll: 1 }));
      const seen = collect('out');
      await eventually(() => seen.length === 1, 3000, 'first poll');
      assert.equal(seen[0]?.['payload'], 0);
      assert.equal((seen[0]?.['prm3'] as Msg)['poll'], true);
      await wait(1300);
      assert.equal(seen.length, 1, 'no output while nothing changed');
      sim.device('USB1').setMaskDirect(6); // changed elsewhere
      await eventually(() => seen.length === 2, 3000, 'poll after change');
      assert.equal(seen[1]?.['payload'], 6);
      assert.deepEqual(actuations(sim), [], 'polling never actuates');
    });

    it('emits on every poll when asked to', async function () {
      await load(maskFlow(sim, { poll: 1, pollOutput: 'always' }));
      const seen = collect('out');
      await eventually(() => seen.length >= 2, 4000, 'two polls');
    });
  });

  describe('lifecycle', function () {
    it('sends nothing after a redeploy that happens during a call', async function () {
      await sim.close();
      sim = await startSim({ deviceLatencyMs: 400 });
      await load(maskFlow(sim));
      const seen = collect('out');
      const caught = collect('caught');
      helper.getNode('mask').receive({ payload: true });
      await eventually(() => sim.ctrlCalls().length === 1, 2000, 'call sent');
      await helper.unload();
      await wait(800);
      assert.equal(seen.length, 0);
      assert.equal(caught.length, 0);
      assert.equal(sim.ctrlCalls('relay.close_mask').length, 1, 'the command was sent once, never repeated');
    });

    it('shows the missing meter and registers no input handler', async function () {
      await load(
        [
          tab(),
          { id: 'mask', type: 'prm3 mask', z: TAB, meter: 'nope', wires: [['out']] },
          { id: 'out', type: 'helper', z: TAB },
        ],
        {},
      );
      assert.deepEqual(lastStatus('mask'), { fill: 'red', shape: 'ring', text: 'no meter configured' });
      assert.equal(helper.getNode('mask').listenerCount('input'), 0);
    });

    it('reports authentication failures on the status', async function () {
      await load(maskFlow(sim), { [METER_ID]: { username: 'owner', password: 'Wrong-Pw-91x' } });
      const caught = nextMessage('caught');
      helper.getNode('mask').receive({ payload: 'get' });
      const msg = await caught;
      assert.equal((msg['error'] as Msg)['code'], 'AUTH');
      assert.ok(!JSON.stringify(msg).includes('Wrong-Pw-91x'), 'the password never appears');
      assert.ok(statuses('mask').some((s) => s.text === 'authentication failed'));
    });
  });

  describe('latest wins', function () {
    it('replaces waiting commands, which end without output, and ends in the last state', async function () {
      await sim.close();
      sim = await startSim({ deviceLatencyMs: 80 });
      const flow = [
        ...maskFlow(sim, { mode: 'latest' }),
        { id: 'complete', type: 'complete', z: TAB, scope: ['mask'], uncaught: false, wires: [['completed']] },
        { id: 'completed', type: 'helper', z: TAB },
      ];
      await load(flow);
      const seen = collect('out');
      const completed = collect('completed');
      const node = helper.getNode('mask');
      for (const payload of [1, 2, 3, 4, 5]) node.receive({ payload, topic: String(payload) });
      await eventually(() => completed.length === 5, 8000, 'every message ended');
      assert.equal(sim.device('USB1').mask, 5);
      assert.deepEqual(
        sim.ctrlCalls('relay.set_mask').map((e) => e.args),
        [[1], [5]],
      );
      assert.deepEqual(
        seen.map((m) => m['topic']),
        ['1', '5'],
        'only commands that ran are sent on',
      );
      assert.deepEqual(
        seen.map((m) => (m['prm3'] as Msg)['replaced']),
        [undefined, 3],
        'the last command counts the ones it replaced',
      );
      assert.deepEqual(completed.map((m) => m['topic']).sort(), ['1', '2', '3', '4', '5']);
      for (const m of seen) assert.equal(typeof m['mask'], 'number');
    });
  });

  describe('credentials', function () {
    it('never shows the password in messages or statuses', async function () {
      await load(maskFlow(sim));
      const msg = await send(3);
      const everything = JSON.stringify([msg, statuses('mask'), warnings('mask')]);
      assert.ok(!everything.includes(PASSWORD));
    });
  });
});
