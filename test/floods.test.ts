/**
 * Floods of commands into `prm3 mask`: in order and bounded in queue mode; in "latest wins"
 * mode, the final state is the last command and no command ever overtakes an earlier one.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MeterSimulator } from '../src/sim/types';
import { eventually, helper, load, meterConfig, METER_ID, startSim, TAB, tab, wait, type Msg } from './helpers/flow';
import { Ledger } from './helpers/ledger';

function flow(sim: MeterSimulator, mode: 'queue' | 'latest'): Record<string, unknown>[] {
  return [
    tab(),
    meterConfig(sim),
    { id: 'mask', type: 'prm3 mask', z: TAB, meter: METER_ID, device: '', relays: '1,2,3', oneLoad: false, output: 'mask', poll: 0, mode, wires: [['out']] },
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
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
      else assert.equal((outcome?.msg['error'] as Msg)['code'], 'QUEUE_FULL', 'the only refusal is a full queue, said clearly');
    }
    const accepted = sim.ctrlCalls('relay.set_mask').filter((e) => e.status === 200).map((e) => Number(e.args?.[0]));
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
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ mask: fc.integer({ min: 0, max: 7 }), gapMs: fc.integer({ min: 0, max: 30 }) }), { minLength: 2, maxLength: 12 }),
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
          await eventually(() => Array.from({ length: commands.length }, (_, i) => seen.has(first + i)).every(Boolean), 20_000, 'every message answered');
          for (let n = first; n <= last; n++) assert.equal(seen.get(n)?.length, 1, `message ${n} ended exactly once`);
          assert.equal(sim.device('USB1').mask, masks[masks.length - 1], 'the final state is the last command');
          const lastOutcome = seen.get(last)?.[0];
          assert.equal(lastOutcome?.kind, 'output');
          assert.notEqual((lastOutcome?.msg['prm3'] as Msg)['superseded'], true, 'the last command is never superseded');
          const executed = sim.ctrlCalls('relay.set_mask').map((e) => Number(e.args?.[0]));
          assert.ok(isSubsequence(executed, masks), `executed ${JSON.stringify(executed)} in the order of ${JSON.stringify(masks)}`);
          const superseded = Array.from({ length: commands.length }, (_, i) => seen.get(first + i)?.[0]).filter((o) => (o?.msg['prm3'] as Msg | undefined)?.['superseded'] === true).length;
          assert.equal(executed.length + superseded, commands.length, 'each command ran or was reported superseded');
        },
      ),
      { numRuns: 60, seed: 2411 },
    );
  });
});
