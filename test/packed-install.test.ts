/**
 * What users install: a checkout that was never built is packed (`npm pack` runs the package's
 * own build), the tarball installed into a fresh Node-RED user directory with production
 * dependencies only, and Node-RED and `egauge-sim` started from it as real processes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { request } from 'undici';
import { claimPort } from '../demo/ports';
import { waitFor } from '../demo/wait-for';
import { startSimulator } from '../src/sim';
import type { MeterSimulator } from '../src/sim/types';
import { keepScreenshots, launchChromium } from './helpers/browser';
import { eventually } from './helpers/flow';

const ROOT = path.resolve(__dirname, '..', '..');
const MODULE = '@relayworks/node-red-egauge-prm3';
const WIDGET_MODULE = '@relayworks/node-red-dashboard-2-prm3';
/** The Dashboard 2.0 the tests run with: the lowest the READMEs promise. */
const DASHBOARD_VERSION = (
  JSON.parse(readFileSync(require.resolve('@flowfuse/node-red-dashboard/package.json'), 'utf8')) as { version: string }
).version;
const TYPES = ['egauge-meter', 'prm3 mask', 'prm3 scpi', 'prm3 discover', 'egauge register', 'load shedder'];
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

/**
 * The environment of a user's shell: without what an enclosing `npm test` or `npx -p node@22`
 * put there (its `npm_config_package` would make every inner npx fetch that package).
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return { ...env, npm_config_loglevel: 'error' };
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: userEnv() });
}

function npm(args: string[], cwd: string): string {
  return run(NPM, args, cwd);
}

/**
 * The files a fresh clone of this working tree has: tracked or new, never ignored, so no
 * dist/ and no node_modules/. Dependencies are linked from this checkout: packing needs no network.
 */
function freshCheckout(into: string): string {
  for (const file of sourceFiles()) {
    const from = path.join(ROOT, file);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted but not yet committed
    mkdirSync(path.dirname(path.join(into, file)), { recursive: true });
    copyFileSync(from, path.join(into, file));
  }
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(into, 'node_modules'), 'dir');
  return into;
}

/** Git's list when this is a git work tree; otherwise every file outside what .gitignore names. */
function sourceFiles(): string[] {
  try {
    return run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT)
      .split('\0')
      .filter((f) => f !== '');
  } catch {
    const ignored = readFileSync(path.join(ROOT, '.gitignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim().replace(/^\/|\/$/g, ''))
      .filter((line) => line !== '');
    const skip = (file: string): boolean =>
      file.split('/').some((part) => part === '.git' || part === 'node_modules') ||
      ignored.some((pattern) =>
        pattern.startsWith('*') ? file.endsWith(pattern.slice(1)) : file === pattern || file.startsWith(`${pattern}/`),
      );
    return filesUnder(ROOT).filter((file) => !skip(file));
  }
}

/** Every file under `dir`, relative to it, with forward slashes. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = `${prefix}${entry.name}`;
    if (entry.isDirectory())
      return entry.name === 'node_modules' ? [] : filesUnder(path.join(dir, entry.name), `${relative}/`);
    return [relative];
  });
}

describe('the packed tarball in a fresh Node-RED', function () {
  this.timeout(240_000);
  let work: string;
  let pack: PackResult;
  let editor: string;
  let nodeRed: ChildProcess | undefined;
  let log = '';
  let sim: MeterSimulator;
  let userDir: string;
  let installed: string;
  let tarball: string;
  let widgetPack: PackResult;
  let widgetInstalled: string;

  before(async function () {
    work = mkdtempSync(path.join(tmpdir(), 'packed-'));
    const checkout = freshCheckout(path.join(work, 'checkout'));
    assert.ok(!existsSync(path.join(checkout, 'dist')), 'the checkout was never built');
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], checkout)) as PackResult[];
    assert.ok(packed[0]);
    pack = packed[0];
    tarball = path.join(work, pack.filename);
    userDir = path.join(work, 'user');
    installed = path.join(userDir, 'node_modules', ...MODULE.split('/'));
    mkdirSync(userDir, { recursive: true });
    writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-user', private: true }));
    // The widget package is packed from its own directory, as its own tarball.
    const widgetPacked = JSON.parse(
      npm(['pack', '--json', '--pack-destination', work], path.join(checkout, 'dashboard')),
    ) as PackResult[];
    assert.ok(widgetPacked[0]);
    widgetPack = widgetPacked[0];
    widgetInstalled = path.join(userDir, 'node_modules', ...WIDGET_MODULE.split('/'));
    npm(
      [
        'install',
        tarball,
        path.join(work, widgetPack.filename),
        `@flowfuse/node-red-dashboard@${DASHBOARD_VERSION}`,
        '--omit=dev',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
      ],
      userDir,
    );

    const port = await claimPort(0, '127.0.0.1', 'Node-RED', '--port');
    const settings = {
      uiHost: '127.0.0.1',
      uiPort: port,
      flowFile: 'flows.json',
      credentialSecret: 'packed-install-test',
      logging: { console: { level: 'warn' } },
    };
    writeFileSync(path.join(userDir, 'settings.js'), `module.exports = ${JSON.stringify(settings)};\n`);
    nodeRed = spawn(
      process.execPath,
      [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    nodeRed.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    nodeRed.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    editor = `http://127.0.0.1:${port}/`;
    await waitFor(`${editor}settings`, nodeRed, () => log, 90_000);
    const version = JSON.parse(readFileSync(require.resolve('node-red/package.json'), 'utf8')) as { version: string };
    console.log(
      `      Node.js ${process.version}, Node-RED ${version.version}, ${pack.filename} (${pack.files.length} files)`,
    );
    sim = await startSimulator({
      minDurationS: 0,
      users: [{ username: 'owner', password: 'Pw-packed-1', rights: ['view', 'ctrl', 'save'] }],
    });
  });

  after(async function () {
    if (nodeRed && nodeRed.exitCode === null) {
      const exited = new Promise((resolve) => nodeRed?.once('exit', resolve));
      nodeRed.kill('SIGTERM');
      await exited;
    }
    await sim?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function get(route: string, accept = 'application/json'): Promise<string> {
    const res = await request(`${editor}${route}`, { headers: { accept } });
    const text = await res.body.text();
    assert.equal(res.statusCode, 200, `GET /${route}: ${text}`);
    return text;
  }

  it('ships the built package, the editor files and examples, and nothing else', function () {
    const files = pack.files.map((f) => f.path);
    for (const must of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/src/nodes/prm3-mask/runtime.js',
      'resources/prm3-mask.js',
      'nodes/prm3-mask.html',
      'nodes/prm3-mask.js',
      'nodes/locales/en-US/prm3-mask.json',
      'nodes/icons/egauge-relay.svg',
      'nodes/prm3-discover.html',
      'nodes/locales/en-US/prm3-discover.html',
      'resources/prm3-discover.js',
      'nodes/load-shedder.html',
      'nodes/locales/en-US/load-shedder.html',
      'resources/load-shedder.js',
      'examples/load-shedding.json',
      'dist/src/sim/cli.js',
    ]) {
      assert.ok(files.includes(must), `the tarball has ${must}`);
    }
    const stray = files.filter(
      (f) =>
        f.startsWith('dist/test') ||
        f.startsWith('dist/bench') ||
        f.startsWith('dist/demo') ||
        f.startsWith('src/') ||
        f.startsWith('test/') ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    assert.deepEqual(stray, [], 'no tests, benchmarks, demo or TypeScript sources');
  });

  it('ships the widget package with its built page file, editor files and example, and no sources', function () {
    const files = widgetPack.files.map((f) => f.path);
    for (const must of [
      'package.json',
      'README.md',
      'LICENSE',
      'resources/ui-prm3-loads.umd.js',
      'dist/src/widget-node.js',
      'dist/src/model.js',
      'nodes/ui-prm3-loads.js',
      'nodes/ui-prm3-loads.html',
      'nodes/locales/en-US/ui-prm3-loads.json',
      'nodes/locales/en-US/ui-prm3-loads.html',
      'examples/relay-panel.json',
    ]) {
      assert.ok(files.includes(must), `the widget tarball has ${must}`);
    }
    const stray = files.filter(
      (f) =>
        f.startsWith('ui/') ||
        f.startsWith('src/') ||
        f.endsWith('.vue') ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    assert.deepEqual(stray, [], 'no sources');
  });

  it('registers every node type, enabled and without error', async function () {
    const sets = JSON.parse(await get('nodes')) as Array<{
      module: string;
      types: string[];
      enabled: boolean;
      err?: string;
    }>;
    const ours = sets.filter((s) => s.module === MODULE);
    assert.deepEqual(ours.flatMap((s) => s.types).sort(), [...TYPES].sort());
    for (const set of ours) assert.ok(set.enabled && set.err === undefined, JSON.stringify(set));
    const widget = sets.filter((s) => s.module === WIDGET_MODULE);
    assert.deepEqual(
      widget.map((s) => [s.types, s.enabled, s.err]),
      [[['ui-prm3-loads'], true, undefined]],
    );
  });

  it('serves each node’s editor, help, messages and icons', async function () {
    const html = await get('nodes', 'text/html');
    for (const type of TYPES) {
      assert.ok(html.includes(`data-help-name="${type}"`), `help for ${type}`);
      assert.ok(html.includes(`data-template-name="${type}"`), `edit dialog for ${type}`);
    }
    const catalogs = JSON.parse(await get('nodes/messages?lng=en-US')) as Record<string, Record<string, unknown>>;
    for (const set of ['egauge-meter', 'prm3-mask', 'prm3-scpi', 'prm3-discover', 'egauge-register', 'load-shedder']) {
      const catalog = catalogs[`${MODULE}/${set}`];
      assert.ok(catalog && Object.keys(catalog).length > 0, `messages for ${set}`);
    }
    // The icons' one copy in git is icons/; the build puts them where Node-RED looks, nodes/icons/.
    assert.ok(html.includes('data-help-name="ui-prm3-loads"'), 'help for the widget');
    assert.ok(html.includes('data-template-name="ui-prm3-loads"'), 'edit dialog for the widget');
    const widgetCatalog = catalogs[`${WIDGET_MODULE}/ui-prm3-loads`];
    assert.ok(widgetCatalog && Object.keys(widgetCatalog).length > 0, 'messages for the widget');
    const icons = JSON.parse(await get('icons')) as Record<string, string[]>;
    for (const icon of readdirSync(path.join(ROOT, 'icons'))) {
      assert.ok(
        (icons[MODULE] ?? []).includes(icon),
        `${icon} in the palette's icons: ${JSON.stringify(icons[MODULE])}`,
      );
      assert.equal(
        await get(`icons/${MODULE}/${icon}`, 'image/svg+xml'),
        readFileSync(path.join(ROOT, 'icons', icon), 'utf8'),
      );
    }
    // A dialog built from src/nodes/<set>/editor.ts is a script the package serves from its resources/.
    const src = `resources/${MODULE}/prm3-discover.js`;
    assert.ok(html.includes(`src="${src}"`), 'the discover dialog loads its script');
    assert.ok((await get(src, '*/*')).includes('RED.nodes.registerType("prm3 discover"'));
  });

  it('deploys the relay example against the simulator and switches a relay from its inject node', async function () {
    const example = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'relay-toggle.json'), 'utf8')) as Array<
      Record<string, unknown>
    >;
    const flow = example.map((n) =>
      n['type'] === 'egauge-meter'
        ? { ...n, url: sim.url, credentials: { username: 'owner', password: 'Pw-packed-1' } }
        : n,
    );
    const res = await request(`${editor}flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
      body: JSON.stringify(flow),
    });
    assert.equal(res.statusCode, 204, await res.body.text());
    const on = example.find((n) => n['type'] === 'inject' && n['payload'] === 'true');
    assert.ok(on, 'the example has an "on" inject');
    assert.equal(sim.device('USB1').mask, 0);
    // The deploy answers before every node has started: press the button once the node is there.
    const end = Date.now() + 15_000;
    for (;;) {
      const injected = await request(`${editor}inject/${String(on['id'])}`, { method: 'POST' });
      const text = await injected.body.text();
      if (injected.statusCode === 200) break;
      assert.ok(injected.statusCode === 404 && Date.now() < end, `inject answered ${injected.statusCode} ${text}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await eventually(() => sim.device('USB1').mask === 7, 15_000, 'the relays closed');
    assert.equal(sim.ctrlCalls('relay.close_mask').filter((e) => e.status === 200).length, 1, 'one close_mask call');
    assert.ok(!log.includes('Pw-packed-1'), 'the password never reaches the log');
  });
  it('ships no source map, and no file points at a map or a source it does not ship', function () {
    noSourceMaps(installed);
    noSourceMaps(widgetInstalled);
  });

  function noSourceMaps(installed: string): void {
    const files = filesUnder(installed);
    assert.deepEqual(
      files.filter((f) => f.endsWith('.map')),
      [],
      'no .map files',
    );
    for (const file of files.filter((f) => /\.(js|ts)$/.test(f))) {
      const reference = /\/\/# sourceMappingURL=(\S+)/.exec(readFileSync(path.join(installed, file), 'utf8'));
      assert.equal(reference, null, `${file} refers to ${reference?.[1] ?? ''}`);
    }
  }

  it('renders the relay widget from the installed packages in Chromium, with no ui-template', async function () {
    const example = JSON.parse(
      readFileSync(path.join(ROOT, 'dashboard', 'examples', 'relay-panel.json'), 'utf8'),
    ) as Array<Record<string, unknown>>;
    assert.ok(!example.some((n) => n['type'] === 'ui-template'));
    const flow = example.map((n) =>
      n['type'] === 'egauge-meter'
        ? { ...n, url: sim.url, credentials: { username: 'owner', password: 'Pw-packed-1' } }
        : n,
    );
    const res = await request(`${editor}flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'node-red-deployment-type': 'full' },
      body: JSON.stringify(flow),
    });
    assert.equal(res.statusCode, 204, await res.body.text());
    const launched = await launchChromium();
    if (typeof launched === 'string') {
      console.log(`      browser check skipped: ${launched}`);
      this.skip();
    }
    const page = await launched.newPage();
    try {
      await page.goto(`${editor}dashboard/relays`);
      const relay1 = page.locator('.prm3-loads [data-load="relay 1"]');
      // The relay example before this one closed every relay.
      await relay1.locator('[data-role=state][data-state=on]').waitFor({ timeout: 30_000 });
      await relay1.locator('button[data-action=off]').click();
      await eventually(() => (sim.device('USB1').mask & 1) === 0, 15_000, 'relay 1 opened by the widget');
      await relay1.locator('[data-role=state][data-state=off]').waitFor({ timeout: 15_000 });
    } catch (error) {
      const saved = await keepScreenshots('packed widget', [page]);
      console.log(`      screenshots: ${saved.join(', ')}`);
      throw error;
    } finally {
      await launched.close();
    }
  });

  describe('egauge-sim from the install', function () {
    let sim: ChildProcess | undefined;

    after(async function () {
      if (sim?.pid !== undefined && sim.exitCode === null && sim.signalCode === null) {
        const exited = new Promise((resolve) => sim?.once('exit', resolve));
        process.kill(-sim.pid, 'SIGTERM');
        await exited;
      }
    });

    it('prints its usage with `npx egauge-sim --help` in the Node-RED user directory', function () {
      const usage = run(NPX, ['--no-install', 'egauge-sim', '--help'], userDir);
      assert.match(usage, /^Usage: egauge-sim \[options\]/);
      assert.match(usage, /--password PW/);
    });

    it('prints its usage with `npx -p <package> egauge-sim --help` from anywhere', function () {
      const elsewhere = mkdtempSync(path.join(work, 'elsewhere-'));
      const usage = run(NPX, ['--yes', '--prefer-offline', '-p', tarball, 'egauge-sim', '--help'], elsewhere);
      assert.match(usage, /^Usage: egauge-sim \[options\]/);
    });

    it('starts with `npx egauge-sim`, answers the WebAPI, and stops on Ctrl+C', async function () {
      // Its own process group, so the signal reaches the simulator under npx as a terminal's would.
      sim = spawn(NPX, ['--no-install', 'egauge-sim', '--port', '0'], {
        cwd: userDir,
        detached: true,
        env: userEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      sim.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      sim.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      // Its last start-up line: the output arrives in pieces.
      await eventually(() => out.includes('Stop with Ctrl+C.') || sim?.exitCode !== null, 30_000, 'egauge-sim started');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      assert.ok(url, out);
      assert.match(out, /user: +owner/);
      assert.match(out, /password: +default/);
      const res = await request(`${url}/api/auth/unauthorized`);
      const body = (await res.body.json()) as Record<string, unknown>;
      assert.equal(res.statusCode, 401);
      assert.equal(typeof body['nnc'], 'string', 'a digest login challenge');
      const exited = new Promise((resolve) => sim?.once('exit', resolve));
      process.kill(-(sim.pid ?? 0), 'SIGINT');
      await exited; // npx itself ends on the signal; what matters is the simulator under it
      assert.match(out, /egauge-sim stopped\./, out);
      await assert.rejects(request(`${url}/api/auth/unauthorized`), 'nothing listens any more');
    });
  });
});
