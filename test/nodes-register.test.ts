import assert from 'node:assert/strict';
import type { MeterSimulator } from '../src/sim/types';
import {
  collect,
  eventually,
  helper,
  lastStatus,
  load,
  meterConfig,
  METER_ID,
  nextMessage,
  startSim,
  TAB,
  tab,
  type Msg,
} from './helpers/flow';

function flow(sim: MeterSimulator, node: Record<string, unknown>): Record<string, unknown>[] {
  return [
    tab(),
    meterConfig(sim),
    { id: 'reg', type: 'egauge register', z: TAB, meter: METER_ID, wires: [['out']], ...node },
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
}

async function read(): Promise<Msg> {
  const reply = nextMessage('out');
  helper.getNode('reg').receive({ payload: 'now' });
  return reply;
}

describe('egauge register node', function () {
  let sim: MeterSimulator;
  beforeEach(async function () {
    sim = await startSim({ baseLoadW: 1200, prm3s: [{ sn: '00000004', port: 'USB1', loadsW: [1500, 1500, 3000] }] });
  });
  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  it('reads one register as a number of watts that follows the relays', async function () {
    await load(flow(sim, { registers: ['Grid'] }));
    const before = await read();
    assert.equal(before['payload'], 1200);
    assert.equal(typeof before['ts'], 'number');
    assert.deepEqual(before['registers'], [{ name: 'Grid', type: 'P', unit: 'W', value: 1200 }]);
    assert.equal(lastStatus('reg')?.text, 'Grid 1.2 kW');
    sim.device('USB1').setMaskDirect(4);
    const after = await read();
    assert.equal(after['payload'], 4200);
  });

  it('reads several registers as an object with units', async function () {
    await load(flow(sim, { registers: ['Grid', 'Frequency', 'L1 Voltage'] }));
    const msg = await read();
    const payload = msg['payload'] as Record<string, number>;
    assert.deepEqual(Object.keys(payload), ['Grid', 'Frequency', 'L1 Voltage']);
    assert.deepEqual(
      (msg['registers'] as Msg[]).map((r) => r['unit']),
      ['W', 'Hz', 'V'],
    );
    assert.equal(lastStatus('reg')?.text, '3 registers');
  });

  it('shows export as negative watts', async function () {
    sim.setRegister('Solar', -5000);
    await load(flow(sim, { registers: ['Grid'] }));
    const msg = await read();
    assert.equal(msg['payload'], 1200 - 5000);
  });

  it('names a register that does not exist', async function () {
    await load(flow(sim, { registers: ['Grid', 'Heat pump'] }));
    const caught = nextMessage('caught');
    helper.getNode('reg').receive({ payload: 1 });
    const msg = await caught;
    assert.match(String((msg['error'] as Msg)['message']), /"Heat pump" not found.*Grid/);
  });

  it('reads on a timer', async function () {
    await load(flow(sim, { registers: ['Grid'], interval: 1, onDeploy: true }));
    const seen = collect('out');
    await eventually(() => seen.length >= 2, 4000, 'two timed reads');
  });
});
