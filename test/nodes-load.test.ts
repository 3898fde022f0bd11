/**
 * Generated input into `prm3 mask` nodes whose relays are one load, through the Node-RED
 * runtime to the simulator: whatever arrives, no call the meter accepts ever moves only part
 * of a load, and a refused message reaches nothing at all.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MeterSimulator } from '../src/sim/types';
import { exchange, helper, load, meterConfig, METER_ID, startSim, TAB, tab } from './helpers/flow';
import { relayPayload, relayTopic, splitByCall } from './helpers/relay-payloads';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 5000) / 5;

/** One node per load that can be split; the last one was saved before "one load" existed. */
const LOADS = [
  { id: 'load12', relays: '1,2', group: 0b011, oneLoad: true },
  { id: 'load13', relays: '1,3', group: 0b101, oneLoad: true },
  { id: 'load23', relays: '2,3', group: 0b110, oneLoad: 'true' },
  { id: 'load123', relays: '1,2,3', group: 0b111, oneLoad: undefined },
] as const;

function flow(sim: MeterSimulator): Record<string, unknown>[] {
  const masks = LOADS.map(({ id, relays, oneLoad }) => {
    const node: Record<string, unknown> = {
      id,
      type: 'prm3 mask',
      z: TAB,
      meter: METER_ID,
      device: '',
      relays,
      output: 'mask',
      poll: 0,
      mode: 'queue',
      wires: [['out']],
    };
    if (oneLoad !== undefined) node['oneLoad'] = oneLoad;
    return node;
  });
  return [
    tab(),
    meterConfig(sim),
    ...masks,
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
}

describe('prm3 mask nodes for one load, under generated input', function () {
  this.timeout(600_000);
  let sim: MeterSimulator;

  before(async function () {
    sim = await startSim();
    await load(flow(sim));
  });
  after(async function () {
    await helper.unload();
    await sim.close();
  });

  it(`${RUNS} messages: no call moves part of a load, a refusal sends nothing`, async function () {
    const seen = { refused: 0, actuated: 0 };
    const device = sim.device('USB1');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...LOADS),
        relayPayload,
        relayTopic,
        fc.integer({ min: 0, max: 7 }),
        async (target, payload, topic, start) => {
          device.setMaskDirect(start);
          sim.clearLog();
          const outcome = await exchange(target.id, topic === undefined ? { payload } : { payload, topic });
          const calls = sim.ctrlCalls().filter((e) => e.status === 200);
          if (outcome.kind === 'error') {
            seen.refused++;
            assert.equal(outcome.error.code, 'INPUT', outcome.error.message);
            assert.match(outcome.error.message, /^msg\.payload: .*Accepted: /s);
            assert.deepEqual(calls, [], 'a refused message reaches nothing');
            assert.equal(device.mask, start);
            return;
          }
          for (const call of calls) {
            const split = splitByCall(call.ctrlMethod ?? '', call.args ?? [], target.group);
            assert.equal(split, null, `${target.id} ${fc.stringify(payload)}: ${String(split)}`);
          }
          if (calls.some((c) => c.ctrlMethod !== 'relay.get_mask')) {
            seen.actuated++;
            const part = device.mask & target.group;
            assert.ok(
              part === 0 || part === target.group,
              `${target.id} ${fc.stringify(payload)} left the load at mask ${device.mask}`,
            );
          }
          assert.equal(device.mask & ~target.group, start & ~target.group, 'relays of other loads never move');
          assert.equal(outcome.msg['mask'], device.mask, 'the output carries the actual state');
        },
      ),
      { numRuns: RUNS, seed: 3104 },
    );
    assert.ok(
      seen.actuated > RUNS / 10 && seen.refused > RUNS / 10,
      `both sides are exercised: ${JSON.stringify(seen)}`,
    );
  });
});
