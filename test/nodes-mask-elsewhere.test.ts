/** A `prm3 mask` node noticing that something other than itself switched its relays. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MeterSimulator } from '../src/sim/types';
import {
  collect,
  eventually,
  helper,
  load,
  meterConfig,
  METER_ID,
  nextMessage,
  simEachTest,
  TAB,
  tab,
  warnings,
  type Msg,
} from './helpers/flow';

function maskFlow(sim: MeterSimulator, node: Record<string, unknown> = {}): Record<string, unknown>[] {
  return [
    tab(),
    meterConfig(sim),
    {
      id: 'mask',
      type: 'prm3 mask',
      z: TAB,
      meter: METER_ID,
      device: 'USB1',
      relays: '1,2',
      output: 'mask',
      poll: 0,
      mode: 'queue',
      wires: [['out']],
      ...node,
    },
    { id: 'out', type: 'helper', z: TAB },
  ];
}

async function send(payload: unknown): Promise<Msg> {
  const reply = nextMessage('out');
  helper.getNode('mask').receive({ payload });
  return reply;
}

function elsewhere(msg: Msg | undefined): unknown {
  return (msg?.['prm3'] as Msg | undefined)?.['changedElsewhere'];
}

const WARNING = /relay .* changed without a command from this node/;

describe('prm3 mask node: relays switched by something else', function () {
  let sim: MeterSimulator;

  simEachTest((started) => (sim = started));

  it('marks a poll that finds its relays moved, and warns once', async function () {
    this.timeout(20_000);
    await load(maskFlow(sim, { poll: 1 }));
    const seen = collect('out');
    await eventually(() => seen.length === 1, 5000, 'first poll');
    assert.equal(elsewhere(seen[0]), undefined, 'the first read has nothing to compare with');

    sim.device('USB1').setMaskDirect(0b001); // relay 1 closed at the meter, not by the node
    await eventually(() => seen.length === 2, 5000, 'the poll after the change');
    assert.equal(elsewhere(seen[1]), true);
    assert.equal(seen[1]?.['payload'], 1);

    sim.device('USB1').setMaskDirect(0b011);
    await eventually(() => seen.length === 3, 5000, 'the poll after the second change');
    assert.equal(elsewhere(seen[2]), true);
    assert.equal(warnings('mask').filter((w) => WARNING.test(w)).length, 1, 'warned once');
    assert.match(warnings('mask').find((w) => WARNING.test(w)) ?? '', /relay 1 changed .*mask 0, now 1/);
  });

  it('does not mark a change it made itself, nor one to relays it does not drive', async function () {
    await load(maskFlow(sim));
    assert.equal(elsewhere(await send('get')), undefined);
    const closed = await send(true);
    assert.equal(closed['payload'], 0b011);
    assert.equal(elsewhere(closed), undefined);
    assert.equal(elsewhere(await send('get')), undefined, 'its own close is not a second writer');
    sim.device('USB1').setMaskDirect(0b111); // relay 3 is not this node's
    const read = await send('get');
    assert.equal(read['payload'], 0b111);
    assert.equal(elsewhere(read), undefined, 'relay 3 belongs to another load');
    assert.deepEqual(warnings('mask'), []);
  });

  it('marks a "get" that finds its relays moved since its own command', async function () {
    await load(maskFlow(sim));
    await send(true);
    sim.device('USB1').setMaskDirect(0b001); // relay 2 opened elsewhere
    const read = await send('get');
    assert.equal(elsewhere(read), true);
    assert.equal(read['payload'], 1);
    assert.equal(elsewhere(await send('get')), undefined, 'the next read compares with what was seen last');
    assert.equal(warnings('mask').filter((w) => WARNING.test(w)).length, 1);
  });

  it('is described the same way in the README and the help', function () {
    const root = path.resolve(__dirname, '..', '..');
    const flat = (text: string): string =>
      text
        .replace(/<[^>]+>/g, '')
        .replace(/[`*]/g, '')
        .replace(/\s+/g, ' ');
    const readme = flat(readFileSync(path.join(root, 'README.md'), 'utf8'));
    const help = flat(readFileSync(path.join(root, 'nodes', 'locales', 'en-US', 'prm3-mask.html'), 'utf8'));
    const promise =
      'That message carries msg.prm3.changedElsewhere = true, and the node warns once in the log. Relays the node does not drive are not watched.';
    assert.ok(readme.includes(promise), 'README');
    assert.ok(help.includes(promise), 'help');
  });
});
