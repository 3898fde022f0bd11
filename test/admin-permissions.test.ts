/**
 * The meter's admin routes in a real Node-RED with adminAuth: a user who may only read can use
 * a deployed meter by its id and nothing else, and the stored login never goes anywhere but
 * to its own meter. A capture server on another port counts every request that reaches it.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim/types';
import { startSecuredNodeRed, type SecuredNodeRed } from './helpers/secured-node-red';

const METER_ID = 'a1b2c3d4e5f60718';
const PASSWORD = 'Pw-stored-5e21b';
/** What the capture server answers: it must never reach the editor. */
const CAPTURE_MARKER = 'capture-server-reply-7f0c';

interface Capture {
  url: string;
  hits: number;
  close(): Promise<void>;
}

function startCapture(): Promise<Capture> {
  const capture = { url: '', hits: 0, close: (): Promise<void> => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    capture.hits++;
    req.resume();
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end(`<html>${CAPTURE_MARKER}</html>`);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      capture.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      capture.close = () =>
        new Promise((done) => {
          server.closeAllConnections();
          server.close(() => done());
        });
      resolve(capture);
    });
  });
}

type Json = Record<string, unknown>;

function json(text: string): Json {
  const value: unknown = JSON.parse(text);
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), `a JSON object: ${text}`);
  return value as Json;
}

describe('meter admin routes under adminAuth', function () {
  this.timeout(120_000);
  let sim: MeterSimulator;
  let capture: Capture;
  let red: SecuredNodeRed;
  let admin: string;
  let viewer: string;

  before(async function () {
    sim = await startSimulator({
      minDurationS: 0,
      users: [{ username: 'owner', password: PASSWORD, rights: ['view', 'ctrl', 'save'] }],
    });
    capture = await startCapture();
    red = await startSecuredNodeRed();
    admin = await red.token('admin');
    viewer = await red.token('viewer');
    const meter = {
      id: METER_ID,
      type: 'egauge-meter',
      name: 'sim',
      url: sim.url,
      tls: '',
      verify: true,
      timeout: '5',
      callTimeout: '10',
    };
    await red.deploy([{ ...meter, credentials: { username: 'owner', password: PASSWORD } }], admin);
    // Node-RED answers a deploy before the new flows have started.
    for (let tries = 0; tries < 100; tries++) {
      const reply = json((await red.post('egauge-meter/devices', { id: METER_ID }, admin)).text);
      if (reply['ok'] === true) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(async function () {
    await red?.stop();
    await capture?.close();
    await sim?.close();
  });

  beforeEach(function () {
    capture.hits = 0;
    sim.clearLog();
  });

  const typed = (): Json => ({ url: capture.url, username: 'owner', password: 'typed-by-viewer' });
  const viewerVariants = (): Array<[string, Json]> => [
    ['egauge-meter/devices', { id: METER_ID, url: capture.url }],
    ['egauge-meter/devices', { id: METER_ID, url: capture.url, filter: 'all' }],
    ['egauge-meter/devices', { id: METER_ID, tls: 'some-tls-node' }],
    ['egauge-meter/devices', { id: METER_ID, verify: false }],
    ['egauge-meter/devices', { id: METER_ID, username: 'owner' }],
    ['egauge-meter/devices', { id: METER_ID, password: '__PWRD__' }],
    ['egauge-meter/devices', { url: capture.url }],
    ['egauge-meter/devices', typed()],
    ['egauge-meter/registers', { id: METER_ID, url: capture.url }],
    ['egauge-meter/registers', typed()],
    ['egauge-meter/test', { id: METER_ID, url: capture.url, username: 'owner', password: '__PWRD__' }],
    ['egauge-meter/test', { id: METER_ID }],
    ['egauge-meter/test', typed()],
    ['egauge-meter/draft/devices', { id: METER_ID, url: capture.url }],
    ['egauge-meter/draft/devices', typed()],
    ['egauge-meter/draft/registers', { id: METER_ID, url: capture.url, password: '__PWRD__' }],
  ];

  it('refuses a read-only user everything but a deployed meter by id, and sends nothing', async function () {
    for (const [route, body] of viewerVariants()) {
      const res = await red.post(route, body, viewer);
      assert.ok(
        res.status === 401 || res.status === 403,
        `${route} ${JSON.stringify(body)}: HTTP ${res.status} ${res.text}`,
      );
      assert.ok(!res.text.includes(CAPTURE_MARKER));
    }
    assert.equal(capture.hits, 0, 'no request reached the capture server');
    assert.equal(sim.log.length, 0, 'no request reached the meter either');
  });

  it('says why a read route refused a body that names a target, whoever asks', async function () {
    for (const token of [viewer, admin]) {
      const res = await red.post('egauge-meter/devices', { id: METER_ID, url: capture.url }, token);
      assert.equal(res.status, 403);
      const body = json(res.text);
      assert.equal(body['ok'], false);
      assert.match(String(body['error']), /by its id only/);
    }
    assert.equal(capture.hits, 0);
  });

  it('refuses anonymous callers on every route', async function () {
    for (const [route, body] of [...viewerVariants(), ['egauge-meter/devices', { id: METER_ID }] as [string, Json]]) {
      const res = await red.post(route, body);
      assert.equal(res.status, 401, `${route} ${JSON.stringify(body)}`);
    }
    assert.equal(capture.hits, 0);
  });

  it('lets a read-only user list the devices and registers of a deployed meter by id', async function () {
    const devices = json((await red.post('egauge-meter/devices', { id: METER_ID, filter: 'prm3' }, viewer)).text);
    assert.equal(devices['ok'], true, JSON.stringify(devices));
    assert.deepEqual(
      (devices['devices'] as Json[]).map((d) => d['sn']),
      ['00000004'],
    );
    const registers = json((await red.post('egauge-meter/registers', { id: METER_ID }, viewer)).text);
    assert.equal(registers['ok'], true, JSON.stringify(registers));
    assert.ok((registers['registers'] as Json[]).some((r) => r['name'] === 'Grid'));
    assert.equal(capture.hits, 0);
  });

  it('lets a user who may change flows test typed settings before deploy', async function () {
    const res = await red.post(
      'egauge-meter/test',
      { url: sim.url, username: 'owner', password: PASSWORD, tls: '', verify: true, timeout: 5 },
      admin,
    );
    const body = json(res.text);
    assert.equal(body['ok'], true, res.text);
    assert.equal(body['user'], 'owner');
    assert.equal(body['ctrl'], true);
    assert.ok(!res.text.includes(PASSWORD));
  });

  it('never puts the stored password together with another address, TLS or verify setting', async function () {
    const variants: Json[] = [
      { id: METER_ID, url: capture.url, username: 'owner', password: '__PWRD__', tls: '', verify: true },
      { id: METER_ID, url: capture.url, username: 'owner' },
      { id: METER_ID, url: sim.url, username: 'owner', password: '__PWRD__', tls: 'another-tls', verify: true },
      { id: METER_ID, url: sim.url, username: 'owner', password: '__PWRD__', tls: '', verify: false },
      { id: METER_ID, url: sim.url, username: 'someone-else', password: '__PWRD__', tls: '', verify: true },
      { id: 'not-deployed', url: capture.url, username: 'owner', password: '__PWRD__' },
    ];
    for (const route of ['egauge-meter/test', 'egauge-meter/draft/devices', 'egauge-meter/draft/registers']) {
      for (const body of variants) {
        const reply = json((await red.post(route, body, admin)).text);
        assert.equal(reply['ok'], false, `${route} ${JSON.stringify(body)}`);
        assert.equal(reply['code'], 'INPUT');
        assert.match(String(reply['error']), /type the password/);
      }
    }
    assert.equal(capture.hits, 0);
    assert.equal(sim.log.length, 0);
  });

  it('uses the stored password when the dialog matches the deployed meter', async function () {
    const body = {
      id: METER_ID,
      url: sim.url,
      username: 'owner',
      password: '__PWRD__',
      tls: '',
      verify: true,
      timeout: 5,
    };
    const reply = json((await red.post('egauge-meter/test', body, admin)).text);
    assert.equal(reply['ok'], true, JSON.stringify(reply));
    const devices = json((await red.post('egauge-meter/draft/devices', { ...body, filter: 'prm3' }, admin)).text);
    assert.deepEqual(
      (devices['devices'] as Json[]).map((d) => d['sn']),
      ['00000004'],
    );
  });

  it('answers a typed address with a code and a fixed text, never with what that host said', async function () {
    const res = await red.post(
      'egauge-meter/test',
      { url: capture.url, username: 'owner', password: 'typed-pw' },
      admin,
    );
    assert.ok(capture.hits > 0, 'a user who may change flows can test any address');
    const reply = json(res.text);
    assert.equal(reply['ok'], false);
    assert.equal(reply['code'], 'PROTOCOL');
    assert.equal(reply['error'], 'this address did not answer as an eGauge meter does');
    assert.ok(!res.text.includes(CAPTURE_MARKER));
  });
});
