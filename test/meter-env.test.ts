/** `${NAME}` for a meter's URL, username and password, as Node-RED users of fleets set them up. */
import assert from 'node:assert/strict';
import type { MeterSimulator } from '../src/sim/types';
import {
  errors,
  helper,
  load,
  meterConfig,
  METER_ID,
  nextMessage,
  PASSWORD,
  startSim,
  TAB,
  tab,
  type Msg,
} from './helpers/flow';

const NAMES = {
  url: 'EGAUGE_TEST_METER_URL',
  username: 'EGAUGE_TEST_METER_USER',
  password: 'EGAUGE_TEST_METER_PASSWORD',
} as const;
const REFERENCES = { url: `\${${NAMES.url}}`, username: `\${${NAMES.username}}`, password: `\${${NAMES.password}}` };

type Json = Record<string, unknown>;

function scanFlow(sim: MeterSimulator): Record<string, unknown>[] {
  return [
    tab(),
    meterConfig(sim, { url: REFERENCES.url }),
    { id: 'scan', type: 'prm3 discover', z: TAB, meter: METER_ID, wires: [['out']] },
    { id: 'out', type: 'helper', z: TAB },
  ];
}

const envCredentials = { [METER_ID]: { username: REFERENCES.username, password: REFERENCES.password } };

describe('environment variables in meter settings', function () {
  let sim: MeterSimulator;
  beforeEach(async function () {
    sim = await startSim();
  });
  afterEach(async function () {
    await helper.unload();
    await sim.close();
    for (const name of Object.values(NAMES)) delete process.env[name];
  });

  function setEnv(): void {
    process.env[NAMES.url] = sim.url;
    process.env[NAMES.username] = 'owner';
    process.env[NAMES.password] = PASSWORD;
  }

  it('reaches the meter named by ${NAME} in the URL, username and password', async function () {
    setEnv();
    await load(scanFlow(sim), envCredentials);
    const reply = nextMessage('out');
    helper.getNode('scan').receive({});
    const msg: Msg = await reply;
    assert.deepEqual(
      (msg['payload'] as Json[]).map((d) => d['sn']),
      ['00000004'],
    );
    assert.equal(sim.logins(), 1);
    assert.equal(sim.failedLogins(), 0);
  });

  it('names the variable that is not set, and sends nothing', async function () {
    await load(scanFlow(sim), envCredentials);
    assert.ok(
      errors(METER_ID).some((e) =>
        e.includes(`the environment variable ${NAMES.url} named in the url setting is not set`),
      ),
      errors(METER_ID).join('\n'),
    );
    assert.equal(sim.log.length, 0);
  });

  it('names an unset username or password variable too', async function () {
    process.env[NAMES.url] = sim.url;
    await load(scanFlow(sim), envCredentials);
    assert.ok(
      errors(METER_ID).some((e) => e.includes(`${NAMES.username} named in the username setting is not set`)),
      errors(METER_ID).join('\n'),
    );
    assert.equal(sim.log.length, 0);
  });

  it('tests a connection typed with ${NAME} before deploy', async function () {
    setEnv();
    await load([tab()], {});
    const res = await helper
      .request()
      .post('/egauge-meter/test')
      .send({ url: REFERENCES.url, username: REFERENCES.username, password: REFERENCES.password });
    const body = res.body as Json;
    assert.equal(body['ok'], true, res.text);
    assert.equal(body['ctrl'], true);
    assert.ok(!res.text.includes(PASSWORD));
  });

  it('uses the stored password when the dialog shows the same ${NAME} as the deployed meter', async function () {
    setEnv();
    await load(scanFlow(sim), envCredentials);
    sim.clearLog();
    const res = await helper
      .request()
      .post('/egauge-meter/test')
      .send({ id: METER_ID, url: REFERENCES.url, username: REFERENCES.username, password: '__PWRD__' });
    assert.equal((res.body as Json)['ok'], true, res.text);
  });
});
