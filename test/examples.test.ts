import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CLI_PORT, parseCliArgs } from '../src/sim/cli-args';
import type { MeterSimulator } from '../src/sim/types';
import {
  ALL_NODES,
  credentials,
  errors,
  eventually,
  helper,
  lastStatus,
  load,
  METER_ID,
  startSim,
  wait,
} from './helpers/flow';
import { readmeSection } from './helpers/readme';

type FlowNode = Record<string, unknown> & { id: string; type: string };

const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');
const OUR_TYPES = new Set([
  'egauge-meter',
  'prm3 mask',
  'prm3 scpi',
  'prm3 discover',
  'egauge register',
  'load shedder',
]);
const CORE_FILES: Record<string, string> = {
  inject: 'common/20-inject.js',
  debug: 'common/21-debug.js',
  catch: 'common/25-catch.js',
  'link in': 'common/60-link.js',
  'link out': 'common/60-link.js',
  comment: 'common/90-comment.js',
  function: 'function/10-function.js',
  change: 'function/15-change.js',
};
const DASHBOARD_TYPES = new Set(['ui-base', 'ui-page', 'ui-group', 'ui-theme', 'ui-switch', 'ui-text']);

function examples(): Map<string, FlowNode[]> {
  const found = new Map<string, FlowNode[]>();
  for (const file of readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const parsed: unknown = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
    assert.ok(Array.isArray(parsed), `${file} is a flow array`);
    found.set(file.replace(/\.json$/, ''), parsed as FlowNode[]);
  }
  return found;
}

function coreModules(flow: FlowNode[]): Array<(RED: unknown) => void> {
  const files = new Set(flow.map((n) => CORE_FILES[n.type]).filter((f): f is string => f !== undefined));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the core nodes a flow uses, chosen by type
  return [...files].map((f) => require(`@node-red/nodes/core/${f}`) as (RED: unknown) => void);
}

/** The example pointed at the test simulator, with the test's meter id so the helper's credentials apply. */
function againstSim(flow: FlowNode[], sim: MeterSimulator): FlowNode[] {
  const meterIds = new Set(flow.filter((n) => n.type === 'egauge-meter').map((n) => n.id));
  return flow.map((n) => {
    if (meterIds.has(n.id)) return { ...n, id: METER_ID, url: sim.url };
    if (typeof n['meter'] === 'string' && meterIds.has(n['meter'])) return { ...n, meter: METER_ID };
    return n;
  });
}

describe('examples', function () {
  const all = examples();

  it('has one flow per node type at least, plus load shedding and a dashboard panel', function () {
    const used = new Set([...all.values()].flat().map((n) => n.type));
    for (const type of OUR_TYPES) assert.ok(used.has(type), `an example uses ${type}`);
    for (const name of [
      'load-shedding',
      'dashboard-relay-panel',
      'power-readings',
      'seed-sequence',
      'relay-toggle',
      'scpi-console',
      'discovery',
    ]) {
      assert.ok(all.has(name), `examples/${name}.json`);
    }
  });

  it('opens every flow with a comment and uses only known node types', function () {
    for (const [name, flow] of all) {
      const first = flow.find((n) => n.type !== 'tab');
      assert.equal(first?.type, 'comment', `${name} starts with a comment node`);
      const info = first?.['info'];
      assert.ok(typeof info === 'string' && info.length > 80, `${name}'s comment explains the flow`);
      for (const n of flow) {
        const known = n.type === 'tab' || OUR_TYPES.has(n.type) || n.type in CORE_FILES || DASHBOARD_TYPES.has(n.type);
        assert.ok(known, `${name}: unexpected node type ${n.type}`);
      }
    }
  });

  it('says in a comment and in the README exactly what to do before deploying', function () {
    const cli = parseCliArgs([]);
    assert.ok('settings' in cli);
    const { host, user, password } = cli.settings;
    const { name: packageName } = JSON.parse(
      readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8'),
    ) as { name: string };
    const flat = (text: string): string => text.replace(/\s+/g, ' ').trim();
    const readme = flat(readmeSection('Before you deploy an example'));
    for (const [name, flow] of all) {
      const setup = flow.filter((n) => n.type === 'comment' && String(n['name']).startsWith('Before you deploy'));
      assert.equal(setup.length, 1, `${name} has one "Before you deploy" comment`);
      const title = String(setup[0]?.['name']);
      const info = String(setup[0]?.['info']);
      // What the canvas shows without opening anything.
      for (const must of ['npx egauge-sim', `user ${user}`, `password ${password}`])
        assert.ok(title.includes(must), `${name}: the comment's title says ${must}`);
      for (const must of [
        '`npx egauge-sim`',
        `\`npx -p ${packageName} egauge-sim\``,
        `\`http://${host}:${DEFAULT_CLI_PORT}\``,
        `Username **${user}**`,
        `Password **${password}**`,
        '*Meter* URL',
        '3. Deploy.',
      ]) {
        assert.ok(info.includes(must), `${name}: the steps say ${must}`);
      }
      const meters = flow.filter((n) => n.type === 'egauge-meter');
      assert.ok(meters.length > 0, `${name} has a meter node`);
      for (const meter of meters) {
        assert.equal(
          meter['url'],
          `http://${host}:${DEFAULT_CLI_PORT}`,
          `${name}: the meter node is where egauge-sim listens by default`,
        );
        assert.ok(info.includes(`*${String(meter['name'])}*`), `${name}: the steps name the meter node`);
      }
      assert.ok(readme.includes(flat(info)), `the README lists the same steps as ${name}`);
    }
  });

  it('keeps ids unique across all examples, so they can be imported together', function () {
    const seen = new Map<string, string>();
    for (const [name, flow] of all) {
      for (const n of flow) {
        assert.ok(!seen.has(n.id), `${name}: id ${n.id} also used in ${seen.get(n.id) ?? ''}`);
        seen.set(n.id, name);
      }
    }
  });

  it('never ships a password', function () {
    for (const [name, flow] of all) {
      for (const n of flow.filter((m) => m.type === 'egauge-meter')) {
        assert.ok(!('credentials' in n) && !('password' in n), `${name}: meter node carries no credentials`);
      }
    }
  });

  it('wires every dashboard switch to show the confirmed state', function () {
    const flow = all.get('dashboard-relay-panel') ?? [];
    const byId = new Map(flow.map((n) => [n.id, n]));
    const switches = flow.filter((n) => n.type === 'ui-switch');
    assert.equal(switches.length, 3, 'one switch per relay');
    const relays = new Set<string>();
    for (const sw of switches) {
      assert.equal(sw['passthru'], false, 'passthrough off');
      assert.equal(sw['decouple'], true, 'the indicator follows the input');
      const wires = sw['wires'] as string[][];
      const mask = byId.get(wires[0]?.[0] ?? '');
      assert.equal(mask?.type, 'prm3 mask', 'the switch commands a prm3 mask node');
      assert.equal(mask?.['output'], 'boolean');
      assert.equal(mask?.['mode'], 'latest', 'quick clicks do not pile up');
      assert.ok((mask?.['wires'] as string[][])[0]?.includes(sw.id), 'the read-back feeds the switch');
      relays.add(String(mask?.['relays']));
    }
    assert.deepEqual([...relays].sort(), ['1', '2', '3']);
    const page = flow.find((n) => n.type === 'ui-page');
    assert.equal(page?.['path'], '/relays');
    for (const type of ['ui-base', 'ui-theme', 'ui-group'])
      assert.ok(
        flow.some((n) => n.type === type),
        `includes its ${type}`,
      );
  });

  describe('deployed against the simulator', function () {
    let sim: MeterSimulator;
    const savedEnv = { ...process.env };

    beforeEach(async function () {
      sim = await startSim();
    });

    afterEach(async function () {
      await helper.unload();
      await sim.close();
      process.env = { ...savedEnv };
    });

    for (const name of [
      'seed-sequence',
      'relay-toggle',
      'scpi-console',
      'discovery',
      'power-readings',
      'load-shedding',
    ]) {
      it(`deploys ${name} with no error and switches nothing`, async function () {
        const flow = againstSim(all.get(name) ?? [], sim);
        await load(flow, credentials, [...ALL_NODES, ...coreModules(flow)]);
        const ours = flow.filter((n) => OUR_TYPES.has(n.type) && n.type !== 'egauge-meter');
        for (const n of ours) {
          assert.ok(helper.getNode(n.id), `${name}: ${n.type} "${String(n['name'])}" started`);
          assert.deepEqual(errors(n.id), [], `${name}: ${n.id} logged no error`);
        }
        assert.equal(
          sim.ctrlCalls().filter((e) => e.ctrlMethod !== 'relay.get_mask').length,
          0,
          'nothing is switched at deploy',
        );
      });
    }

    it('deployed as imported, with no login typed, says what to type and sends nothing', async function () {
      const flow = againstSim(all.get('relay-toggle') ?? [], sim);
      await load(flow, {}, [...ALL_NODES, ...coreModules(flow)]);
      const meter = flow.find((n) => n.type === 'egauge-meter')?.id ?? '';
      assert.ok(
        errors(meter).some((e) =>
          /username is not set: open the meter node and type a meter user and its password \(for egauge-sim: owner/.test(
            e,
          ),
        ),
        errors(meter).join('\n'),
      );
      assert.equal(sim.log.length, 0);
    });

    it('sheds loads in priority order and restores them in reverse, one call each', async function () {
      this.timeout(30_000);
      sim.device('USB1').setMaskDirect(7); // every load on: 1200 W base + 6000 W
      const flow = againstSim(all.get('load-shedding') ?? [], sim).map((n) =>
        n.type === 'load shedder'
          ? {
              ...n,
              shedDelayS: 0,
              restoreDelayS: 0.5,
              restoreGapS: 0,
              prm3MinSwitchS: 0,
              loads: (n['loads'] as Array<Record<string, unknown>>).map((l) => ({ ...l, minOnS: 1.5, minOffS: 1.5 })),
              powerEveryS: 0.25,
              pollS: 1,
            }
          : n,
      );
      await load(flow, credentials, [...ALL_NODES, ...coreModules(flow)]);
      const shedder = flow.find((n) => n.type === 'load shedder')?.id ?? '';
      const actuations = (): Array<{ method: string; mask: unknown; time: number }> =>
        sim
          .ctrlCalls()
          .filter((e) => e.status === 200 && e.ctrlMethod !== 'relay.get_mask')
          .map((e) => ({ method: e.ctrlMethod ?? '', mask: e.args?.[0], time: e.time }));

      // 7200 W over 6 kW: the pool pump (relay 3, lowest priority) goes first; 4200 W is enough.
      await eventually(() => sim.device('USB1').mask === 3, 10_000, 'the pool pump shed');
      assert.deepEqual(
        actuations().map((a) => [a.method, a.mask]),
        [['relay.open_mask', 4]],
      );
      sim.setRegister('Solar', 3000); // 7200 W with the pump off: the water heater goes too, both phases in one call
      await eventually(() => sim.device('USB1').mask === 0, 10_000, 'the water heater shed');
      await eventually(
        () => /shed: water heater, pool pump|shed: pool pump, water heater/.test(lastStatus(shedder)?.text ?? ''),
        5_000,
        'the status names the shed loads',
      );
      await wait(2000); // both past their minimum off time: the restore order is the priorities' alone
      sim.setRegister('Solar', -6000); // now -4800 W: restore, highest priority first, one at a time
      await eventually(() => sim.device('USB1').mask === 7, 15_000, 'both loads restored');
      const done = actuations();
      assert.deepEqual(
        done.map((a) => [a.method, a.mask]),
        [
          ['relay.open_mask', 4],
          ['relay.open_mask', 3],
          ['relay.close_mask', 3],
          ['relay.close_mask', 4],
        ],
      );
      for (const mask of [3, 4]) {
        const times = done.filter((a) => a.mask === mask).map((a) => a.time);
        assert.ok(
          times.length === 2 && (times[1] ?? 0) - (times[0] ?? 0) >= 1500,
          `load ${mask} never switched again within its minimum time`,
        );
      }
      await eventually(() => /^-?[\d.]+ \/ 6\.0 kW$/.test(lastStatus(shedder)?.text ?? ''), 5_000, 'nothing shed');
    });
  });
});
