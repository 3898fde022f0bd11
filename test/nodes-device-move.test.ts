import assert from 'node:assert/strict';
import type { MeterSimulator } from '../src/sim/types';
import {
  eventually,
  helper,
  load,
  meterConfig,
  METER_ID,
  nextMessage,
  simEachTest,
  TAB,
  tab,
  type Msg,
} from './helpers/flow';

const A = '00000004';
const B = 'B0000002';

function flow(sim: MeterSimulator, type: 'prm3 mask' | 'prm3 scpi', device: string): Record<string, unknown>[] {
  const node =
    type === 'prm3 mask'
      ? {
          id: 'node',
          type,
          z: TAB,
          meter: METER_ID,
          device,
          relays: '1,2,3',
          oneLoad: false,
          output: 'mask',
          poll: 0,
          mode: 'queue',
          wires: [['out']],
        }
      : { id: 'node', type, z: TAB, meter: METER_ID, device, command: '', wires: [['out']] };
  return [
    tab(),
    meterConfig(sim),
    node,
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
}

function send(payload: unknown): Promise<Msg> {
  const reply = nextMessage('out');
  helper.getNode('node').receive({ payload });
  return reply;
}

function fail(payload: unknown): Promise<Msg> {
  const caught = nextMessage('caught');
  helper.getNode('node').receive({ payload });
  return caught;
}

function snOf(msg: Msg): unknown {
  return (msg['prm3'] as Msg)['sn'];
}

describe('devices chosen by port or as "first PRM3" when modules move', function () {
  let sim: MeterSimulator;

  simEachTest((started) => {
    sim = started;
    started.addPrm3({ sn: B, port: 'USB2' });
  });

  it('a node set to USB1 switches the module that is on USB1 after the modules were swapped', async function () {
    await load(flow(sim, 'prm3 mask', 'USB1'));
    assert.equal(snOf(await send(1)), A);
    assert.equal(sim.device(A).mask, 1);
    sim.swapPorts('USB1', 'USB2');
    const countsOfA = sim.device(A).switchCounts;

    const msg = await send(6);

    assert.equal(snOf(msg), B, 'the output names the module that was switched');
    assert.equal(sim.device(B).mask, 6, 'the module now on USB1 switched');
    assert.equal(sim.device(A).mask, 1, 'the module that moved to USB2 kept its state');
    assert.deepEqual(sim.device(A).switchCounts, countsOfA);
    assert.equal(msg['payload'], 6);
  });

  it('holds when the modules are swapped right after the node listed them', async function () {
    await load(flow(sim, 'prm3 mask', 'USB1'));
    sim.afterNextDeviceList(() => sim.swapPorts('USB1', 'USB2'));

    const msg = await send(5);

    assert.equal(snOf(msg), B);
    assert.equal(sim.device(B).mask, 5);
    assert.equal(sim.device(A).mask, 0);
    assert.deepEqual(sim.device(A).switchCounts, [0, 0, 0], 'nothing ever reached the module that left USB1');
    const setMasks = sim.ctrlCalls('relay.set_mask');
    // The first attempt named the module the listing showed, on its path; the meter matched nothing.
    assert.deepEqual(
      setMasks.map((entry) => entry.attrs),
      [
        { path: ['net.egauge.slowd', 'USB1'], sn: A },
        { path: ['net.egauge.slowd', 'USB1'], sn: B },
      ],
    );
    assert.deepEqual(
      setMasks.map((entry) => Object.keys(entry.attrs ?? {})[0]),
      ['path', 'path'],
      'path comes first',
    );
  });

  it('"first PRM3" is the first module the meter lists when the command runs', async function () {
    await load(flow(sim, 'prm3 mask', ''));
    assert.equal(snOf(await send(1)), A);
    sim.swapPorts('USB1', 'USB2');

    const msg = await send(2);

    assert.equal(snOf(msg), B);
    assert.equal(sim.device(B).mask, 2);
    assert.equal(sim.device(A).mask, 1);
  });

  it('"first PRM3" holds when the modules are swapped right after the listing', async function () {
    await load(flow(sim, 'prm3 mask', ''));
    sim.afterNextDeviceList(() => sim.swapPorts('USB1', 'USB2'));

    const msg = await send(3);

    assert.equal(snOf(msg), B);
    assert.equal(sim.device(B).mask, 3);
    assert.deepEqual(sim.device(A).switchCounts, [0, 0, 0]);
  });

  it('a node set to a serial number follows its module to the other port', async function () {
    await load(flow(sim, 'prm3 mask', A));
    assert.equal(snOf(await send(1)), A);
    sim.swapPorts('USB1', 'USB2');

    const msg = await send(5);

    assert.equal(snOf(msg), A);
    assert.equal(sim.device(A).mask, 5);
    assert.equal(sim.device(A).port, 'USB2');
    assert.deepEqual(sim.device(B).switchCounts, [0, 0, 0]);
  });

  it('switches nothing when the port is left empty, and says which modules it found', async function () {
    await load(flow(sim, 'prm3 mask', 'USB1'));
    assert.equal(snOf(await send(1)), A);
    sim.movePrm3(A, 'USB3');

    const msg = await fail(0);

    const error = msg['error'] as Msg;
    assert.equal(error['code'], 'DEVICE');
    assert.match(String(error['message']), /no PRM3 on USB1/);
    assert.match(String(error['message']), /00000004 on USB3/);
    assert.equal(sim.device(A).mask, 1);
    assert.deepEqual(sim.device(B).switchCounts, [0, 0, 0]);
  });

  it('never repeats a command the meter accepted, even if the module moves before the read-back', async function () {
    sim.device(A).latencyMs = 400;
    await load(flow(sim, 'prm3 mask', 'USB1'));
    const caught = nextMessage('caught');
    helper.getNode('node').receive({ payload: 7 });
    await eventually(() => sim.ctrlCalls('relay.set_mask').length === 1, 5000, 'set_mask accepted');
    sim.swapPorts('USB1', 'USB2');

    const msg = await caught;

    assert.equal((msg['error'] as Msg)['code'], 'CALL', 'the read-back found no module on the path');
    assert.match(String((msg['error'] as Msg)['message']), /relay\.set_mask \[7\] was sent: check the relays/);
    assert.equal(
      (msg['egaugeError'] as Msg)['maybeSent'],
      true,
      'a flow can tell the command may have reached the meter',
    );
    await eventually(() => sim.device(A).mask === 7, 5000, 'the accepted command completes');
    assert.equal(sim.ctrlCalls('relay.set_mask').length, 1, 'sent once');
    assert.equal(sim.device(B).mask, 0);
    assert.deepEqual(sim.device(B).switchCounts, [0, 0, 0]);
  });

  it('a prm3 scpi node set to USB1 talks to the module now on USB1, also when swapped right after the listing', async function () {
    await load(flow(sim, 'prm3 scpi', 'USB1'));
    sim.afterNextDeviceList(() => sim.swapPorts('USB1', 'USB2'));

    const msg = await send('*IDN?');

    assert.equal(msg['payload'], `eGauge,PRM3,${B},1.2`);
    assert.equal(snOf(msg), B);
    sim.swapPorts('USB1', 'USB2');
    const again = await send('*IDN?');
    assert.equal(again['payload'], `eGauge,PRM3,${A},1.2`);
    assert.equal(snOf(again), A);
  });
});
