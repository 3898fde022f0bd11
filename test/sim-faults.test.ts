import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim';
import { record, SimClient } from './fixtures/sim-client';

/** Compiled tests run from dist/test; the certificates stay in test/fixtures. */
const fixture = (name: string): string => readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', name), 'utf8');

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  bytes: number;
}

interface RawOptions {
  method?: string;
  path: string;
  token?: string;
  body?: string;
  agent?: HttpAgent;
  ca?: string;
}

/** One request with node:http(s), the body read whole, so tests see bytes exactly as sent. */
function raw(base: string, options: RawOptions): Promise<RawReply> {
  const url = new URL(`/api${options.path}`, base);
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers['Authorization'] = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const callback = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body.toString('utf8'), bytes: body.length });
      });
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(
            url,
            { method: options.method ?? 'GET', headers, ...(options.ca === undefined ? {} : { ca: options.ca }) },
            callback,
          )
        : httpRequest(url, { method: options.method ?? 'GET', headers, agent: options.agent }, callback);
    req.on('error', reject);
    req.end(options.body);
  });
}

function errorCode(error: unknown): unknown {
  return error instanceof Error ? Reflect.get(error, 'code') : undefined;
}

describe('simulator: HTTP behaviour and faults', () => {
  let sim: MeterSimulator;
  let token: string;

  beforeEach(async () => {
    sim = await startSimulator({ minDurationS: 0 });
    token = await new SimClient(sim.url).login();
  });
  afterEach(async () => {
    await sim.close();
  });

  it('sends JSON with its type and exact length, on a keep-alive connection', async () => {
    const reply = await raw(sim.url, { path: '/ctrl/device', token });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.equal(Number(reply.headers['content-length']), reply.bytes);
    assert.equal(reply.headers['connection'], 'keep-alive');
    assert.match(String(reply.headers['keep-alive']), /timeout=\d+/);
  });

  it('answers unknown resources and wrong methods with HTTP 200 and an error', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/ctrl/device'],
      ['GET', '/ctrl/call'],
      ['PUT', '/register'],
    ]) {
      const reply = await raw(sim.url, { method, path, token });
      assert.equal(reply.status, 200, `${method} ${path}`);
      assert.equal(typeof record(JSON.parse(reply.body))['error'], 'string');
    }
    const outside = await raw(sim.url, { path: '/../index.html' }); // resolves to /index.html, outside /api
    assert.equal(outside.status, 200);
    assert.match(String(record(JSON.parse(outside.body))['error']), /\/api/);
  });

  it('refuses request bodies over 64 KiB without reading them whole', async () => {
    const big = JSON.stringify({ attrs: {}, method: 'relay.get_mask', args: ['x'.repeat(70_000)] });
    const call = await raw(sim.url, { method: 'POST', path: '/ctrl/call', token, body: big });
    assert.equal(call.status, 200);
    assert.match(String(record(JSON.parse(call.body))['error']), /too large/);
    const login = await raw(sim.url, { method: 'POST', path: '/auth/login', body: big });
    assert.deepEqual([login.status, JSON.parse(login.body)], [400, { error: 'Bad Request' }]);
  });

  it('delays every reply by delayMs', async () => {
    sim.faults.delayMs = 300;
    const started = Date.now();
    const reply = await raw(sim.url, { path: '/auth/unauthorized' });
    assert.equal(reply.status, 401);
    assert.ok(Date.now() - started >= 250, 'the reply came after the delay');
  });

  it('sends an HTML 502 page, only on the paths chosen', async () => {
    sim.faults.garbage = 'html502';
    sim.faults.garbagePaths = /ctrl\/device/;
    const bad = await raw(sim.url, { path: '/ctrl/device', token });
    assert.equal(bad.status, 502);
    assert.equal(bad.headers['content-type'], 'text/html');
    assert.match(bad.body, /^<html>/);
    assert.equal(sim.log.at(-1)?.status, 502);
    const fine = await raw(sim.url, { path: '/register', token });
    assert.equal(fine.status, 200);
    assert.doesNotThrow(() => JSON.parse(fine.body));
  });

  it('sends truncated JSON or an empty body', async () => {
    sim.faults.garbage = 'badjson';
    const truncated = await raw(sim.url, { path: '/ctrl/device', token });
    assert.equal(truncated.status, 200);
    assert.throws(() => JSON.parse(truncated.body));
    sim.faults.garbage = 'empty';
    const empty = await raw(sim.url, { path: '/auth/unauthorized' });
    assert.deepEqual([empty.status, empty.body, empty.headers['content-length']], [200, '', '0']);
    sim.faults.garbage = null;
    assert.equal((await raw(sim.url, { path: '/ctrl/device', token })).status, 200);
  });

  it('streams an oversized body of exactly oversizedBytes that still parses', async () => {
    sim.faults.garbage = 'oversized';
    sim.faults.oversizedBytes = 3 * 1024 * 1024 + 17;
    const reply = await raw(sim.url, { path: '/register', token });
    assert.equal(reply.status, 200);
    assert.equal(reply.bytes, 3 * 1024 * 1024 + 17);
    assert.equal(Number(reply.headers['content-length']), reply.bytes);
    assert.equal(typeof record(JSON.parse(reply.body))['result'], 'string');
  });

  it('keeps answering EAGAIN while eagainForever is on', async () => {
    const client = new SimClient(sim.url);
    client.token = token;
    const tid = await client.issue({ sn: '00000004' }, 'relay.set_mask', [1]);
    sim.faults.eagainForever = true;
    for (let i = 0; i < 3; i += 1)
      assert.deepEqual((await client.get(`/ctrl/call/${tid}`)).body, { error: 'EAGAIN: Call is pending.' });
    assert.equal(sim.device('USB1').mask, 1, 'the call itself ran');
    sim.faults.eagainForever = false;
    assert.deepEqual((await client.get(`/ctrl/call/${tid}`)).body, { result: false });
  });

  it('cuts open connections with dropConnections() and keeps listening', async () => {
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    try {
      await raw(sim.url, { path: '/auth/unauthorized', agent });
      const sockets = Object.values(agent.freeSockets).flat();
      assert.equal(sockets.length, 1, 'a keep-alive socket is open');
      const closed = new Promise((resolve) => sockets[0]?.once('close', resolve));
      sim.dropConnections();
      await closed;
      assert.equal((await raw(sim.url, { path: '/auth/unauthorized', agent })).status, 401);
    } finally {
      agent.destroy();
    }
  });

  it('refuses connections while offline and comes back on the same port', async () => {
    const { port, url } = sim;
    await sim.setOffline(true);
    await assert.rejects(
      raw(url, { path: '/auth/unauthorized' }),
      (error: unknown) => errorCode(error) === 'ECONNREFUSED',
    );
    await sim.setOffline(true);
    await sim.setOffline(false);
    assert.equal(sim.port, port);
    assert.equal(sim.url, url);
    assert.equal((await raw(url, { path: '/ctrl/device', token })).status, 200, 'tokens survive a network outage');
  });

  it('closes quickly with keep-alive connections open, and only once', async () => {
    const agent = new HttpAgent({ keepAlive: true });
    try {
      await raw(sim.url, { path: '/auth/unauthorized', agent });
      const started = Date.now();
      await sim.close();
      await sim.close();
      assert.ok(Date.now() - started < 2_000);
      await assert.rejects(sim.setOffline(false), /closed/);
    } finally {
      agent.destroy();
    }
  });
});

describe('simulator: https', () => {
  let sim: MeterSimulator;

  beforeEach(async () => {
    sim = await startSimulator({ tls: { cert: fixture('server-cert.pem'), key: fixture('server-key.pem') } });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('serves https that the test CA vouches for, on 127.0.0.1 and localhost', async () => {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const reply = await raw(sim.url, { path: '/auth/unauthorized', ca: fixture('ca.pem') });
    assert.equal(reply.status, 401);
    const byName = await raw(sim.url.replace('127.0.0.1', 'localhost'), {
      path: '/auth/unauthorized',
      ca: fixture('ca.pem'),
    });
    assert.equal(byName.status, 401);
  });

  it('is refused by a client that does not trust the CA, and nothing is logged', async () => {
    await assert.rejects(raw(sim.url, { path: '/auth/unauthorized' }), (error: unknown) =>
      /certificate/i.test(String(error)),
    );
    assert.equal(sim.log.length, 0);
  });

  it('accepts a password login over https', async () => {
    const body = JSON.stringify({ rlm: 'eGauge Administration', usr: 'owner', pwd: 'default' });
    const reply = await raw(sim.url, { method: 'POST', path: '/auth/login', body, ca: fixture('ca.pem') });
    assert.equal(reply.status, 200);
    const { jwt } = record(JSON.parse(reply.body));
    assert.equal(typeof jwt, 'string');
    assert.equal(sim.logins(), 1);
    assert.deepEqual(
      sim.log.at(-1)?.body,
      { rlm: 'eGauge Administration', usr: 'owner', pwd: '********' },
      'the log never keeps a password',
    );
  });
});
