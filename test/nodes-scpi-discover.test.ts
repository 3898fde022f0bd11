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
  simEachTest,
  startSim,
  TAB,
  tab,
  wait,
  type Msg,
} from './helpers/flow';

function flow(sim: MeterSimulator, node: Record<string, unknown>): Record<string, unknown>[] {
  return [
    tab(),
    meterConfig(sim),
    { id: 'node', z: TAB, meter: METER_ID, wires: [['out']], ...node },
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
}

async function send(payload: unknown, extra: Msg = {}): Promise<Msg> {
  const reply = nextMessage('out');
  helper.getNode('node').receive({ payload, ...extra });
  return reply;
}

async function sendAndCatch(payload: unknown, extra: Msg = {}): Promise<Msg> {
  const caught = nextMessage('caught');
  helper.getNode('node').receive({ payload, ...extra });
  return caught;
}

describe('prm3 scpi node', function () {
  let sim: MeterSimulator;
  simEachTest((started) => (sim = started));

  it("runs the seed page's baud-rate exchange and strips the CRLF", async function () {
    await load(flow(sim, { type: 'prm3 scpi', device: 'USB1', command: '' }));
    const set = await send('MODBus:BAUD 9600');
    assert.equal(set['payload'], 'OK');
    assert.deepEqual(set['scpi'], { command: 'MODBus:BAUD 9600', raw: 'OK\r\n' });
    const get = await send('MODBus:BAUD?');
    assert.equal(get['payload'], '9600', 'values stay strings');
    assert.deepEqual(get['prm3'], { sn: '00000004' });
    assert.equal(lastStatus('node')?.text, '9600');
  });

  it('executes an array in order and answers with an array', async function () {
    await load(flow(sim, { type: 'prm3 scpi', command: '' }));
    const msg = await send(['MODB:BAUD 4800', 'modb:baud?', '*IDN?']);
    const replies = msg['payload'] as string[];
    assert.equal(replies[0], 'OK');
    assert.equal(replies[1], '4800');
    assert.match(String(replies[2]), /PRM3/);
    assert.deepEqual(
      sim.ctrlCalls('scpi.exec').map((e) => e.args?.[0]),
      ['MODB:BAUD 4800', 'modb:baud?', '*IDN?'],
    );
  });

  it('uses the command fixed in the node over msg.payload', async function () {
    await load(flow(sim, { type: 'prm3 scpi', command: '*IDN?' }));
    const msg = await send('MODBus:BAUD 1200');
    assert.match(String(msg['payload']), /^eGauge,PRM3,00000004/);
    assert.equal(sim.device('USB1').baud, 19200);
  });

  it('turns INVALID COMMAND into an error a Catch node sees', async function () {
    await load(flow(sim, { type: 'prm3 scpi', command: '' }));
    const msg = await sendAndCatch(['*IDN?', 'FOO:BAR', 'MODB:BAUD 1200']);
    assert.equal((msg['error'] as Msg)['code'], 'CALL');
    assert.match(String((msg['error'] as Msg)['message']), /INVALID COMMAND.*FOO:BAR/);
    assert.deepEqual(
      sim.ctrlCalls('scpi.exec').map((e) => e.args?.[0]),
      ['*IDN?', 'FOO:BAR'],
      'stops at the first invalid command',
    );
    assert.deepEqual(lastStatus('node'), { fill: 'red', shape: 'ring', text: 'call failed' });
  });

  const injections: Array<[string, unknown]> = [
    ['a semicolon', '*IDN?;*RST'],
    ['a line feed', 'MODB:BAUD 9600\nRELAY:MASK 7'],
    ['a carriage return', '*IDN?\r'],
    ['a NUL', 'MODB:BAUD?\u0000'],
    ['non-ASCII', 'MODB:BAUD? é'],
    ['63 characters', 'A'.repeat(63)],
    ['a number', 42],
    ['an empty array', []],
  ];
  for (const [what, payload] of injections) {
    it(`refuses ${what} before anything is sent`, async function () {
      await load(flow(sim, { type: 'prm3 scpi', command: '' }));
      const msg = await sendAndCatch(payload);
      assert.equal((msg['error'] as Msg)['code'], 'INPUT');
      assert.match(String((msg['error'] as Msg)['message']), /msg\.payload/);
      assert.equal(sim.ctrlCalls().length, 0);
    });
  }

  it('refuses an invalid fixed command at deploy', async function () {
    await load(flow(sim, { type: 'prm3 scpi', command: 'A;B' }));
    assert.deepEqual(lastStatus('node'), { fill: 'red', shape: 'ring', text: 'invalid settings' });
    assert.equal(helper.getNode('node').listenerCount('input'), 0);
  });
});

describe('prm3 discover node', function () {
  let sim: MeterSimulator;
  beforeEach(async function () {
    sim = await startSim();
  });
  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  it('lists the PRM3s with their port', async function () {
    await load(flow(sim, { type: 'prm3 discover', filter: 'prm3' }));
    const msg = await send(null);
    assert.deepEqual(msg['payload'], [
      {
        sn: '00000004',
        model: 'PRM3',
        mfg: 'eGauge',
        port: 'USB1',
        path: ['net.egauge.slowd', 'USB1'],
        link: 'serial',
        prot: 'SCPI',
        quality: '1',
        interfaces: ['relay', 'scpi'],
      },
    ]);
    assert.equal(msg['meter'], `${sim.url}/api`);
    assert.equal(lastStatus('node')?.text, '1 PRM3');
  });

  it("adds each interface's methods on request", async function () {
    await load(flow(sim, { type: 'prm3 discover', filter: 'prm3', methods: true }));
    const msg = await send(null);
    const device = (msg['payload'] as Msg[])[0];
    const methods = device['methods'] as Record<string, Array<{ name: string }>>;
    assert.ok(methods['relay']?.some((m) => m.name === 'set_mask'));
    assert.ok(methods['scpi']?.some((m) => m.name === 'exec'));
  });

  it('filters by msg.attrs', async function () {
    sim.addPrm3({ sn: 'B0000002', port: 'USB2' });
    await load(flow(sim, { type: 'prm3 discover', filter: 'prm3' }));
    const msg = await send(null, { attrs: { sn: 'B0000002' } });
    assert.deepEqual(
      (msg['payload'] as Msg[]).map((d) => d['sn']),
      ['B0000002'],
    );
    assert.equal(sim.log.filter((e) => e.path === '/api/ctrl/device' && e.query.includes('attrs=')).length, 1);
  });

  it('refuses bad msg.attrs without asking the meter', async function () {
    await load(flow(sim, { type: 'prm3 discover' }));
    sim.clearLog();
    const msg = await sendAndCatch(null, { attrs: { sn: 5 } });
    assert.equal((msg['error'] as Msg)['code'], 'INPUT');
    assert.equal(sim.log.filter((e) => e.path.startsWith('/api/ctrl')).length, 0);
  });

  it('reports added and removed devices on a re-scan', async function () {
    await load(flow(sim, { type: 'prm3 discover' }));
    await send(null);
    sim.addPrm3({ sn: 'B0000002', port: 'USB2' });
    const second = await send(null);
    assert.deepEqual(
      (second['added'] as Msg[]).map((d) => d['sn']),
      ['B0000002'],
    );
    assert.deepEqual(second['removed'], []);
    sim.unplug('00000004');
    const third = await send(null);
    assert.deepEqual(
      (third['removed'] as Msg[]).map((d) => d['sn']),
      ['00000004'],
    );
  });

  it('scans at deploy and then emits only on change', async function () {
    await load(flow(sim, { type: 'prm3 discover', onDeploy: true, interval: 1 }));
    const seen = collect('out');
    await eventually(() => seen.length === 1, 3000, 'deploy scan');
    await wait(1500);
    assert.equal(seen.length, 1, 'an unchanged list is not emitted again');
    sim.addPrm3({ sn: 'B0000002', port: 'USB2' });
    await eventually(() => seen.length === 2, 3000, 'scan after change');
    assert.deepEqual(
      (seen[1]?.['added'] as Msg[]).map((d) => d['sn']),
      ['B0000002'],
    );
  });
});
