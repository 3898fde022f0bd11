import assert from 'node:assert/strict';
import { AbortedError, CallError, PermissionError, QueueFullError, TimeoutError } from '../src/webapi';
import { EgaugeError, InputError } from '../src/errors';
import {
  assertNoSecrets,
  collectLog,
  eventually,
  loginSecrets,
  PASSWORD,
  producedErrors,
  producedLogLines,
  rejection,
  SimFixture,
  USERNAME,
} from './helpers/sim-fixture';

const PRM3 = { sn: '00000004' };
const OTHER = { sn: '00000005' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('webapi client: control calls', () => {
  let fx: SimFixture;
  const secrets: string[] = [];

  afterEach(async () => {
    if (fx !== undefined) {
      secrets.push(...loginSecrets(fx.sim));
      await fx.close();
    }
  });

  it('runs the sequence of eGauge’s relay example', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    const devices = await client.devices();
    const relay = devices.find((device) => device.path.includes('USB1'));
    assert.deepEqual(relay, {
      path: ['net.egauge.slowd', 'USB1'],
      mfg: 'eGauge',
      model: 'PRM3',
      sn: '00000004',
      prot: 'SCPI',
      link: 'serial',
      quality: '1',
      interface: ['relay', 'scpi'],
      extra: {},
    });
    const interfaces = await client.interfaces();
    assert.ok(interfaces['relay']?.some((method) => method.name === 'set_mask'));
    assert.ok(interfaces['scpi']?.some((method) => method.name === 'exec'));
    const attrs = { sn: relay?.sn ?? '' };
    assert.equal(await client.call(attrs, 'relay.get_mask', []), 0);
    assert.equal(await client.call(attrs, 'relay.set_mask', [5]), false);
    assert.equal(await client.call(attrs, 'relay.get_mask', []), 5);
    assert.equal(await client.call(attrs, 'scpi.exec', ['MODBus:BAUD 9600']), 'OK\r\n');
    assert.equal(await client.call(attrs, 'scpi.exec', ['MODBus:BAUD?']), '9600\r\n');
    assert.equal(fx.sim.device('00000004').baud, 9600);
  });

  it('filters devices with URL-encoded attrs', async () => {
    fx = await SimFixture.start({ prm3s: [{ sn: '00000004' }, { sn: '00000005' }] });
    const client = fx.client();
    const found = await client.devices({ sn: '00000005' });
    assert.deepEqual(
      found.map((device) => device.sn),
      ['00000005'],
    );
    const request = fx.requests('GET', '/ctrl/device').at(-1);
    assert.equal(decodeURIComponent((request?.query ?? '').replace(/^attrs=/, '')), '{"sn":"00000005"}');
    assert.equal((await client.devices({ interface: 'relay' })).length, 2);
  });

  it('needs exactly one POST and one GET when the result is ready at once', async () => {
    fx = await SimFixture.start({ deviceLatencyMs: 0 });
    const client = fx.client();
    await client.call(PRM3, 'relay.get_mask', []);
    for (let call = 0; call < 5; call++) {
      const before = client.stats();
      await client.call(PRM3, 'relay.get_mask', []);
      const after = client.stats();
      assert.equal(after.requests - before.requests, 2);
      assert.equal(after.polls - before.polls, 1);
      assert.equal(after.calls - before.calls, 1);
    }
  });

  for (const latencyMs of [30, 300]) {
    it(`polls through EAGAIN until a ${latencyMs} ms device answers`, async () => {
      fx = await SimFixture.start({ prm3s: [{ sn: '00000004', latencyMs }] });
      const client = fx.client();
      for (let mask = 1; mask <= 2; mask++) {
        assert.equal(await client.call(PRM3, 'relay.set_mask', [mask]), false);
        assert.equal(await client.call(PRM3, 'relay.get_mask', []), mask);
      }
      const polls = fx.sim.log.filter((entry) => entry.method === 'GET' && entry.path.startsWith('/api/ctrl/call/'));
      assert.equal(polls.length, client.stats().polls);
      assert.ok(polls.length > 4, 'at least one call saw EAGAIN');
      assert.ok(polls.length <= 4 * 12, `${polls.length} polls for 4 calls`);
    });
  }

  it('polls many times for a slow device, and keeps the count bounded', async function () {
    this.timeout(10_000);
    fx = await SimFixture.start({ prm3s: [{ sn: '00000004', latencyMs: 1_000 }] });
    const client = fx.client();
    await client.call(PRM3, 'relay.get_mask', []);
    const polls = client.stats().polls;
    assert.ok(polls >= 5 && polls <= 20, `${polls} polls`);
  });

  it('lets an accepted call take longer than the request timeout: the call timeout bounds the wait', async () => {
    fx = await SimFixture.start({ prm3s: [{ sn: '00000004', latencyMs: 600 }] });
    const client = fx.client({ requestTimeoutMs: 200, callTimeoutMs: 5_000 });
    await client.rights();
    assert.equal(await client.call(PRM3, 'relay.set_mask', [5]), false);
    assert.equal(await client.call(PRM3, 'relay.get_mask', []), 5);
    assert.equal(fx.sim.ctrlCalls('relay.set_mask').length, 1);
  });

  it('gives up after the call timeout and says the call may still complete', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    await client.rights();
    fx.sim.faults.eagainForever = true;
    const started = Date.now();
    const error = await rejection(client.call(PRM3, 'relay.set_mask', [3], { timeoutMs: 300 }), TimeoutError);
    assert.ok(Date.now() - started < 3_000);
    assert.equal(error.maybeSent, true);
    assert.match(error.message, /relay\.set_mask for sn 00000004/);
    assert.match(error.message, /may still complete on the meter/);
    assert.equal(client.state, 'ready', 'a slow device does not make the meter unreachable');
  });

  it('keeps the order of 100 interleaved calls to one device while another device runs in parallel', async function () {
    this.timeout(15_000);
    fx = await SimFixture.start({
      prm3s: [
        { sn: '00000004', latencyMs: 2 },
        { sn: '00000005', latencyMs: 1000 },
      ],
    });
    const client = fx.client({ queueLimit: 128 });
    await client.rights();
    const slow = [client.call(OTHER, 'relay.set_mask', [1]), client.call(OTHER, 'relay.set_mask', [2])];
    const calls: Promise<unknown>[] = [];
    for (let index = 0; index < 50; index++) {
      calls.push(client.call(PRM3, 'relay.set_mask', [index % 8]));
      calls.push(client.call(PRM3, 'relay.get_mask', []));
    }
    const results = await Promise.all(calls);
    // The fast device may finish before the slow one's second call is even sent.
    await Promise.all(slow);
    for (let index = 0; index < 50; index++) {
      assert.equal(results[2 * index], false);
      assert.equal(results[2 * index + 1], index % 8, `get_mask after set_mask ${index % 8}`);
    }
    const sent = fx.acceptedCalls().filter((entry) => entry.attrs?.['sn'] === '00000004');
    assert.deepEqual(
      sent.map((entry) => `${entry.ctrlMethod ?? ''} ${JSON.stringify(entry.args)}`),
      Array.from({ length: 50 }, (_, index) => [`relay.set_mask [${index % 8}]`, 'relay.get_mask []']).flat(),
    );
    const other = fx.acceptedCalls().filter((entry) => entry.attrs?.['sn'] === '00000005');
    const secondSlowSeq = other[1]?.seq ?? 0;
    assert.ok(
      sent.filter((entry) => entry.seq < secondSlowSeq).length > 10,
      'the fast device did not wait behind the slow one',
    );
    assert.deepEqual(await Promise.all(slow), [false, false]);
  });

  it('refuses a call beyond the queue limit at once, and runs the others', async () => {
    fx = await SimFixture.start({ prm3s: [{ sn: '00000004', latencyMs: 100 }] });
    const client = fx.client({ queueLimit: 3 });
    await client.rights();
    const accepted = [1, 2, 3, 4].map((mask) => client.call(PRM3, 'relay.set_mask', [mask]));
    const error = await rejection(client.call(PRM3, 'relay.set_mask', [5]), QueueFullError);
    assert.match(error.message, /sn 00000004/);
    assert.deepEqual(await Promise.all(accepted), [false, false, false, false]);
    assert.deepEqual(
      fx.acceptedCalls('relay.set_mask').map((entry) => entry.args),
      [[1], [2], [3], [4]],
    );
  });

  it('holds the device for a whole withDevice job', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    await client.call(PRM3, 'relay.set_mask', [1]);
    let jobStarted = false;
    const job = client.withDevice(PRM3, async (call) => {
      jobStarted = true;
      const mask = await call('relay.get_mask', []);
      await sleep(50);
      assert.equal(typeof mask, 'number');
      await call('relay.set_mask', [Number(mask) | 2]);
      return call('relay.get_mask', []);
    });
    await eventually(() => jobStarted, 2_000, 'the job to start');
    const outsider = client.call(PRM3, 'relay.set_mask', [0]);
    assert.equal(await job, 3, 'the read-modify-write was not interrupted');
    assert.equal(await outsider, false);
    assert.deepEqual(
      fx.acceptedCalls().map((entry) => `${entry.ctrlMethod ?? ''} ${JSON.stringify(entry.args)}`),
      ['relay.set_mask [1]', 'relay.get_mask []', 'relay.set_mask [3]', 'relay.get_mask []', 'relay.set_mask [0]'],
    );
  });

  it('refuses a device caller used after its job ended', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    let kept: ((method: string, args: unknown[]) => Promise<unknown>) | undefined;
    await client.withDevice(PRM3, (call) => {
      kept = call;
      return Promise.resolve();
    });
    assert.ok(kept !== undefined);
    const error = await rejection(kept('relay.set_mask', [7]), EgaugeError);
    assert.match(error.message, /after its job ended/);
    assert.equal(fx.acceptedCalls().length, 0);
  });

  it('turns a refusal for a user without the ctrl right into PermissionError, asking rights once', async () => {
    fx = await SimFixture.start();
    fx.sim.setUser({ username: USERNAME, password: PASSWORD, rights: ['view'] });
    const client = fx.client();
    const error = await rejection(client.call(PRM3, 'relay.set_mask', [1]), PermissionError);
    assert.match(error.message, /user "owner" lacks the 'ctrl' right/);
    assert.ok(error.message.includes(client.url));
    await rejection(client.call(PRM3, 'relay.get_mask', []), PermissionError);
    assert.equal(fx.requests('GET', '/auth/rights').length, 1, 'rights are cached per token');
    assert.equal(fx.sim.device('00000004').mask, 0);
  });

  it('reports the meter’s own text for a failed call, with the method and device', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    const missing = await rejection(client.call({ sn: '99999999' }, 'relay.get_mask', []), CallError);
    assert.match(missing.message, /relay\.get_mask for sn 99999999/);
    assert.ok(missing.meterText.length > 0);
    assert.ok(missing.message.includes(missing.meterText));
    const badMask = await rejection(client.call(PRM3, 'relay.set_mask', [9]), CallError);
    assert.match(badMask.message, /relay\.set_mask for sn 00000004/);
    assert.equal(client.state, 'ready');
  });

  it('refuses bad input before sending anything', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    const inputs: [string, () => Promise<unknown>][] = [
      ['attrs', () => client.call({}, 'relay.get_mask', [])],
      ['attrs', () => client.call({ serial: '1' } as never, 'relay.get_mask', [])],
      ['attrs', () => client.call({ sn: 4 } as never, 'relay.get_mask', [])],
      ['method', () => client.call(PRM3, 'relay.set mask', [])],
      ['args', () => client.call(PRM3, 'relay.set_mask', 5 as never)],
      ['args', () => client.call(PRM3, 'relay.set_mask', [10n])],
      ['timeoutMs', () => client.call(PRM3, 'relay.get_mask', [], { timeoutMs: -1 })],
      ['attrs', () => client.devices({ index: -1 })],
    ];
    for (const [field, attempt] of inputs) {
      const error = await rejection(attempt(), InputError);
      assert.equal(error.field, field);
    }
    assert.equal(fx.sim.log.length, 0);
  });

  it('cancels a call when the caller’s signal fires, saying it may still complete', async () => {
    fx = await SimFixture.start({ prm3s: [{ sn: '00000004', latencyMs: 500 }] });
    const client = fx.client();
    await client.rights();
    const controller = new AbortController();
    const call = client.call(PRM3, 'relay.set_mask', [2], { signal: controller.signal });
    // Abort only once the client holds the call's id (it has polled for the result): before
    // that the honest message is "may or may not have reached the meter".
    await eventually(
      () => fx.sim.log.some((entry) => entry.method === 'GET' && entry.path.startsWith('/api/ctrl/call/')),
      2_000,
      'a result poll',
    );
    controller.abort();
    const error = await rejection(call, AbortedError);
    assert.equal(error.maybeSent, true);
    assert.match(error.message, /may still complete/);
  });

  it('close aborts calls in flight and in the queue; nothing is sent afterwards', async () => {
    fx = await SimFixture.start({ prm3s: [{ sn: '00000004', latencyMs: 500 }] });
    const client = fx.client();
    await client.rights();
    const running = client.call(PRM3, 'relay.set_mask', [1]);
    const queued = client.call(PRM3, 'relay.set_mask', [2]);
    const outcomes = Promise.all([rejection(running, AbortedError), rejection(queued, AbortedError)]);
    await eventually(() => fx.acceptedCalls().length === 1, 2_000, 'the first POST');
    await client.close();
    const [first, second] = await outcomes;
    assert.equal(first.maybeSent, true);
    assert.equal(second.maybeSent, false);
    const logged = fx.sim.log.length;
    await sleep(700);
    assert.equal(fx.sim.log.length, logged, 'no poll or command after close');
    assert.deepEqual(
      fx.acceptedCalls('relay.set_mask').map((entry) => entry.args),
      [[1]],
    );
  });

  it('leaves no timer or socket behind once closed', async () => {
    const count = (): Record<string, number> => {
      const counts: Record<string, number> = {};
      for (const resource of process.getActiveResourcesInfo()) counts[resource] = (counts[resource] ?? 0) + 1;
      return counts;
    };
    // Mocha arms its own test timer just after the test starts: count from after that.
    await sleep(1);
    const before = count();
    const local = await SimFixture.start({ prm3s: [{ sn: '00000004', latencyMs: 300 }] });
    const client = local.client();
    await client.call(PRM3, 'relay.get_mask', []);
    const pending = rejection(client.call(PRM3, 'relay.set_mask', [1]), AbortedError);
    const waiting = rejection(client.call(PRM3, 'relay.set_mask', [2], { timeoutMs: 4_000 }), AbortedError);
    await eventually(() => local.acceptedCalls('relay.set_mask').length === 1, 2_000, 'the command');
    await local.close();
    await Promise.all([pending, waiting]);
    await sleep(20);
    const after = count();
    assert.equal(
      after['Timeout'] ?? 0,
      before['Timeout'] ?? 0,
      `timers ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
    );
    assert.equal(after['TCPSocketWrap'] ?? 0, before['TCPSocketWrap'] ?? 0, 'sockets');
    assert.equal(after['TCPServerWrap'] ?? 0, before['TCPServerWrap'] ?? 0, 'servers');
  });

  it('reads registers with and without rates', async () => {
    fx = await SimFixture.start();
    const client = fx.client({ log: collectLog });
    const withRates = await client.registers();
    assert.ok(Number.isFinite(withRates.ts) && withRates.ts > 1_600_000_000);
    const grid = withRates.registers.find((register) => register.name === 'Grid');
    assert.equal(grid?.type, 'P');
    assert.equal(typeof grid?.rate, 'number');
    const plain = await client.registers({ rates: false });
    assert.ok(plain.registers.length > 0);
    assert.ok(plain.registers.every((register) => register.rate === undefined));
  });

  it('never put the password, a login hash or a token into an error or a log line', () => {
    assert.ok(producedErrors.length > 0);
    assertNoSecrets(
      [...producedErrors.map((error) => `${error.message} ${JSON.stringify(error)}`), ...producedLogLines],
      [...secrets, PASSWORD],
    );
  });
});
