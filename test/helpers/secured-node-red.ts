/**
 * Node-RED as its own process with `adminAuth` on and two users, loading this package from the
 * working tree: `admin` may do everything, `viewer` may only read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { claimPort } from '../../demo/ports';
import { waitFor } from '../../demo/wait-for';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export const ACCOUNTS = {
  admin: { password: 'Admin-pw-41d7', permissions: '*' },
  viewer: { password: 'Viewer-pw-8c2e', permissions: 'read' },
} as const;

export type Account = keyof typeof ACCOUNTS;

function settingsFile(port: number): string {
  return `// Written by the test on every start.
const accounts = ${JSON.stringify(ACCOUNTS)};
const user = (username) => (accounts[username] ? { username, permissions: accounts[username].permissions } : null);
module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: 'secured-node-red-test',
  nodesDir: [${JSON.stringify(ROOT)}],
  logging: { console: { level: 'warn', audit: false } },
  editorTheme: { tours: false, projects: { enabled: false } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  adminAuth: {
    type: 'credentials',
    users: (username) => Promise.resolve(user(username)),
    authenticate: (username, password) =>
      Promise.resolve(accounts[username] !== undefined && accounts[username].password === password ? user(username) : null),
  },
};
`;
}

export interface SecuredNodeRed {
  /** Ends with `/`. */
  url: string;
  output(): string;
  /** A bearer token for one of the two users, from Node-RED's own login. */
  token(account: Account): Promise<string>;
  post(route: string, body: unknown, token?: string): Promise<{ status: number; text: string }>;
  /** A full deploy through the admin API, credentials included. */
  deploy(flows: unknown[], token: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startSecuredNodeRed(env: Record<string, string> = {}): Promise<SecuredNodeRed> {
  const userDir = mkdtempSync(path.join(tmpdir(), 'secured-node-red-'));
  const port = await claimPort(0, '127.0.0.1', 'Node-RED', '--port');
  writeFileSync(path.join(userDir, 'settings.js'), settingsFile(port));
  writeFileSync(path.join(userDir, 'flows.json'), '[]\n');
  const child: ChildProcess = spawn(
    process.execPath,
    [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_RED_ENABLE_PROJECTS: 'false', ...env },
    },
  );
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-50_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}/`;

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    }
    rmSync(userDir, { recursive: true, force: true });
  };

  const post = async (
    route: string,
    body: unknown,
    token?: string,
    extra: Record<string, string> = {},
  ): Promise<{ status: number; text: string }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...extra };
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    const res = await request(`${url}${route}`, { method: 'POST', headers, body: JSON.stringify(body) });
    return { status: res.statusCode, text: await res.body.text() };
  };

  const token = async (account: Account): Promise<string> => {
    const res = await post('auth/token', {
      client_id: 'node-red-admin',
      grant_type: 'password',
      scope: '',
      username: account,
      password: ACCOUNTS[account].password,
    });
    const reply: unknown = JSON.parse(res.text);
    const accessToken =
      typeof reply === 'object' && reply !== null ? (reply as Record<string, unknown>)['access_token'] : undefined;
    if (res.status !== 200 || typeof accessToken !== 'string')
      throw new Error(`login as ${account} failed: HTTP ${res.status} ${res.text}`);
    return accessToken;
  };

  const deploy = async (flows: unknown[], bearer: string): Promise<void> => {
    const res = await post('flows', { flows }, bearer, {
      'node-red-api-version': 'v2',
      'node-red-deployment-type': 'full',
    });
    if (res.status !== 200) throw new Error(`deploy failed: HTTP ${res.status} ${res.text}`);
  };

  try {
    await waitFor(`${url}auth/login`, child, () => log, 90_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, output: () => log, token, post: (route, body, bearer) => post(route, body, bearer), deploy, stop };
}
