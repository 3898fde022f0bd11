import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Compiled tests live in dist/test; the package root is two levels up. */
const ROOT = join(__dirname, '..', '..');

interface PackageJson {
  main: string;
  'node-red': { nodes: Record<string, string> };
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;

/** Loads `files` in a fresh Node.js and returns the simulator modules that came with them. */
function simulatorModulesLoadedBy(files: readonly string[], then = ''): { loaded: string[]; output: string } {
  const script = `
    const files = ${JSON.stringify(files.map((file) => join(ROOT, file)))};
    const loaded = files.map((file) => require(file));
    const simulator = () => Object.keys(require.cache).filter((name) => /[\\\\/]dist[\\\\/]src[\\\\/]sim[\\\\/]/.test(name));
    Promise.resolve(loaded)
      .then(async (modules) => { ${then} })
      .then((output) => console.log(JSON.stringify({ loaded: simulator(), output: String(output ?? '') })));
  `;
  const text = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 });
  return JSON.parse(text.trim().split('\n').at(-1) ?? '{}') as { loaded: string[]; output: string };
}

describe('package entry points', () => {
  it('the main entry does not load the simulator', () => {
    assert.deepEqual(simulatorModulesLoadedBy([pkg.main]).loaded, []);
  });

  it('none of the node files Node-RED loads brings the simulator in', () => {
    const nodeFiles = Object.values(pkg['node-red'].nodes);
    assert.ok(nodeFiles.length >= 5);
    assert.deepEqual(simulatorModulesLoadedBy(nodeFiles).loaded, []);
  });

  it('startSimulator from the main entry still starts a simulator, loading it only then', () => {
    const { loaded, output } = simulatorModulesLoadedBy(
      [pkg.main],
      'const sim = await modules[0].startSimulator(); const url = sim.url; await sim.close(); return url;',
    );
    assert.match(output, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(loaded.length > 0, 'the simulator was loaded when asked for');
  });
});
