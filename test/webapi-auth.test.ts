import assert from 'node:assert/strict';
import { AbortedError, AuthError } from '../src/webapi';
import {
  assertNoSecrets,
  collectLog,
  loginSecrets,
  PASSWORD,
  producedErrors,
  producedLogLines,
  recordStates,
  rejection,
  SimFixture,
  USERNAME,
} from './helpers/sim-fixture';

const PRM3 = { sn: '00000004' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('webapi client: authentication', () => {
  let fx: SimFixture;
  const secrets: string[] = [];

  afterEach(async () => {
    if (fx !== undefined) {
      secrets.push(...loginSecrets(fx.sim));
      await fx.close();
    }
  });

  it('logs in once for 50 concurrent requests on a cold client, and reports connecting → ready', async () => {
    fx = await SimFixture.start();
    const client = fx.client({ log: collectLog });
    assert.equal(client.state, 'idle');
    const states = recordStates(client);
    const requests = Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? client.rights() : client.devices()));
    await Promise.all(requests);
    assert.equal(fx.sim.logins(), 1);
    assert.equal(fx.requests('POST', '/auth/login').length, 1);
    assert.equal(fx.requests('GET', '/auth/unauthorized').length, 1);
    assert.equal(client.stats().logins, 1);
    assert.deepEqual(states, ['connecting', 'ready']);
    assert.deepEqual(await client.rights(), { usr: USERNAME, rights: ['view', 'ctrl', 'save'] });
  });

  it('refreshes a short-lived token ahead of expiry, without one refused request', async function () {
    this.timeout(10_000);
    fx = await SimFixture.start({ tokenLifetimeS: 2 });
    const client = fx.client();
    const started = Date.now();
    while (Date.now() - started < 2_600) {
      await client.devices();
      await sleep(50);
    }
    assert.ok(fx.sim.logins() >= 2, `logins: ${fx.sim.logins()}`);
    const refused = fx.sim.log.filter((entry) => entry.status === 401 && entry.path !== '/api/auth/unauthorized');
    assert.deepEqual(refused, [], 'the token was replaced before the meter refused it');
  });

  it('logs in again straight from the 401 when the meter clock says the token expired', async () => {
    let offsetMs = 0;
    fx = await SimFixture.start({ clock: () => Date.now() + offsetMs });
    const client = fx.client();
    assert.equal(await client.call(PRM3, 'relay.get_mask', []), 0);
    offsetMs = 11 * 60_000;
    assert.equal(await client.call(PRM3, 'relay.get_mask', []), 0);
    assert.equal(fx.sim.logins(), 2);
    assert.equal(fx.requests('GET', '/auth/unauthorized').length, 1, 'the challenge came with the 401');
    assert.equal(fx.acceptedCalls('relay.get_mask').length, 2);
  });

  it('after a revoked token, logs in once and never duplicates a command', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    assert.equal(await client.call(PRM3, 'relay.set_mask', [1]), false);
    fx.sim.revokeTokens();
    assert.equal(await client.call(PRM3, 'relay.set_mask', [5]), false);
    assert.equal(fx.sim.logins(), 2);
    assert.deepEqual(
      fx.acceptedCalls('relay.set_mask').map((entry) => entry.args),
      [[1], [5]],
    );
    assert.equal(fx.sim.device('00000004').mask, 5);

    fx.sim.revokeTokens();
    await Promise.all(Array.from({ length: 10 }, () => client.devices()));
    assert.equal(fx.sim.logins(), 3, 'ten requests refused at once share one login');
  });

  it('retries a login refused for a stale nonce once, with a fresh nonce', async () => {
    // The meter clock jumps past the nonce lifetime right after it refuses the revoked
    // token, so the nonce in that 401 is stale when the client uses it.
    let started: SimFixture | undefined;
    const listingRefused = (): boolean =>
      started?.sim.log.some((entry) => entry.status === 401 && entry.path === '/api/ctrl/device') ?? false;
    fx = await SimFixture.start({ clock: () => Date.now() + (listingRefused() ? 61_000 : 0) });
    started = fx;
    const client = fx.client();
    const states = recordStates(client);
    await client.devices();
    fx.sim.revokeTokens();
    assert.ok((await client.devices()).length > 0);
    assert.equal(fx.sim.failedLogins(), 1, 'the stale nonce was refused once');
    assert.equal(fx.sim.logins(), 2);
    assert.equal(fx.requests('GET', '/auth/unauthorized').length, 2, 'one fresh nonce, fetched for the retry');
    assert.ok(!states.includes('auth-failed'));
  });

  it('refuses a wrong password with AuthError, then holds logins back', async () => {
    fx = await SimFixture.start();
    const client = fx.client({
      password: 'not-the-password',
      authBackoff: { initialMs: 5_000, maxMs: 10_000 },
      log: collectLog,
    });
    const states = recordStates(client);
    const error = await rejection(client.rights(), AuthError);
    assert.match(error.message, /authentication failed for user "owner"/);
    assert.ok(error.message.includes(client.url));
    assert.ok(!error.message.includes('not-the-password'));
    assert.equal(client.state, 'auth-failed');
    assert.deepEqual(states, ['connecting', 'auth-failed']);
    assert.equal(fx.sim.failedLogins(), 2, 'one retry with a fresh nonce, no more');
    assert.equal(fx.requests('POST', '/auth/login').length, 2);

    const logged = fx.sim.log.length;
    for (let attempt = 0; attempt < 20; attempt++) {
      const held = await rejection(
        attempt % 2 === 0 ? client.devices() : client.call(PRM3, 'relay.get_mask', []),
        AuthError,
      );
      assert.match(held.message, /held back/);
    }
    assert.equal(fx.sim.log.length, logged, 'nothing reached the meter during the hold');
    assert.equal(client.stats().logins, 2);
  });

  it('doubles the hold after each refusal and starts afresh after a success', async () => {
    fx = await SimFixture.start();
    const client = fx.client({ password: 'second-password', authBackoff: { initialMs: 300, maxMs: 1_200 } });
    assert.match((await rejection(client.rights(), AuthError)).message, /next login attempt in 0\.3 s/);
    await sleep(350);
    assert.match((await rejection(client.rights(), AuthError)).message, /next login attempt in 0\.6 s/);
    await sleep(650);
    fx.sim.setUser({ username: USERNAME, password: 'second-password', rights: ['view', 'ctrl'] });
    assert.deepEqual((await client.rights()).rights, ['view', 'ctrl']);
    assert.equal(client.state, 'ready');
    fx.sim.setUser({ username: USERNAME, password: PASSWORD, rights: ['view', 'ctrl'] });
    await client.logout();
    assert.match((await rejection(client.rights(), AuthError)).message, /next login attempt in 0\.3 s/);
  });

  it('logout revokes the token on the meter, and the next request logs in again', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    await client.rights();
    await client.logout();
    const logout = fx.requests('GET', '/auth/logout');
    assert.equal(logout.length, 1);
    assert.equal(logout[0]?.authorized, true);
    await client.rights();
    assert.equal(fx.sim.logins(), 2);
  });

  it('after close, every method rejects with AbortedError and sends nothing', async () => {
    fx = await SimFixture.start();
    const client = fx.client();
    await client.rights();
    await client.close();
    assert.equal(client.state, 'closed');
    assert.equal(fx.requests('GET', '/auth/logout').length, 1, 'close logs out');
    const logged = fx.sim.log.length;
    await rejection(client.rights(), AbortedError);
    await rejection(client.devices(), AbortedError);
    await rejection(client.interfaces(), AbortedError);
    await rejection(client.registers(), AbortedError);
    await rejection(client.call(PRM3, 'relay.get_mask', []), AbortedError);
    await rejection(
      client.withDevice(PRM3, () => Promise.resolve(1)),
      AbortedError,
    );
    await rejection(client.logout(), AbortedError);
    await client.close();
    assert.equal(fx.sim.log.length, logged);
  });

  it('never put the password, a login hash or a token into an error or a log line', () => {
    assert.ok(producedErrors.length > 0);
    assertNoSecrets(
      [...producedErrors.map((error) => `${error.message} ${JSON.stringify(error)}`), ...producedLogLines],
      [...secrets, PASSWORD, 'not-the-password', 'second-password'],
    );
  });
});
