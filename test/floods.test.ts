/**
 * Floods of commands into `prm3 mask`: in order and bounded in queue mode; in "latest wins"
 * mode, the final state is the last command, no command ever overtakes an earlier one, and
 * replaced commands end at once, so a flood during a long call holds nothing.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MeterSimulator } from '../src/sim/types';
import { eventually, helper, load, meterConfig, METER_ID, startSim, TAB, tab, wait, type Msg } from './helpers/flow';
import { Ledger } from './helpers/ledger';
import { withoutSpies } from './helpers/without-spies';

function flow(sim: MeterSimulator, mode: 'queue' | 'latest'): Record<string, unknown>[] {
  return [
    tab(),
    meterConfig(sim),
    {
      id: 'mask',
      type: 'prm3 mask',
      z: TAB,
      meter: METER_ID,
      device: '',
      relays: '1,2,3',
      oneLoad: false,
      output: 'mask',
      poll: 0,
      mode,
      wires: [['out']],
    },
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
    { id: 'complete', type: 'complete', z: TAB, scope: ['mask'], uncaught: false, wires: [['completed']] },
    { id: 'completed', type: 'helper', z: TAB },
  ];
}

/** The numbers of the messages the node has finished with (a Complete node scoped to it). */
function completions(): Set<number> {
  const ended = new Set<number>();
  helper.getNode('completed').on('input', (msg: Msg) => {
    if (typeof msg['n'] === 'number') ended.add(msg['n']);
  });
  return ended;
}

function heapUsed(): number | undefined {
  const gc: unknown = Reflect.get(globalThis, 'gc');
  if (typeof gc !== 'function') return undefined;
  (gc as () => void)();
  return process.memoryUsage().heapUsed;
}

/** Checks that `accepted` appears in `sent` in the same order (a subsequence). */
function isSubsequence(accepted: readonly number[], sent: readonly number[]): boolean {
  let i = 0;
  for (const value of sent) if (i < accepted.length && accepted[i] === value) i++;
  return i === accepted.length;
}

describe('floods of commands', function () {
  this.timeout(120_000);
  let sim: MeterSimulator;

  afterEach(async function () {
    await helper.unload();
    await sim.close();
  });

  it('queue mode: 500 commands at once each get their output or a clear error, in order', async function () {
    sim = await startSim();
    await load(flow(sim, 'queue'));
    const ledger = new Ledger();
    const seen = ledger.outcomes;
    const sent: number[] = [];
    for (let n = 0; n < 500; n++) {
      const mask = [1, 2, 4, 7, 0][n % 5] ?? 0;
      sent.push(mask);
      ledger.send(mask);
    }
    await eventually(() => seen.size === 500, 60_000, 'an outcome for every message');
    let outputs = 0;
    for (let n = 0; n < 500; n++) {
      const outcomes = seen.get(n) ?? [];
      assert.equal(outcomes.length, 1, `message ${n} ended exactly once`);
      const outcome = outcomes[0];
      if (outcome?.kind === 'output') outputs++;
      else
        assert.equal(
          (outcome?.msg['error'] as Msg)['code'],
          'QUEUE_FULL',
          'the only refusal is a full queue, said clearly',
        );
    }
    const accepted = sim
      .ctrlCalls('relay.set_mask')
      .filter((e) => e.status === 200)
      .map((e) => Number(e.args?.[0]));
    assert.equal(accepted.length, outputs, 'every output is one command the meter carried out');
    const sentAndAnswered = sent.filter((_, n) => seen.get(n)?.[0]?.kind === 'output');
    assert.deepEqual(accepted, sentAndAnswered, 'the meter saw the commands in the order they were sent');
    assert.equal(sim.device('USB1').mask, sentAndAnswered[sentAndAnswered.length - 1]);
  });

  it('latest wins: the last command decides the state, none overtakes an earlier one', async function () {
    sim = await startSim();
    await load(flow(sim, 'latest'));
    const ledger = new Ledger();
    const seen = ledger.outcomes;
    const ended = completions();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ mask: fc.integer({ min: 0, max: 7 }), gapMs: fc.integer({ min: 0, max: 30 }) }), {
          minLength: 2,
          maxLength: 12,
        }),
        fc.integer({ min: 0, max: 30 }),
        async (commands, latencyMs) => {
          sim.device('USB1').latencyMs = latencyMs;
          sim.clearLog();
          const first = ledger.sent;
          const masks = commands.map((c) => c.mask);
          for (const c of commands) {
            ledger.send(c.mask);
            if (c.gapMs > 0) await wait(c.gapMs);
          }
          const last = ledger.sent - 1;
          const batch = Array.from({ length: commands.length }, (_, i) => first + i);
          await eventually(() => batch.every((n) => ended.has(n)), 20_000, 'every message ended');
          for (const n of batch) assert.ok((seen.get(n)?.length ?? 0) <= 1, `message ${n} was sent on at most once`);
          assert.equal(sim.device('USB1').mask, masks[masks.length - 1], 'the final state is the last command');
          const lastOutcome = seen.get(last)?.[0];
          assert.equal(lastOutcome?.kind, 'output', 'the last command always runs');
          const executed = sim.ctrlCalls('relay.set_mask').map((e) => Number(e.args?.[0]));
          assert.ok(
            isSubsequence(executed, masks),
            `executed ${JSON.stringify(executed)} in the order of ${JSON.stringify(masks)}`,
          );
          const outputs = batch.map((n) => seen.get(n)?.[0]).filter((o) => o?.kind === 'output');
          assert.equal(outputs.length, executed.length, 'each command that ran is sent on');
          const replaced = outputs.reduce((sum, o) => sum + Number((o?.msg['prm3'] as Msg)['replaced'] ?? 0), 0);
          assert.equal(executed.length + replaced, commands.length, 'each command ran or was counted as replaced');
        },
      ),
      { numRuns: 60, seed: 2411 },
    );
  });

  it('latest wins: 100,000 commands during one long call leave at most two messages held', async function () {
    sim = await startSim();
    // The first command's call outlasts the test: every later message arrives while it runs.
    sim.device('USB1').latencyMs = 600_000;
    await load(flow(sim, 'latest'));
    // The helper's spies would keep every message they saw; a deployed Node-RED keeps none.
    withoutSpies(['mask', 'out', 'caught', 'complete', 'completed']);
    const ended = completions();
    const node = helper.getNode('mask');
    node.receive({ payload: 1, n: 0 });
    await eventually(() => sim.ctrlCalls('relay.set_mask').length === 1, 5_000, 'the first command is running');
    const before = heapUsed();
    const total = 100_000;
    for (let n = 1; n < total; n++) node.receive({ payload: n % 8, n, padding: 'x'.repeat(200) + String(n) });
    // Every message but the running one and the newest waiting one has ended.
    await eventually(() => ended.size >= total - 2, 60_000, 'replaced messages ended');
    assert.equal(ended.size, total - 2);
    assert.ok(!ended.has(0) && !ended.has(total - 1), 'the running and the newest commands are the two held');
    assert.equal(sim.ctrlCalls('relay.set_mask').length, 1, 'nothing else was sent while the call ran');
    const after = heapUsed();
    if (before !== undefined && after !== undefined) {
      // 100,000 held messages of this size would take well over 30 MB.
      assert.ok(after - before < 16 * 1024 * 1024, `heap grew by ${Math.round((after - before) / 1024)} KiB`);
    }
  });
});
