import assert from 'node:assert/strict';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim';
import { digest, record, SimClient } from './fixtures/sim-client';

const PROTECTED = [
  '/auth/rights',
  '/ctrl/device',
  '/ctrl/interface',
  '/ctrl/interface/relay',
  '/ctrl/call/4294967360',
  '/register?rate',
  '/no/such/thing',
];

function claims(jwt: string): Record<string, unknown> {
  const parts = jwt.split('.');
  assert.equal(parts.length, 3);
  return record(JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')));
}

describe('simulator: authentication', () => {
  let sim: MeterSimulator;
  let now: number;
  let client: SimClient;

  beforeEach(async () => {
    now = Date.UTC(2024, 0, 1);
    sim = await startSimulator({ clock: () => now, tokenLifetimeS: 600, nonceLifetimeS: 60 });
    client = new SimClient(sim.url);
  });
  afterEach(async () => {
    await sim.close();
  });

  it('answers 401 with realm, nonce and reason on every protected path', async () => {
    const nonces = new Set<string>();
    for (const path of PROTECTED) {
      const reply = await client.get(path);
      assert.equal(reply.status, 401, path);
      const body = record(reply.body);
      assert.deepEqual(Object.keys(body).sort(), ['error', 'nnc', 'rlm'], path);
      assert.equal(body['rlm'], 'eGauge Administration');
      assert.equal(body['error'], 'Authentication required.');
      assert.match(String(body['nnc']), /^[0-9a-f]{32}$/);
      nonces.add(String(body['nnc']));
    }
    const post = await client.post('/ctrl/call', { attrs: {}, method: 'relay.get_mask', args: [] });
    assert.equal(post.status, 401);
    assert.equal(nonces.size, PROTECTED.length, 'every 401 brings a fresh nonce');
  });

  it('logs in with a digest hash and the token opens protected paths', async () => {
    const jwt = await client.login();
    assert.deepEqual(await client.get('/auth/unauthorized'), { status: 200, body: { status: 'You are logged in.' } });
    assert.deepEqual(await client.get('/auth/rights'), {
      status: 200,
      body: { usr: 'owner', rights: ['view', 'ctrl', 'save'] },
    });
    const payload = claims(jwt);
    assert.equal(payload['usr'], 'owner');
    assert.equal(payload['beg'], now / 1000);
    assert.equal(payload['ltm'], '600', 'the lifetime is written as a numeric string');
    assert.equal(payload['exp'], undefined);
    assert.equal(sim.logins(), 1);
    assert.equal(sim.failedLogins(), 0);
  });

  it('logs in from the nonce of any protected 401, not only /auth/unauthorized', async () => {
    const body = record((await client.get('/ctrl/device')).body);
    const reply = await client.tryLogin('owner', 'default', { rlm: String(body['rlm']), nnc: String(body['nnc']) });
    assert.equal(typeof record(reply.body)['jwt'], 'string');
  });

  it('refuses a wrong password or an unknown user with HTTP 200 and an error, no token', async () => {
    for (const [usr, pwd] of [
      ['owner', 'wrong'],
      ['nobody', 'default'],
    ] as const) {
      const reply = await client.tryLogin(usr, pwd);
      assert.equal(reply.status, 200);
      const body = record(reply.body);
      assert.equal(body['jwt'], undefined);
      assert.equal(body['error'], 'Invalid username or password.');
    }
    assert.equal(sim.failedLogins(), 2);
    assert.equal(sim.logins(), 0);
  });

  it('refuses a used nonce and an expired one with a text of their own', async () => {
    const challenge = await client.challenge();
    assert.equal(typeof record((await client.tryLogin('owner', 'default', challenge)).body)['jwt'], 'string');
    const reused = record((await client.tryLogin('owner', 'default', challenge)).body);
    assert.equal(reused['jwt'], undefined);
    assert.match(String(reused['error']), /nonce/i);
    assert.notEqual(reused['error'], 'Invalid username or password.');

    const old = await client.challenge();
    now += 60_000;
    const expired = record((await client.tryLogin('owner', 'default', old)).body);
    assert.equal(expired['jwt'], undefined);
    assert.match(String(expired['error']), /nonce/i);

    const made = record((await client.tryLogin('owner', 'default', { rlm: old.rlm, nnc: 'f'.repeat(32) })).body);
    assert.match(String(made['error']), /nonce/i, 'a nonce the meter never issued');
  });

  it('uses a nonce up even when the hash was wrong', async () => {
    const challenge = await client.challenge();
    await client.tryLogin('owner', 'wrong', challenge);
    const retry = record((await client.tryLogin('owner', 'default', challenge)).body);
    assert.match(String(retry['error']), /nonce/i);
  });

  it('answers a malformed login body with 400 Bad Request', async () => {
    for (const text of ['not json', '[]', '{"usr":"owner"}', '']) {
      const reply = await client.send('POST', '/auth/login', text);
      assert.deepEqual(reply, { status: 400, body: { error: 'Bad Request' } }, text);
    }
  });

  it('refuses a password login over plain http', async () => {
    const reply = await client.post('/auth/login', { rlm: 'eGauge Administration', usr: 'owner', pwd: 'default' });
    assert.equal(reply.status, 200);
    assert.match(String(record(reply.body)['error']), /https/);
    assert.deepEqual(
      sim.log.at(-1)?.body,
      { rlm: 'eGauge Administration', usr: 'owner', pwd: '********' },
      'the log masks the password',
    );
  });

  it('ends a token after beg + ltm by the injected clock', async () => {
    await client.login();
    now += 599_000;
    assert.equal((await client.get('/auth/rights')).status, 200);
    now += 1_000;
    const reply = await client.get('/auth/rights');
    assert.equal(reply.status, 401);
    assert.equal(sim.log.at(-1)?.authorized, false);
  });

  it('revokes the token on logout, and only that token', async () => {
    const other = new SimClient(sim.url);
    await client.login();
    await other.login();
    assert.deepEqual(await client.get('/auth/logout'), { status: 200, body: { status: 'OK' } });
    assert.equal((await client.get('/auth/rights')).status, 401);
    assert.equal((await other.get('/auth/rights')).status, 200);
    assert.equal((await new SimClient(sim.url).get('/auth/logout')).status, 400, 'no token to revoke');
  });

  it('revokeTokens() and reboot() end every token', async () => {
    await client.login();
    sim.revokeTokens();
    assert.equal((await client.get('/ctrl/device')).status, 401);
    await client.login();
    await sim.reboot();
    assert.equal((await client.get('/ctrl/device')).status, 401);
  });

  it('applies setUser at once: new password, fewer rights', async () => {
    sim.setUser({ username: 'viewer', password: 'look-only', rights: ['view'] });
    const viewer = new SimClient(sim.url);
    await viewer.login('viewer', 'look-only');
    assert.deepEqual(record((await viewer.get('/auth/rights')).body)['rights'], ['view']);
    const refused = await viewer.post('/ctrl/call', { attrs: { sn: '00000004' }, method: 'relay.get_mask', args: [] });
    assert.deepEqual(refused, { status: 200, body: { error: 'Permission denied: ctrl right required.' } });
    assert.equal((await viewer.get('/ctrl/device')).status, 200, 'listing needs no ctrl right');

    sim.setUser({ username: 'owner', password: 'changed', rights: ['view', 'ctrl'] });
    assert.equal(record((await client.tryLogin('owner', 'default')).body)['jwt'], undefined);
    await client.login('owner', 'changed');
  });

  it('takes the realm from the options', async () => {
    const other = await startSimulator({ realm: 'Test Realm' });
    try {
      const otherClient = new SimClient(other.url);
      const challenge = await otherClient.challenge();
      assert.equal(challenge.rlm, 'Test Realm');
      const cnnc = 'c0ffee';
      const reply = await otherClient.post('/auth/login', {
        rlm: 'Test Realm',
        usr: 'owner',
        nnc: challenge.nnc,
        cnnc,
        hash: digest('owner', 'Test Realm', 'default', challenge.nnc, cnnc),
      });
      assert.equal(typeof record(reply.body)['jwt'], 'string');
    } finally {
      await other.close();
    }
  });
});
