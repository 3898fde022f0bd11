/** The widget package as Dashboard 2.0 finds it, and what its README promises about it. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const DASHBOARD_DIR = path.resolve(__dirname, '..', '..', 'dashboard');
const PACKAGE = JSON.parse(readFileSync(path.join(DASHBOARD_DIR, 'package.json'), 'utf8')) as {
  name: string;
  'node-red': { nodes: Record<string, string> };
  'node-red-dashboard-2': { widgets: Record<string, { output: string; component: string }> };
};
const README = readFileSync(path.join(DASHBOARD_DIR, 'README.md'), 'utf8');
const TESTED_DASHBOARD = (
  JSON.parse(readFileSync(require.resolve('@flowfuse/node-red-dashboard/package.json'), 'utf8')) as { version: string }
).version;

describe('the widget package', function () {
  it('is one Dashboard 2.0 loads: its name and its widget declared for the node type', function () {
    // Dashboard 2.0 loads third-party widgets only from packages named like this.
    assert.ok(PACKAGE.name.includes('node-red-dashboard-2-'), PACKAGE.name);
    assert.deepEqual(Object.keys(PACKAGE['node-red'].nodes), ['ui-prm3-loads']);
    assert.deepEqual(PACKAGE['node-red-dashboard-2'].widgets, {
      'ui-prm3-loads': { output: 'ui-prm3-loads.umd.js', component: 'UIPrm3Loads' },
    });
  });

  it('builds a page file that leaves Vue to the dashboard and exports the declared component', function () {
    const built = readFileSync(path.join(DASHBOARD_DIR, 'resources', 'ui-prm3-loads.umd.js'), 'utf8');
    assert.match(built, /require\("vue"\)/, 'Vue is external');
    assert.ok(!built.includes('createRenderer('), 'Vue itself is not bundled');
    assert.match(built, /UIPrm3Loads/);
    assert.ok(!built.includes('sourceMappingURL'), 'no source map reference');
  });

  it('states its gzip size in the README, as built, under 40 kB', function () {
    const built = readFileSync(path.join(DASHBOARD_DIR, 'resources', 'ui-prm3-loads.umd.js'));
    const kB = gzipSync(built, { level: 9 }).length / 1000;
    const stated = /`resources\/ui-prm3-loads\.umd\.js`: ([\d.]+) kB gzipped/.exec(README.replace(/\s+/g, ' '));
    assert.ok(stated?.[1], 'the README gives the size');
    assert.ok(Math.abs(Number(stated[1]) - kB) <= 0.3, `README says ${stated[1]} kB, the build is ${kB.toFixed(2)} kB`);
    assert.ok(kB < 40, `${kB} kB`);
  });

  it('gives the Dashboard 2.0 version the tests run with as the minimum', function () {
    assert.match(
      README,
      new RegExp(
        `\`@flowfuse/node-red-dashboard\` \\(Dashboard 2\\.0\\) ${TESTED_DASHBOARD.replaceAll('.', '\\.')} or later`,
      ),
    );
    const help = readFileSync(path.join(DASHBOARD_DIR, 'nodes', 'locales', 'en-US', 'ui-prm3-loads.html'), 'utf8');
    assert.match(help, new RegExp(`${TESTED_DASHBOARD.replaceAll('.', '\\.')} or later`));
  });
});

describe('the widget flood benchmark in the README', function () {
  it('gives the figures bench/results.json holds', function () {
    const results = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'bench', 'results.json'), 'utf8')) as {
      widgetFlood?: {
        messagesPerSecond: number;
        seconds: number;
        quiet: { frameMsP95: number; longTasks: number };
        flood: { frameMsP95: number; frameMsMax: number; longTasks: number };
      };
    };
    const f = results.widgetFlood;
    assert.ok(f, 'bench/results.json has widgetFlood');
    const text = README.replace(/\s+/g, ' ');
    assert.ok(text.includes(`A flood of ${f.messagesPerSecond} state messages a second`));
    assert.ok(
      text.includes(
        `over ${f.seconds} s, frame time p95 ${f.flood.frameMsP95} ms (max ${f.flood.frameMsMax} ms) and ${f.flood.longTasks} long tasks; quiet, p95 ${f.quiet.frameMsP95} ms and ${f.quiet.longTasks} long tasks`,
      ),
      'the README’s figures are the recorded ones',
    );
  });
});
