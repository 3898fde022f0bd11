/**
 * The demo: the simulator in this process, and Node-RED (from the dev dependencies) as a child
 * process with a user directory inside the project, loading this package from the working
 * tree and Dashboard 2.0 from node_modules. The demo flow is deployed through the admin API,
 * which is also how the simulator's login reaches Node-RED's credential store.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { request } from 'undici';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim/types';
import { demoFlow } from './flow';
import { claimPort, PortInUseError } from './ports';
import { waitFor } from './wait-for';

export interface DemoOptions {
  /** Node-RED's port; default 1880, 0 picks a free one. */
  nodeRedPort?: number;
  /** The simulator's port; default 8080, 0 picks a free one. */
  simPort?: number;
  /** Node-RED's user directory; default `.demo` in the project. */
  userDir?: string;
  /** Keep Node-RED's log off stdout (tests). */
  quiet?: boolean;
  /** The PRM3's minimum open/close time in seconds; default 5, so a held command is easy to see. */
  minDurationS?: number;
}

export interface Demo {
  editorUrl: string;
  dashboardUrl: string;
  sim: MeterSimulator;
  stop(): Promise<void>;
}

export { PortInUseError };

const HOST = '127.0.0.1';
const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const DEMO_LOGIN = { username: 'owner', password: 'default' };

function settingsFile(port: number, quiet: boolean): string {
  const settings = {
    uiHost: HOST,
    uiPort: port,
    flowFile: 'flows.json',
    // A fixed secret: the demo's only credential is the simulator's well-known login.
    credentialSecret: 'egauge-prm3-demo',
    // The widget's own directory too: Dashboard 2.0 finds third-party widgets through a package.json that declares them.
    nodesDir: [PROJECT_ROOT, path.join(PROJECT_ROOT, 'dashboard')],
    logging: { console: { level: quiet ? 'warn' : 'info', metrics: false, audit: false } },
    editorTheme: { tours: false, projects: { enabled: false } },
    diagnostics: { enabled: false },
    telemetry: { enabled: false },
  };
  return `// Written by the demo on every start.\nmodule.exports = ${JSON.stringify(settings, null, 2)};\n`;
}

async function deploy(editorUrl: string, flow: unknown[]): Promise<void> {
  const res = await request(`${editorUrl}flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'node-red-api-version': 'v1', 'node-red-deployment-type': 'full' },
    body: JSON.stringify(flow),
  });
  const text = await res.body.text();
  if (res.statusCode !== 204 && res.statusCode !== 200)
    throw new Error(`deploying the demo flow failed: HTTP ${res.statusCode} ${text}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const nodeRedPort = await claimPort(options.nodeRedPort ?? 1880, HOST, 'Node-RED', '--port');
  const simPort = await claimPort(options.simPort ?? 8080, HOST, 'meter simulator', '--sim-port');
  const userDir = options.userDir ?? path.join(PROJECT_ROOT, '.demo');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, 'settings.js'), settingsFile(nodeRedPort, options.quiet === true));
  // Start from an empty flow: the demo flow arrives through the admin API with its credentials.
  writeFileSync(path.join(userDir, 'flows.json'), '[]\n');

  let sim: MeterSimulator;
  try {
    sim = await startSimulator({
      host: HOST,
      port: simPort,
      users: [{ ...DEMO_LOGIN, rights: ['view', 'ctrl', 'save'] }],
      minDurationS: options.minDurationS ?? 5,
      prm3s: [{ sn: '00000004', port: 'USB1', mask: 7 }],
      baseLoadW: 2000,
      baseLoadSwing: { amplitudeW: 2500, periodS: 120 },
    });
  } catch (error) {
    if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new PortInUseError(simPort, 'meter simulator', '--sim-port');
    throw error;
  }

  const redJs = require.resolve('node-red/red.js');
  const child = spawn(
    process.execPath,
    [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false' },
    },
  );
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
    if (options.quiet !== true) process.stdout.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const editorUrl = `http://${HOST}:${nodeRedPort}/`;
  const dashboardUrl = `${editorUrl}dashboard/relays`;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= stopChild(child).then(() => sim.close());
    return stopped;
  };
  try {
    await waitFor(`${editorUrl}settings`, child, () => log);
    await deploy(editorUrl, demoFlow(path.join(PROJECT_ROOT, 'examples'), sim.url, DEMO_LOGIN));
    await waitFor(dashboardUrl, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { editorUrl, dashboardUrl, sim, stop };
}
