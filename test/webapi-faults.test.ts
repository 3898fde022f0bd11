import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AbortedError, NetworkError, ProtocolError, TimeoutError } from '../src/webapi';
import {
  assertNoSecrets,
  collectLog,
  loginSecrets,
  PASSWORD,
  producedErrors,
  producedLogLines,
  eventually,
  recordStates,
  rejection,
  SimFixture,
} from './helpers/sim-fixture';

const PRM3 = { sn: '00000004' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Compiled tests live in dist/test; the certificates stay in test/fixtures. */
const fixture = (name: string): string => readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', name), 'utf8');
const tls = { cert: fixture('server-cert.pem'), key: fixture('server-key.pem') };

describe('webapi client: faults', () => {
  let fx: SimFixture;
  const secrets: string[] = [];

  afterEach(async () => {
    if (fx !== undefined) {
      fx.sim.faults.delayMs = 0;
      fx.sim.faults.garbage = null;
      secrets.push(...loginSecrets(fx.sim));
      await fx.close();
    }
  });

  it('reports an offline meter as unreachable, and works again when it is back', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    const states = recordStates(client);
    await client.rights();
    await fx.sim.setOffline(true);
    const listing = await rejection(client.devices(), NetworkError);
    assert.match(listing.message, /GET \/ctrl\/device on http:\/\/127\.0\.0\.1:\d+\/api: cannot connect/);
    assert.equal(client.state, 'unreachable');
    const command = await rejection(client.call(PRM3, 'relay.set_mask', [1]), NetworkError);
    assert.equal(command.maybeSent, false, 'a refused connection certainly did not carry the command');
    await fx.sim.setOffline(false);
    assert.equal(await client.call(PRM3, 'relay.set_mask', [1]), false);
    assert.equal(client.state, 'ready');
    assert.deepEqual(states, ['connecting', 'ready', 'unreachable', 'ready']);
    assert.equal(fx.sim.logins(), 1, 'the token survived the outage');
  });

  const garbage: ['html502' | 'badjson' | 'empty', RegExp][] = [
    ['html502', /GET \/ctrl\/device on .*: meter sent HTML \(HTTP 502\)/],
    ['badjson', /GET \/ctrl\/device on .*: meter sent invalid JSON \(HTTP 200\): \{"result":/],
    ['empty', /GET \/ctrl\/device on .*: meter sent an empty reply \(HTTP 200\)/],
  ];
  for (const [kind, expected] of garbage) {
    it(`turns a "${kind}" reply into ProtocolError`, async () => {
      fx = await SimFixture.start();
      const client = fx.client();
      await client.rights();
      fx.sim.faults.garbage = kind;
      fx.sim.faults.garbagePaths = /ctrl\/device/;
      const error = await rejection(client.devices(), ProtocolError);
      assert.match(error.message, expected);
      assert.ok(error.message.length < 400, 'only a short sample of the body is quoted');
      fx.sim.faults.garbage = null;
      assert.ok((await client.devices()).length > 0, 'the client recovers');
    });
  }

  it('stops reading a 20 MB reply at the size limit, with bounded memory', async function () {
    this.timeout(15_000);
    fx = await SimFixture.start();
    const client = fx.client();
    await client.rights();
    fx.sim.faults.garbage = 'oversized';
    fx.sim.faults.oversizedBytes = 20 * 1024 * 1024;
    fx.sim.faults.garbagePaths = /register/;
    const baseline = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peak = Math.max(peak, now.arrayBuffers - baseline.arrayBuffers + now.heapUsed - baseline.heapUsed);
    }, 2);
    try {
      const error = await rejection(client.registers(), ProtocolError);
      assert.match(error.message, /GET \/register\?rate on .*: the reply is larger than 1048576 bytes/);
    } finally {
      clearInterval(sampler);
    }
    assert.ok(peak < 8 * 1024 * 1024, `memory grew by ${Math.round(peak / 1024 / 1024)} MiB`);
    fx.sim.faults.garbage = null;
    assert.ok((await client.registers()).registers.length > 0);
  });

  it('stops waiting for a reply still on its way when the caller’s signal fires; the command is not sent again', async function () {
    this.timeout(5_000);
    fx = await SimFixture.start();
    // No time limit of the client's own ends the wait before the test's does.
    const client = fx.client({ requestTimeoutMs: 20_000, callTimeoutMs: 30_000 });
    await client.rights();
    // The meter carries out the command at once but answers only after 10 s.
    fx.sim.faults.delayMs = 10_000;
    const controller = new AbortController();
    const call = client.call(PRM3, 'relay.set_mask', [3], { signal: controller.signal });
    await eventually(() => fx.acceptedCalls('relay.set_mask').length === 1, 2_000, 'the command');
    controller.abort();
    const error = await rejection(call, AbortedError);
    assert.equal(error.maybeSent, true);
    assert.match(error.message, /relay\.set_mask .*: aborted; the command may or may not have reached the meter/);
    fx.sim.faults.delayMs = 0;
    assert.equal(typeof (await client.call(PRM3, 'relay.get_mask', [])), 'number', 'the client works after');
    assert.equal(fx.acceptedCalls('relay.set_mask').length, 1, 'the command was sent once');
  });

  it('never surfaces a dropped keep-alive socket as an error for a GET', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    await client.devices();
    for (let round = 0; round < 20; round++) {
      fx.sim.dropConnections();
      if (round % 2 === 0) await sleep(5);
      await client.devices();
      await client.registers();
    }
    assert.equal(client.state, 'ready');
  });

  it('never resends a command after an ambiguous failure', async () => {
    fx = await SimFixture.start();
    const client = fx.client({ log: collectLog });
    await client.rights();
    fx.sim.faults.delayMs = 400;
    const call = client.call(PRM3, 'relay.set_mask', [6]);
    await sleep(150);
    fx.sim.dropConnections();
    const error = await rejection(call, NetworkError);
    assert.equal(error.maybeSent, true);
    assert.match(error.message, /relay\.set_mask for sn 00000004 on .*may or may not have reached the meter/);
    fx.sim.faults.delayMs = 0;
    await sleep(600);
    assert.equal(fx.sim.ctrlCalls('relay.set_mask').length, 1, 'exactly one POST reached the meter');
  });

  it('times out a silent meter: a GET as unreachable, a command as maybe sent', async () => {
    fx = await SimFixture.start();
    const client = fx.client({ requestTimeoutMs: 200 });
    await client.rights();
    fx.sim.faults.delayMs = 600;
    const listing = await rejection(client.devices(), TimeoutError);
    assert.match(listing.message, /no answer within 200 ms/);
    assert.equal(client.state, 'unreachable');
    const command = await rejection(client.call(PRM3, 'relay.set_mask', [3]), TimeoutError);
    assert.equal(command.maybeSent, true);
    assert.match(command.message, /may or may not have reached the meter/);
    fx.sim.faults.delayMs = 0;
    await sleep(800);
    assert.equal(fx.sim.ctrlCalls('relay.set_mask').length, 1, 'the command was not repeated');
  });

  it('TLS: refuses a certificate of its own by default', async () => {
    fx = await SimFixture.start({ tls });
    const client = fx.client();
    assert.match(client.url, /^https:/);
    const error = await rejection(client.rights(), NetworkError);
    assert.match(error.message, /secure connection failed/);
    assert.equal(fx.sim.log.length, 0, 'nothing was sent over the untrusted connection');
  });

  it('TLS: accepts that certificate with the CA certificate', async () => {
    fx = await SimFixture.start({ tls });
    const client = fx.client({ tls: { ca: fixture('ca.pem') } });
    assert.equal(await client.call(PRM3, 'relay.get_mask', []), 0);
  });

  it('TLS: accepts it when verification is turned off explicitly', async () => {
    fx = await SimFixture.start({ tls });
    const client = fx.client({ tls: { rejectUnauthorized: false } });
    assert.equal((await client.rights()).usr, 'owner');
  });

  it('never put the password, a login hash or a token into an error or a log line', () => {
    assert.ok(producedErrors.length > 0);
    assertNoSecrets(
      [...producedErrors.map((error) => `${error.message} ${JSON.stringify(error)}`), ...producedLogLines],
      [...secrets, PASSWORD],
    );
  });
});
