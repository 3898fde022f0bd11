import assert from 'node:assert/strict';
import type { MeterSimulator } from '../src/sim/types';
import meterModule = require('../src/nodes/egauge-meter/runtime');
import { ALL_NODES, helper, load, meterConfig, METER_ID, PASSWORD, simEachTest, tab } from './helpers/flow';

type Json = Record<string, unknown>;
type Handler = (req: unknown, res: { status(code: number): { end(): void } }, next: () => void) => void;

/** Loads the meter node with a permission check that grants only `granted`, as Node-RED's adminAuth would. */
function meterWithPermissions(granted: string[]): (RED: unknown) => void {
  return (RED: unknown) => {
    const red = RED as { auth: { needsPermission(permission: string): Handler } };
    red.auth = {
      needsPermission: (permission) => (_req, res, next) =>
        granted.includes(permission) ? next() : res.status(401).end(),
    };
    meterModule(RED as Parameters<typeof meterModule>[0]);
  };
}

describe('egauge-meter admin routes', function () {
  let sim: MeterSimulator;
  simEachTest((started) => {
    sim = started;
    started.addPrm3({ sn: 'B0000002', port: 'USB2' });
  });

  it('tests a connection from the dialog before the first deploy', async function () {
    await load([tab()], {});
    const res = await helper
      .request()
      .post('/egauge-meter/test')
      .send({ url: sim.url, username: 'owner', password: PASSWORD });
    assert.equal(res.status, 200);
    const body = res.body as Json;
    assert.equal(body['ok'], true);
    assert.equal(body['user'], 'owner');
    assert.equal(body['ctrl'], true);
    assert.deepEqual(body['rights'], ['view', 'ctrl', 'save']);
    assert.deepEqual(
      (body['devices'] as Json[]).map((d) => `${String(d['sn'])}@${String(d['port'])}`),
      ['00000004@USB1', 'B0000002@USB2'],
    );
    assert.ok(!res.text.includes(PASSWORD));
    assert.equal(sim.log.filter((e) => e.path === '/api/auth/logout').length, 1, 'the temporary login is given back');
  });

  it('says when the user lacks the ctrl right', async function () {
    sim.setUser({ username: 'viewer', password: 'Viewer-Pw-1', rights: ['view'] });
    await load([tab()], {});
    const body = (
      await helper
        .request()
        .post('/egauge-meter/test')
        .send({ url: sim.url, username: 'viewer', password: 'Viewer-Pw-1' })
    ).body as Json;
    assert.equal(body['ok'], true);
    assert.equal(body['ctrl'], false);
  });

  it('reports a wrong password without echoing it', async function () {
    await load([tab()], {});
    const res = await helper
      .request()
      .post('/egauge-meter/test')
      .send({ url: sim.url, username: 'owner', password: 'Wrong-Pw-91x' });
    const body = res.body as Json;
    assert.equal(body['ok'], false);
    assert.equal(body['code'], 'AUTH');
    assert.ok(!res.text.includes('Wrong-Pw-91x'));
  });

  it('reports a bad URL clearly', async function () {
    await load([tab()], {});
    const body = (
      await helper.request().post('/egauge-meter/test').send({ url: 'ftp://meter', username: 'owner', password: 'x' })
    ).body as Json;
    assert.equal(body['ok'], false);
    assert.equal(body['code'], 'INPUT');
    assert.match(String(body['error']), /url|URL/);
  });

  it('uses the stored password when the dialog shows its placeholder', async function () {
    await load([tab(), meterConfig(sim)], { [METER_ID]: { username: 'owner', password: PASSWORD } });
    const res = await helper
      .request()
      .post('/egauge-meter/test')
      .send({ id: METER_ID, url: sim.url, username: 'owner', password: '__PWRD__' });
    assert.equal((res.body as Json)['ok'], true);
    assert.ok(!res.text.includes(PASSWORD));
  });

  it('lists devices for the device pickers with the deployed client', async function () {
    await load([tab(), meterConfig(sim)]);
    const res = await helper.request().post('/egauge-meter/devices').send({ id: METER_ID, filter: 'prm3' });
    const body = res.body as Json;
    assert.equal(body['ok'], true);
    assert.deepEqual(
      (body['devices'] as Json[]).map((d) => d['sn']),
      ['00000004', 'B0000002'],
    );
  });

  it('lists registers with their units', async function () {
    await load([tab(), meterConfig(sim)]);
    const body = (await helper.request().post('/egauge-meter/registers').send({ id: METER_ID })).body as Json;
    assert.equal(body['ok'], true);
    const grid = (body['registers'] as Json[]).find((r) => r['name'] === 'Grid');
    assert.deepEqual(grid, { name: 'Grid', type: 'P', unit: 'W' });
  });

  it('refuses callers without the permission and contacts no meter', async function () {
    const nodes = [meterWithPermissions(['egauge-meter.read']), ...ALL_NODES.slice(1)];
    await load([tab()], {}, nodes);
    sim.clearLog();
    const res = await helper
      .request()
      .post('/egauge-meter/test')
      .send({ url: sim.url, username: 'owner', password: PASSWORD });
    assert.equal(res.status, 401);
    assert.equal(sim.log.length, 0);
    const typed = await helper
      .request()
      .post('/egauge-meter/devices')
      .send({ url: sim.url, username: 'owner', password: PASSWORD });
    assert.equal(typed.status, 403, 'a read route takes no address or login of its own');
    const draft = await helper
      .request()
      .post('/egauge-meter/draft/devices')
      .send({ url: sim.url, username: 'owner', password: PASSWORD });
    assert.equal(draft.status, 401);
    assert.equal(sim.log.length, 0);
  });
});
