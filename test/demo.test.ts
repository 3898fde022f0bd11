import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { startDemo, PortInUseError, type Demo } from '../demo/demo';
import { parseArgs } from '../demo/start';
import { eventually } from './helpers/flow';

async function getJson(url: string): Promise<unknown> {
  const res = await request(url, { headers: { accept: 'application/json', 'node-red-api-version': 'v2' } });
  assert.equal(res.statusCode, 200, url);
  return res.body.json();
}

describe('npm start: the demo', function () {
  this.timeout(90_000);
  let demo: Demo | undefined;

  after(async function () {
    await demo?.stop();
  });

  it('starts Node-RED with the package and Dashboard 2.0, and deploys the demo flow against the simulator', async function () {
    demo = await startDemo({
      nodeRedPort: 0,
      simPort: 0,
      quiet: true,
      userDir: mkdtempSync(path.join(tmpdir(), 'demo-')),
    });
    const nodes = (await getJson(`${demo.editorUrl}nodes`)) as Array<{
      module: string;
      types: string[];
      enabled: boolean;
      err?: string;
    }>;
    const ours = nodes.filter((n) => n.module === '@relayworks/node-red-egauge-prm3');
    assert.deepEqual(ours.flatMap((n) => n.types).sort(), [
      'egauge register',
      'egauge-meter',
      'load shedder',
      'prm3 discover',
      'prm3 mask',
      'prm3 scpi',
    ]);
    assert.ok(
      ours.every((n) => n.enabled && n.err === undefined),
      JSON.stringify(ours),
    );
    assert.ok(
      nodes.some((n) => n.module === '@flowfuse/node-red-dashboard' && n.err === undefined),
      'Dashboard 2.0 loaded',
    );

    const flows = (await getJson(`${demo.editorUrl}flows`)) as {
      flows: Array<{ type: string; url?: string; credentials?: unknown }>;
    };
    const meters = flows.flows.filter((n) => n.type === 'egauge-meter');
    assert.equal(meters.length, 1, 'one meter node shared by the whole demo');
    assert.equal(meters[0]?.url, demo.sim.url);
    assert.ok(!JSON.stringify(flows).includes('"password":"default"'), 'the password stays in the credential store');
    for (const type of ['ui-prm3-loads', 'load shedder', 'prm3 scpi', 'prm3 discover', 'egauge register']) {
      assert.ok(
        flows.flows.some((n) => n.type === type),
        `the demo flow has a ${type}`,
      );
    }

    const page = await request(demo.dashboardUrl);
    assert.equal(page.statusCode, 200);
    assert.match(await page.body.text(), /<html/i);
    // The nodes log in and read the simulator by themselves: the dashboard's mask nodes poll, the register node reads.
    const sim = demo.sim;
    await eventually(
      () =>
        sim.ctrlCalls('relay.get_mask').some((e) => e.status === 200) &&
        sim.log.some((e) => e.path === '/api/register'),
      20_000,
      'the demo flow talking to the simulator',
    );
  });

  it('refuses a busy port with a message that says how to choose another', async function () {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      await assert.rejects(
        startDemo({ nodeRedPort: port, simPort: 0, quiet: true, userDir: mkdtempSync(path.join(tmpdir(), 'demo-')) }),
        (error: unknown) => {
          assert.ok(error instanceof PortInUseError);
          assert.match(
            error.message,
            new RegExp(`port ${port} \\(Node-RED\\) is already in use.*npm start -- --port <port>`),
          );
          return true;
        },
      );
      await assert.rejects(
        startDemo({ nodeRedPort: 0, simPort: port, quiet: true, userDir: mkdtempSync(path.join(tmpdir(), 'demo-')) }),
        /meter simulator.*--sim-port/,
      );
    } finally {
      blocker.close();
    }
  });

  it('stops everything: both ports are free again', async function () {
    assert.ok(demo);
    const editor = new URL(demo.editorUrl);
    const sim = new URL(demo.sim.url);
    await demo.stop();
    await demo.stop(); // twice is harmless
    for (const port of [Number(editor.port), Number(sim.port)]) {
      await new Promise<void>((resolve, reject) => {
        const probe = net.createServer();
        probe.once('error', reject);
        probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
      });
    }
    demo = undefined;
  });

  it('reads ports from options and the environment, and explains bad ones', function () {
    assert.deepEqual(parseArgs(['--port', '1890', '--sim-port', '8090'], {}), { nodeRedPort: 1890, simPort: 8090 });
    assert.deepEqual(parseArgs([], { PORT: '1999', SIM_PORT: '8999' }), { nodeRedPort: 1999, simPort: 8999 });
    assert.deepEqual(parseArgs(['--port', '1890'], { PORT: '1999' }), { nodeRedPort: 1890 });
    assert.deepEqual(parseArgs(['--help'], {}), { help: true });
    assert.match((parseArgs(['--port', 'abc'], {}) as { error: string }).error, /--port needs a port number/);
    assert.match((parseArgs(['--port', '70000'], {}) as { error: string }).error, /--port needs a port number/);
    assert.match((parseArgs(['--verbose'], {}) as { error: string }).error, /unknown option "--verbose"/);
  });
});
