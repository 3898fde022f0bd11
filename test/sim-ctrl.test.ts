import assert from 'node:assert/strict';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim';
import { list, record, SimClient } from './fixtures/sim-client';

const PRM3 = { sn: '00000004' };
const SEED_DEVICE = {
  path: ['net.egauge.slowd', 'USB1'],
  mfg: 'eGauge',
  model: 'PRM3',
  sn: '00000004',
  prot: 'SCPI',
  link: 'serial',
  quality: '1',
  interface: ['relay', 'scpi'],
};

async function devices(client: SimClient, attrs?: unknown): Promise<unknown> {
  const query = attrs === undefined ? '' : `?attrs=${encodeURIComponent(JSON.stringify(attrs))}`;
  return (await client.get(`/ctrl/device${query}`)).body;
}

function sns(body: unknown): unknown[] {
  return list(record(body)['result']).map((device) => record(device)['sn']);
}

describe('simulator: control devices and calls', () => {
  let sim: MeterSimulator;
  let client: SimClient;

  async function start(options: Parameters<typeof startSimulator>[0]): Promise<void> {
    sim = await startSimulator(options);
    client = new SimClient(sim.url);
    await client.login();
  }

  afterEach(async () => {
    await sim.close();
  });

  describe('device listing', () => {
    beforeEach(async () => {
      await start({ minDurationS: 0 });
      sim.addPrm3({ sn: 'B0000002' });
      sim.addPrm3({ sn: 'C0000003', port: 'USB7' });
    });

    it('lists a PRM3 on USB exactly as a meter does', async () => {
      const body = record(await devices(client));
      assert.deepEqual(list(body['result'])[0], SEED_DEVICE);
      assert.deepEqual(sns(body), ['00000004', 'B0000002', 'C0000003']);
      assert.equal(sim.device('B0000002').port, 'USB2', 'ports follow the order of creation');
    });

    it('filters by sn, path, interface and index', async () => {
      assert.deepEqual(sns(await devices(client, { sn: 'B0000002' })), ['B0000002']);
      assert.deepEqual(sns(await devices(client, { path: ['net.egauge.slowd', 'USB7'] })), ['C0000003']);
      assert.deepEqual(sns(await devices(client, { path: ['net.egauge.slowd'] })), [], 'a path matches whole');
      assert.deepEqual(sns(await devices(client, { interface: 'relay' })), ['00000004', 'B0000002', 'C0000003']);
      assert.deepEqual(sns(await devices(client, { interface: 'modbus' })), []);
      assert.deepEqual(sns(await devices(client, { index: 1, interface: 'relay' })), ['B0000002']);
      assert.deepEqual(sns(await devices(client, { index: 5, interface: 'relay' })), []);
      assert.deepEqual(sns(await devices(client, { mfg: 'eGauge', model: 'PRM3', sn: 'C0000003' })), ['C0000003']);
      assert.deepEqual(sns(await devices(client, { model: 'prm3' })), [], 'string equality is exact');
      assert.deepEqual(sns(await devices(client, { colour: 'red' })), [], 'an attribute no device has');
    });

    it('answers invalid attrs with HTTP 200 and an error', async () => {
      for (const query of [
        'attrs=%7Bnope',
        `attrs=${encodeURIComponent('[1]')}`,
        `attrs=${encodeURIComponent('{"index":-1}')}`,
      ]) {
        const reply = await client.get(`/ctrl/device?${query}`);
        assert.equal(reply.status, 200);
        assert.equal(typeof record(reply.body)['error'], 'string', query);
      }
    });

    it('leaves unplugged modules out until they are plugged back', async () => {
      sim.unplug('B0000002');
      assert.equal(sim.device('B0000002').plugged, false);
      assert.deepEqual(sns(await devices(client)), ['00000004', 'C0000003']);
      const refused = await client.post('/ctrl/call', {
        attrs: { sn: 'B0000002' },
        method: 'relay.get_mask',
        args: [],
      });
      assert.deepEqual(refused.body, { error: 'ENODEV: No matching device.' });
      sim.replug('B0000002');
      assert.deepEqual(sns(await devices(client)), ['00000004', 'B0000002', 'C0000003']);
    });

    it('lists modules by port and follows a module that moves or swaps ports', async () => {
      sim.movePrm3('C0000003', 'USB3');
      sim.swapPorts('USB1', 'USB2');
      assert.deepEqual(sns(await devices(client)), ['B0000002', '00000004', 'C0000003']);
      assert.deepEqual(sns(await devices(client, { path: ['net.egauge.slowd', 'USB1'] })), ['B0000002']);
      const moved = await client.post('/ctrl/call', {
        attrs: { path: ['net.egauge.slowd', 'USB1'], sn: '00000004' },
        method: 'relay.get_mask',
        args: [],
      });
      assert.deepEqual(moved.body, { error: 'ENODEV: No matching device.' }, 'path and sn must both match');
      assert.deepEqual(
        await client.call({ path: ['net.egauge.slowd', 'USB2'], sn: '00000004' }, 'relay.get_mask', []),
        { result: 0 },
      );
      assert.throws(() => sim.movePrm3('00000004', 'USB1'), /already has PRM3 B0000002/);
      assert.throws(() => sim.movePrm3('00000004', 'COM1'), /USB port/);
    });

    it('refuses attrs that give path after another attribute', async () => {
      const reply = await client.post('/ctrl/call', {
        attrs: { sn: '00000004', path: ['net.egauge.slowd', 'USB1'] },
        method: 'relay.get_mask',
        args: [],
      });
      assert.match(String(record(reply.body)['error']), /^EINVAL: path must be the first attribute/);
    });

    it('runs a hook right after the next listing is answered, and only once', async () => {
      sim.afterNextDeviceList(() => sim.swapPorts('USB1', 'USB2'));
      assert.deepEqual(
        sns(await devices(client)),
        ['00000004', 'B0000002', 'C0000003'],
        'the listing shows the state before the hook',
      );
      assert.deepEqual(sns(await devices(client)), ['B0000002', '00000004', 'C0000003']);
      assert.deepEqual(sns(await devices(client)), ['B0000002', '00000004', 'C0000003']);
    });

    it('refuses a second module with the same serial number or port', () => {
      assert.throws(() => sim.addPrm3({ sn: 'B0000002' }), /already exists/);
      assert.throws(() => sim.addPrm3({ sn: 'D0000004', port: 'USB7' }), /already has/);
      assert.throws(() => sim.device('nope'), /no PRM3/);
    });
  });

  describe('interfaces', () => {
    beforeEach(() => start({}));

    it('describes relay and scpi with DBus signatures', async () => {
      const result = record(record((await client.get('/ctrl/interface')).body)['result']);
      const signatures = (name: string): string[] =>
        list(record(result[name])['method']).map((entry) => {
          const method = record(entry);
          assert.deepEqual(Object.keys(method).sort(), ['doc', 'in', 'in_names', 'name', 'out']);
          return `${String(method['name'])}(${String(method['in'])})${String(method['out'])}`;
        });
      assert.deepEqual(signatures('relay').sort(), [
        'close(u)',
        'close_mask(u)b',
        'get_mask()u',
        'open(u)',
        'open_mask(u)b',
        'set_mask(u)b',
      ]);
      assert.deepEqual(signatures('scpi'), ['exec(s)s']);
    });

    it('serves parts of the description by path', async () => {
      const relay = record(record((await client.get('/ctrl/interface/relay')).body)['result']);
      assert.ok(Array.isArray(relay['method']));
      assert.deepEqual(await client.get('/ctrl/interface/scpi/method/0/in_names'), {
        status: 200,
        body: { result: ['cmd'] },
      });
      const unknown = await client.get('/ctrl/interface/modbus');
      assert.equal(unknown.status, 200);
      assert.match(String(record(unknown.body)['error']), /Unknown resource/);
      assert.match(String(record((await client.get('/ctrl/interface/constructor')).body)['error']), /Unknown resource/);
    });
  });

  describe('calls', () => {
    beforeEach(() => start({ minDurationS: 0 }));

    it('runs the sequence of the relay control example with its exact results', async () => {
      const listed = list(record(await devices(client))['result']).map(record);
      const onUsb1 = listed.find((device) => list(device['path']).includes('USB1'));
      const attrs = { sn: onUsb1?.['sn'] };
      sim.device('USB1').setMaskDirect(3);
      assert.deepEqual(await client.call(attrs, 'relay.get_mask', []), { result: 3 });
      assert.deepEqual(await client.call(attrs, 'relay.set_mask', [5]), { result: false });
      assert.equal(sim.device('USB1').mask, 5);
      assert.deepEqual(await client.call(attrs, 'scpi.exec', ['MODBus:BAUD 9600']), { result: 'OK\r\n' });
      assert.deepEqual(await client.call(attrs, 'scpi.exec', ['MODBus:BAUD?']), { result: '9600\r\n' });
      assert.equal(sim.device('00000004').baud, 9600);
    });

    it('hands out integer tids above 2^32 and below 2^53', async () => {
      const tids = new Set<number>();
      for (let i = 0; i < 20; i += 1) {
        const tid = await client.issue(PRM3, 'relay.get_mask', []);
        assert.ok(Number.isSafeInteger(tid) && tid > 2 ** 32 && tid < 2 ** 53, String(tid));
        tids.add(tid);
      }
      assert.equal(tids.size, 20);
    });

    it('has the result of a call without latency ready at the very first poll', async () => {
      const tid = await client.issue(PRM3, 'relay.set_mask', [6]);
      assert.deepEqual((await client.get(`/ctrl/call/${tid}`)).body, { result: false });
      assert.deepEqual((await client.get(`/ctrl/call/${tid}`)).body, { result: false }, 'results stay readable');
    });

    const semantics: [string, number, number[], number][] = [
      ['set_mask', 0b101, [0b010], 0b010],
      ['close_mask', 0b001, [0b110], 0b111],
      ['close_mask', 0b011, [0b001], 0b011],
      ['open_mask', 0b111, [0b101], 0b010],
      ['open_mask', 0b000, [0b111], 0b000],
    ];
    for (const [method, start, args, expected] of semantics) {
      it(`relay.${method}(${args.join()}) from mask ${start} gives ${expected} and answers false`, async () => {
        sim.device('USB1').setMaskDirect(start);
        assert.deepEqual(await client.call(PRM3, `relay.${method}`, args), { result: false });
        assert.equal(sim.device('USB1').mask, expected);
      });
    }

    it('closes and opens single relays by 1-based index, answering no result', async () => {
      assert.deepEqual(await client.call(PRM3, 'relay.close', [3]), {});
      assert.equal(sim.device('USB1').mask, 0b100);
      assert.deepEqual(await client.call(PRM3, 'close', [1]), {}, 'a bare method name works too');
      assert.equal(sim.device('USB1').mask, 0b101);
      assert.deepEqual(await client.call(PRM3, 'relay.open', [3]), {});
      assert.equal(sim.device('USB1').mask, 0b001);
      assert.deepEqual(sim.device('USB1').switchCounts, [1, 0, 2]);
    });

    it('reports unknown methods and wrong arguments in the call result', async () => {
      const bad: [string, unknown[], RegExp][] = [
        ['relay.explode', [], /^ENOSYS: /],
        ['modbus.get_mask', [], /^ENOSYS: /],
        ['relay.set_mask', [8], /^EINVAL: /],
        ['relay.set_mask', [-1], /^EINVAL: /],
        ['relay.set_mask', ['5'], /^EINVAL: /],
        ['relay.set_mask', [1.5], /^EINVAL: /],
        ['relay.set_mask', [], /^EINVAL: /],
        ['relay.set_mask', [1, 2], /^EINVAL: /],
        ['relay.get_mask', [1], /^EINVAL: /],
        ['relay.close', [0], /^EINVAL: /],
        ['relay.open', [4], /^EINVAL: /],
        ['scpi.exec', [42], /^EINVAL: /],
      ];
      for (const [method, args, error] of bad) {
        const outcome = await client.call(PRM3, method, args);
        assert.equal(outcome['result'], undefined, method);
        assert.match(String(outcome['error']), error, `${method}(${JSON.stringify(args)})`);
      }
      assert.equal(sim.device('USB1').mask, 0, 'nothing moved');
    });

    it('refuses a malformed call or an unknown device at once, with HTTP 200', async () => {
      for (const body of [
        '{"method":',
        '[]',
        '{"attrs":{},"args":[]}',
        '{"attrs":[],"method":"relay.get_mask","args":[]}',
        '{"method":"relay.get_mask","args":5}',
      ]) {
        const reply = await client.send('POST', '/ctrl/call', body);
        assert.equal(reply.status, 200, body);
        assert.match(String(record(reply.body)['error']), /^EINVAL: /, body);
      }
      const missing = await client.post('/ctrl/call', {
        attrs: { sn: '99999999' },
        method: 'relay.get_mask',
        args: [],
      });
      assert.deepEqual(missing, { status: 200, body: { error: 'ENODEV: No matching device.' } });
    });

    it('answers an unknown tid with an error', async () => {
      for (const tid of ['4294967360', 'abc', '0']) {
        const reply = await client.get(`/ctrl/call/${tid}`);
        assert.equal(reply.status, 200);
        assert.match(String(record(reply.body)['error']), /^ENOENT: /, tid);
      }
    });

    it('addresses the n-th matching device with index', async () => {
      sim.addPrm3({ sn: 'B0000002', mask: 2 });
      assert.deepEqual(await client.call({ index: 1, interface: 'relay' }, 'relay.get_mask', []), { result: 2 });
      assert.deepEqual(await client.call({}, 'relay.get_mask', []), { result: 0 }, 'no attrs: the first device');
    });

    it('logs each call with its method, args and attrs', async () => {
      sim.clearLog();
      await client.call(PRM3, 'relay.set_mask', [5]);
      await client.call({ path: ['net.egauge.slowd', 'USB1'] }, 'scpi.exec', ['*IDN?']);
      const calls = sim.ctrlCalls();
      assert.deepEqual(
        calls.map((entry) => [entry.ctrlMethod, entry.args, entry.attrs, entry.status, entry.authorized]),
        [
          ['relay.set_mask', [5], PRM3, 200, true],
          ['scpi.exec', ['*IDN?'], { path: ['net.egauge.slowd', 'USB1'] }, 200, true],
        ],
      );
      assert.equal(sim.ctrlCalls('scpi.exec').length, 1);
      assert.equal(sim.ctrlCalls('set_mask').length, 0, 'methods match as sent');
      const seqs = sim.log.map((entry) => entry.seq);
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
      assert.ok(
        sim.log.some(
          (entry) => entry.method === 'GET' && entry.path.startsWith('/api/ctrl/call/') && entry.query === '',
        ),
      );
    });
  });

  describe('minimum open and close times', () => {
    let now: number;
    beforeEach(async () => {
      now = 1_700_000_000_000;
      await start({ clock: () => now, minDurationS: 10 });
    });

    it('holds a relay inside its window and lets it move after', async () => {
      assert.deepEqual(await client.call(PRM3, 'relay.set_mask', [7]), { result: false });
      assert.equal(sim.device('USB1').mask, 7, 'fresh relays have no recent change');
      now += 5_000;
      await client.call(PRM3, 'relay.set_mask', [0]);
      assert.equal(sim.device('USB1').mask, 7, 'closed 5 s ago: cannot open yet');
      now += 5_000;
      await client.call(PRM3, 'relay.set_mask', [0]);
      assert.equal(sim.device('USB1').mask, 0, 'after 10 s it opens');
      now += 9_999;
      await client.call(PRM3, 'relay.close_mask', [1]);
      assert.equal(sim.device('USB1').mask, 0, 'opened 9.999 s ago: cannot close yet');
      now += 1;
      await client.call(PRM3, 'relay.close_mask', [1]);
      assert.equal(sim.device('USB1').mask, 1);
      assert.deepEqual(sim.device('USB1').switchCounts, [3, 2, 2]);
    });

    it('moves the relays outside their window and holds only the others', async () => {
      await client.call(PRM3, 'relay.close', [1]);
      now += 3_000;
      await client.call(PRM3, 'relay.set_mask', [0b110]);
      assert.equal(sim.device('USB1').mask, 0b111, 'relay 1 is held closed, relays 2 and 3 closed');
    });

    it('applies per-module durations, and 0 disables them', async () => {
      const module = sim.device('USB1');
      module.minOpenS = 0;
      await client.call(PRM3, 'relay.set_mask', [1]);
      await client.call(PRM3, 'relay.set_mask', [0]);
      assert.equal(module.mask, 1, 'minimum close time still 10 s');
      module.minCloseS = 0;
      await client.call(PRM3, 'relay.set_mask', [0]);
      await client.call(PRM3, 'relay.set_mask', [1]);
      assert.equal(module.mask, 1, 'both disabled: it follows every command');
      sim.addPrm3({ sn: 'B0000002', minOpenS: 0, minCloseS: 0 });
      assert.equal(sim.device('B0000002').minOpenS, 0);
      assert.equal(sim.device('00000004').minCloseS, 0);
    });

    it('lets setMaskDirect ignore the windows and start none', async () => {
      await client.call(PRM3, 'relay.set_mask', [7]);
      sim.device('USB1').setMaskDirect(0);
      assert.equal(sim.device('USB1').mask, 0);
      await client.call(PRM3, 'relay.set_mask', [2]);
      assert.equal(sim.device('USB1').mask, 0, 'the relays opened by a command 0 s ago are still held');
      assert.throws(() => sim.device('USB1').setMaskDirect(8), /0\.\.7/);
    });
  });

  describe('device latency', () => {
    beforeEach(() => start({ minDurationS: 0, deviceLatencyMs: 400 }));

    it('answers EAGAIN while a call runs and runs calls on one device in arrival order', async () => {
      const first = await client.issue(PRM3, 'relay.set_mask', [1]);
      assert.equal(sim.device('USB1').mask, 0, 'a command takes effect when the device is done');
      const second = await client.issue(PRM3, 'relay.set_mask', [2]);
      const read = await client.issue(PRM3, 'relay.get_mask', []);
      assert.deepEqual((await client.get(`/ctrl/call/${read}`)).body, { error: 'EAGAIN: Call is pending.' });
      assert.deepEqual(await client.outcome(read), { result: 2 });
      assert.deepEqual(await client.outcome(first), { result: false });
      assert.deepEqual(await client.outcome(second), { result: false });
      assert.deepEqual(sim.device('USB1').switchCounts, [2, 1, 0]);
    });

    it('takes the latency of each module, so a fast module does not wait for a slow one', async () => {
      sim.addPrm3({ sn: 'FAST', latencyMs: 0 });
      const slow = await client.issue(PRM3, 'relay.get_mask', []);
      const fast = await client.issue({ sn: 'FAST' }, 'relay.get_mask', []);
      assert.deepEqual((await client.get(`/ctrl/call/${fast}`)).body, { result: 0 });
      assert.deepEqual((await client.get(`/ctrl/call/${slow}`)).body, { error: 'EAGAIN: Call is pending.' });
      assert.deepEqual(await client.outcome(slow), { result: 0 });
    });

    it('fails a queued call whose module was unplugged meanwhile', async () => {
      const tid = await client.issue(PRM3, 'relay.set_mask', [3]);
      sim.unplug('00000004');
      assert.match(String((await client.outcome(tid))['error']), /^ENODEV: /);
      assert.equal(sim.device('USB1').mask, 0);
    });

    it('closes promptly with calls still queued', async () => {
      for (let i = 0; i < 5; i += 1) await client.issue(PRM3, 'relay.get_mask', []);
      const started = Date.now();
      await sim.close();
      assert.ok(Date.now() - started < 2_000);
    });
  });
});
