/**
 * A Node-RED child process with this package, the widget package (from the working tree) and
 * Dashboard 2.0, for flows that feed the relay widget directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { claimPort } from '../../demo/ports';
import { waitFor } from '../../demo/wait-for';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface WidgetRed {
  url: string;
  deploy(flow: unknown[]): Promise<void>;
  /** POSTs a JSON body to an `http in` node's path. */
  post(route: string, body: unknown): Promise<void>;
  /** A global context value, as the admin API gives it. */
  global(key: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** The example's dashboard: base, themes, pages and groups. */
export function exampleDashboard(): Array<Record<string, unknown>> {
  const example = JSON.parse(
    readFileSync(path.join(ROOT, 'dashboard', 'examples', 'relay-panel.json'), 'utf8'),
  ) as Array<Record<string, unknown>>;
  return example.filter((n) => ['ui-base', 'ui-theme', 'ui-page', 'ui-group'].includes(String(n['type'])));
}

export async function startWidgetRed(): Promise<WidgetRed> {
  const userDir = mkdtempSync(path.join(tmpdir(), 'widget-red-'));
  const port = await claimPort(0, '127.0.0.1', 'Node-RED', '--port');
  const settings = {
    uiHost: '127.0.0.1',
    uiPort: port,
    flowFile: 'flows.json',
    // The widget's directory: Dashboard 2.0 finds a third-party widget through the package.json that declares it.
    nodesDir: [ROOT, path.join(ROOT, 'dashboard')],
    logging: { console: { level: 'warn' } },
  };
  writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
  writeFileSync(path.join(userDir, 'flows.json'), '[]\n');
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  child.stderr?.on('data', (c: Buffer) => (log = (log + c.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(userDir, { recursive: true, force: true });
  };
  try {
    await waitFor(`${url}settings`, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    async deploy(flow) {
      const res = await request(`${url}flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
        body: JSON.stringify(flow),
      });
      const text = await res.body.text();
      if (res.statusCode !== 204 && res.statusCode !== 200) throw new Error(`deploy: HTTP ${res.statusCode} ${text}`);
    },
    async post(route, body) {
      // A deploy answers before its nodes have started: until then the route is not there.
      const end = Date.now() + 15_000;
      for (;;) {
        const res = await request(`${url}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        await res.body.dump();
        if (res.statusCode < 300) return;
        if (res.statusCode !== 404 || Date.now() > end) throw new Error(`POST /${route}: HTTP ${res.statusCode}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async global(key) {
      const res = await request(`${url}context/global/${encodeURIComponent(key)}`, {
        headers: { accept: 'application/json' },
      });
      // The admin API gives the value encoded for the editor's sidebar: JSON text in `msg`.
      const body = (await res.body.json()) as { msg?: unknown } | undefined;
      return typeof body?.msg === 'string' ? (JSON.parse(body.msg) as unknown) : body?.msg;
    },
    stop,
  };
}
