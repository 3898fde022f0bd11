import assert from 'node:assert/strict';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim';
import { list, record, SimClient } from './fixtures/sim-client';

describe('simulator: registers', () => {
  let sim: MeterSimulator;
  let client: SimClient;
  const now = Date.UTC(2024, 5, 1, 12, 0, 0, 250);

  beforeEach(async () => {
    sim = await startSimulator({
      clock: () => now,
      minDurationS: 0,
      baseLoadW: 1000,
      prm3s: [{ sn: 'A1', loadsW: [100, 200, 400] }, { sn: 'B2' }],
    });
    client = new SimClient(sim.url);
    await client.login();
  });
  afterEach(async () => {
    await sim.close();
  });

  async function rates(): Promise<Map<string, unknown>> {
    const body = record((await client.get('/register?rate')).body);
    return new Map(list(body['registers']).map((entry) => [String(record(entry)['name']), record(entry)['rate']]));
  }

  it('lists the registers with type, idx and did, and the time as a decimal string', async () => {
    const body = record((await client.get('/register')).body);
    assert.equal(body['ts'], '1717243200.250');
    const registers = list(body['registers']).map(record);
    assert.deepEqual(registers.slice(0, 5), [
      { name: 'Grid', type: 'P', idx: 0, did: 0 },
      { name: 'Solar', type: 'P', idx: 1, did: 1 },
      { name: 'L1 Voltage', type: 'V', idx: 2, did: 2 },
      { name: 'Frequency', type: 'F', idx: 3, did: 3 },
      { name: 'Load USB1 R1', type: 'P', idx: 4, did: 4 },
    ]);
    assert.deepEqual(registers.map((register) => register['name']).slice(4), [
      'Load USB1 R1',
      'Load USB1 R2',
      'Load USB1 R3',
      'Load USB2 R1',
      'Load USB2 R2',
      'Load USB2 R3',
    ]);
    assert.ok(
      registers.every((register) => !('rate' in register)),
      'no rate unless asked for',
    );
  });

  it('makes Grid follow the closed relays of plugged modules', async () => {
    assert.equal((await rates()).get('Grid'), 1000);
    assert.deepEqual(await client.call({ sn: 'A1' }, 'relay.set_mask', [0b101]), { result: false });
    sim.device('B2').setMaskDirect(0b100);
    const after = await rates();
    assert.equal(after.get('Load USB1 R1'), 100);
    assert.equal(after.get('Load USB1 R2'), 0);
    assert.equal(after.get('Load USB1 R3'), 400);
    assert.equal(after.get('Load USB2 R3'), 3000, 'default loads are 1500, 1500, 3000 W');
    assert.equal(after.get('Grid'), 1000 + 100 + 400 + 3000);
    assert.equal(after.get('L1 Voltage'), 120);
    assert.equal(after.get('Frequency'), 60);
    sim.unplug('B2');
    assert.equal((await rates()).get('Grid'), 1500);
  });

  it('lets Solar production pull Grid below zero, and a pinned Grid stays put', async () => {
    sim.setRegister('Solar', -5000);
    let readings = await rates();
    assert.equal(readings.get('Solar'), -5000);
    assert.equal(readings.get('Grid'), 1000 - 5000);
    sim.setRegister('Grid', 42);
    sim.device('A1').setMaskDirect(7);
    readings = await rates();
    assert.equal(readings.get('Grid'), 42);
    assert.throws(() => sim.setRegister('Heat pump', 1), /no register named "Heat pump"/);
    assert.throws(() => sim.setRegister('Grid', Number.NaN), /finite/);
  });

  it('swings the base load like a household when asked to', async () => {
    await sim.close();
    let clockMs = 0;
    sim = await startSimulator({
      clock: () => clockMs,
      baseLoadW: 2000,
      baseLoadSwing: { amplitudeW: 1500, periodS: 120 },
      prm3s: [{ sn: 'A1' }],
    });
    client = new SimClient(sim.url);
    await client.login();
    assert.equal((await rates()).get('Grid'), 2000);
    clockMs = 30_000; // a quarter period: the peak
    assert.equal((await rates()).get('Grid'), 3500);
    clockMs = 90_000; // three quarters: the trough
    assert.equal((await rates()).get('Grid'), 500);
    sim.device('A1').setMaskDirect(4);
    assert.equal((await rates()).get('Grid'), 3500, 'relay loads come on top of the swing');
    await assert.rejects(startSimulator({ baseLoadSwing: { amplitudeW: 100, periodS: 0 } }), /baseLoadSwing/);
  });

  it('selects registers by idx with reg, however the + arrives', async () => {
    const names = async (query: string): Promise<unknown[]> =>
      list(record((await client.get(`/register?${query}`)).body)['registers']).map((r) => record(r)['name']);
    assert.deepEqual(await names('reg=none+3+0&rate'), ['Grid', 'Frequency']);
    assert.deepEqual(await names('reg=none%2B3%2B0'), ['Grid', 'Frequency']);
    assert.deepEqual(await names('reg=1:3'), ['Solar', 'L1 Voltage', 'Frequency']);
    assert.deepEqual(await names('reg=all-4:9'), ['Grid', 'Solar', 'L1 Voltage', 'Frequency']);
    assert.deepEqual(await names('reg=-1:9'), ['Grid']);
    const one = list(record((await client.get('/register?reg=none+0&rate')).body)['registers']);
    assert.deepEqual(one, [{ name: 'Grid', type: 'P', idx: 0, did: 0, rate: 1000 }]);
  });

  it('answers reg=none with the time only, and bad selections with an error', async () => {
    assert.deepEqual((await client.get('/register?reg=none')).body, { ts: '1717243200.250' });
    for (const query of ['reg=none+99', 'reg=bogus', 'reg=3:1', 'reg=1,2']) {
      const reply = await client.get(`/register?${query}`);
      assert.equal(reply.status, 200);
      assert.equal(typeof record(reply.body)['error'], 'string', query);
    }
  });
});
