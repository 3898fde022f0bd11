/** How the demo flow is put together from the examples and the widget package's relay panel. */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_EXAMPLES, demoFlow } from '../demo/flow';

const EXAMPLES = path.resolve(__dirname, '..', '..', 'examples');
const LOGIN = { username: 'owner', password: 'default' };

describe('the demo flow', function () {
  it('has the widget package’s relay panel, fed by prm3 mask and sending back to it', function () {
    const flow = demoFlow(EXAMPLES, 'http://127.0.0.1:8080', LOGIN);
    const panel = flow.find((n) => n.type === 'ui-prm3-loads' && n['name'] === 'Relays');
    assert.ok(panel, 'the relay widget');
    const mask = flow.find((n) => n.type === 'prm3 mask' && (n['wires'] as string[][])[0]?.includes(panel.id));
    assert.ok(mask, 'a prm3 mask node feeds it');
    assert.deepEqual(panel['wires'], [[mask.id]], 'its buttons go back to that node');
    assert.ok(!flow.some((n) => n.type === 'ui-switch'), 'no ui-switch panel');
  });

  it('adds a widget for a load shedder: fed by its state output, its buttons into the shedder', function () {
    const dir = mkdtempSync(path.join(tmpdir(), 'demo-examples-'));
    for (const name of DEMO_EXAMPLES) copyFileSync(path.join(EXAMPLES, `${name}.json`), path.join(dir, `${name}.json`));
    const shedder = { id: 'shed1', type: 'load shedder', z: 'tab1', wires: [['events1'], ['state1']] };
    writeFileSync(
      path.join(dir, 'load-shedding.json'),
      JSON.stringify([{ id: 'tab1', type: 'tab', label: 'shedding' }, shedder]),
    );
    const flow = demoFlow(dir, 'http://127.0.0.1:8080', LOGIN);
    const panel = flow.find((n) => n.type === 'ui-prm3-loads' && n['name'] === 'Load shedding');
    assert.ok(panel);
    const wired = flow.find((n) => n.id === 'shed1');
    assert.deepEqual(wired?.['wires'], [['events1'], ['state1', panel.id]]);
    assert.deepEqual(panel['wires'], [['shed1']]);
    const group = flow.find((n) => n.id === panel['group']);
    const page = flow.find((n) => n.id === group?.['page']);
    assert.equal(page?.['path'], '/relays', 'on the relay page');
    assert.equal(panel['z'], 'tab1', 'beside the shedder');
  });
});
