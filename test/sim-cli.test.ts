import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { runCli, type CliOutput, type CliRun } from '../src/sim/cli';
import { list, record, SimClient } from './fixtures/sim-client';

class Captured implements CliOutput {
  readonly lines: string[] = [];
  readonly errors: string[] = [];
  out(line: string): void {
    this.lines.push(line);
  }
  err(line: string): void {
    this.errors.push(line);
  }
}

describe('egauge-sim command line', () => {
  let run: CliRun | undefined;
  afterEach(async () => {
    await run?.simulator?.close();
    run = undefined;
  });

  it('starts with the given user, modules and settings and prints how to connect', async () => {
    const output = new Captured();
    run = await runCli(
      [
        '--port',
        '0',
        '--user',
        'demo',
        '--password=try-me',
        '--prm3',
        'A1',
        '--prm3',
        'B2@USB4',
        '--latency',
        '5',
        '--min-duration',
        '0',
      ],
      output,
    );
    assert.equal(run.exitCode, 0);
    const simulator = run.simulator;
    assert.ok(simulator !== undefined);
    const text = output.lines.join('\n');
    assert.ok(text.includes(simulator.url));
    assert.match(text, /user: +demo/);
    assert.match(text, /password: +try-me/);
    assert.match(text, /A1 on USB1/);
    assert.match(text, /B2 on USB4/);
    assert.deepEqual(output.errors, []);
    const client = new SimClient(simulator.url);
    await client.login('demo', 'try-me');
    assert.deepEqual(await client.call({ sn: 'B2' }, 'relay.set_mask', [3]), { result: false });
    assert.equal(simulator.device('USB4').mask, 3);
  });

  it('sets the base load and lets it swing, with relay loads on top', async () => {
    const output = new Captured();
    run = await runCli(
      ['--port', '0', '--base-load', '2000', '--load-swing', '1500@120', '--min-duration', '0'],
      output,
    );
    assert.equal(run.exitCode, 0);
    assert.match(output.lines.join('\n'), /grid power 2000 W with every relay open, swinging by 1500 W over 120 s/);
    const simulator = run.simulator;
    assert.ok(simulator !== undefined);
    const client = new SimClient(simulator.url);
    await client.login();
    const grid = async (): Promise<number> => {
      const registers = list(record((await client.get('/register?rate')).body)['registers']).map(record);
      return Number(registers.find((entry) => entry['name'] === 'Grid')?.['rate']);
    };
    const open = await grid();
    assert.ok(open >= 500 && open <= 3500, `base load ${open} W stays within 2000 ± 1500 W`);
    await client.call({ sn: '00000004' }, 'relay.set_mask', [7]);
    assert.ok((await grid()) > open + 5000, 'closed relays add their loads (6 kW in all)');
  });

  it('serves https with the bundled demo certificate', async () => {
    run = await runCli(['--port', '0', '--https'], new Captured());
    const url = `${run.simulator?.url ?? ''}/api/auth/unauthorized`;
    assert.match(url, /^https:/);
    const ca = readFileSync(join(__dirname, '..', '..', 'test', 'fixtures', 'ca.pem'), 'utf8');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      httpsRequest(url, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 401);
  });

  it('prints help and exits 0 without starting anything', async () => {
    const output = new Captured();
    run = await runCli(['--help'], output);
    assert.deepEqual([run.exitCode, run.simulator], [0, undefined]);
    assert.match(output.lines.join('\n'), /--prm3 SN\[@PORT\]/);
  });

  it('names a bad option in one line', async () => {
    for (const argv of [
      ['--bogus'],
      ['--port'],
      ['--port', 'x'],
      ['--port', '70000'],
      ['--min-duration', '300'],
      ['--prm3', '@USB1'],
      ['--latency', '-1'],
      ['--base-load', 'lots'],
      ['--load-swing', '100@0'],
      ['--load-swing', '1@2@3'],
    ]) {
      const output = new Captured();
      run = await runCli(argv, output);
      assert.equal(run.exitCode, 2, argv.join(' '));
      assert.equal(run.simulator, undefined);
      assert.equal(output.errors.length, 1);
      assert.match(output.errors[0] ?? '', /^egauge-sim: /);
    }
  });

  it('explains a busy port in one line and exits 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const address = blocker.address();
      assert.ok(address !== null && typeof address === 'object');
      const output = new Captured();
      run = await runCli(['--port', String(address.port)], output);
      assert.equal(run.exitCode, 1);
      assert.deepEqual(output.errors, [
        `egauge-sim: port ${address.port} on 127.0.0.1 is already in use; choose another with --port`,
      ]);
      assert.deepEqual(output.lines, []);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('runs as a program and stops cleanly on SIGTERM', async function () {
    this.timeout(10_000);
    const child = spawn(process.execPath, [join(__dirname, '..', 'src', 'sim', 'cli.js'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      while (!stdout.includes('Stop with Ctrl+C.')) {
        if (child.exitCode !== null) assert.fail(`exited early: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      assert.ok(url !== undefined);
      assert.equal((await new SimClient(url).get('/auth/unauthorized')).status, 401);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(stdout, /stopped/);
      assert.equal(stderr, '');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
