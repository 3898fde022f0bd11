/** What the README tells a user to type and rely on, run or checked as written. */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PLOT_FILE } from '../bench/shed/plot';
import { runCli } from '../src/sim/cli';
import { DEFAULT_CLI_PORT, parseCliArgs } from '../src/sim/cli-args';
import type { MeterSimulator } from '../src/sim/types';
import { IMAGES_DIR, README_SCREENSHOTS } from './helpers/browser';
import { README, readmeSection } from './helpers/readme';

const ROOT = path.resolve(__dirname, '..', '..');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The fenced code blocks of `text` in the given language, in order. */
function codeBlocks(text: string, language: string): string[] {
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === language).map((m) => m[2] ?? '');
}

function hasCurl(): boolean {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('README', function () {
  describe('driving the simulator with curl', function () {
    let sim: MeterSimulator | undefined;
    const defaults = parseCliArgs([]);

    before(function () {
      if (hasCurl()) return;
      if (process.env['CI'] !== undefined) throw new Error('curl is missing: .ci/run installs it');
      console.log('      skipped: curl is not installed');
      this.skip();
    });

    after(async function () {
      await sim?.close();
    });

    it('logs in, sets the mask and reads it back with exactly the commands shown', async function () {
      assert.ok('settings' in defaults);
      const section = readmeSection('Driving the simulator with curl');
      const [script] = codeBlocks(section, 'sh');
      const [printed] = codeBlocks(section, 'text');
      assert.ok(script !== undefined && printed !== undefined, 'a shell block and what it prints');
      const address = `${defaults.settings.host}:${DEFAULT_CLI_PORT}`;
      assert.ok(script.includes(`http://${address}/api`), 'the commands use egauge-sim’s default address');

      // The simulator exactly as `egauge-sim` starts it, on a free port instead of its default.
      const lines: string[] = [];
      const started = await runCli(['--port', '0'], {
        out: (line) => lines.push(line),
        err: (line) => lines.push(line),
      });
      sim = started.simulator;
      assert.ok(sim, lines.join('\n'));
      const output = await new Promise<string>((resolve, reject) => {
        execFile(
          'sh',
          ['-c', script.replaceAll(address, `127.0.0.1:${sim?.port ?? 0}`)],
          { timeout: 15_000 },
          (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
        );
      });

      assert.equal(output, printed);
      assert.equal(sim.device('USB1').mask, 5, 'relays 1 and 3 closed, relay 2 open');
      assert.deepEqual(
        sim.ctrlCalls().map((e) => [e.ctrlMethod, e.args]),
        [
          ['relay.set_mask', [5]],
          ['relay.get_mask', []],
        ],
      );
      assert.equal(sim.logins(), 1, 'one digest login');
      const sent = JSON.stringify(sim.log.map((e) => e.body ?? null));
      assert.ok(!sent.includes(defaults.settings.password), 'the password itself was never sent');
    });
  });

  it('documents egauge-sim as it runs: from the install, or with npx -p and the package name', function () {
    assert.ok(PACKAGE.bin['egauge-sim'], 'the package has the egauge-sim command');
    const section = readmeSection('The simulator');
    assert.ok(section.includes('npx egauge-sim'), 'npx egauge-sim, in the user directory of the install');
    assert.ok(section.includes(`npx -p ${PACKAGE.name} egauge-sim`), 'npx -p with the package’s name, elsewhere');
    const defaults = parseCliArgs([]);
    assert.ok('settings' in defaults);
    const { host, user, password } = defaults.settings;
    assert.ok(
      section.includes(`\`http://${host}:${DEFAULT_CLI_PORT}\`, user \`${user}\`, password \`${password}\``),
      'the defaults it prints',
    );
  });

  it('gives the Dashboard 2.0 version the tests run with as the minimum', function () {
    const tested = (
      JSON.parse(readFileSync(require.resolve('@flowfuse/node-red-dashboard/package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    assert.equal(
      PACKAGE.devDependencies['@flowfuse/node-red-dashboard'],
      `^${tested}`,
      'the tests run the lowest version the range allows',
    );
    assert.match(
      README,
      new RegExp(`\`@flowfuse/node-red-dashboard\` \\(Dashboard 2\\.0\\) ${tested.replaceAll('.', '\\.')} or later`),
    );
  });
  it('shows the pictures the browser tests take, each stored in docs/images', function () {
    for (const name of README_SCREENSHOTS) {
      assert.match(
        README,
        new RegExp(`!\\[[^\\]]+\\]\\(docs/images/${name.replace('.', '\\.')}\\)`),
        `the README shows ${name}`,
      );
      const png = readFileSync(path.join(IMAGES_DIR, name));
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG', `${name} is a PNG`);
      const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      // A phone-width picture is as wide as a phone.
      const minWidth = name.includes('phone') ? 360 : 800;
      assert.ok(width >= minWidth && height >= 300, `${name} is ${width}×${height}`);
    }
    // The one other picture is the bench's plot, drawn from bench/results.json (checked with the bench).
    const shown = [...README.matchAll(/\((docs\/images\/[^)]+)\)/g)].map((m) => m[1]).filter((f) => f !== PLOT_FILE);
    assert.deepEqual(
      shown.map((f) => f?.replace('docs/images/', '')).sort(),
      [...README_SCREENSHOTS].sort(),
      'every picture in the README is one the tests take',
    );
  });
});
