/**
 * Relays that are one load (the phases of a split-phase or three-phase load) only ever switch
 * together: the PRM3 rules refuse anything for part of them, and the calls they make, to the
 * simulator over real HTTP, always address all of the load or none of it.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InputError } from '../src/errors';
import { parseRelayCommand, type RelayCommand } from '../src/prm3/command';
import { executeRelayCommand } from '../src/prm3/operations';
import { polyphaseSet, relayPayload, relayTopic, splitByCall } from './helpers/relay-payloads';
import { SimFixture } from './helpers/sim-fixture';

const SN = '00000004';

interface Refusal {
  payload: unknown;
  relaySet: number;
  /** What the command would have done to part of the load. */
  would: RegExp;
}

const refusals: Refusal[] = [
  { payload: { close: [1] }, relaySet: 0b011, would: /would close relay 1 and leave relay 2 as it is/ },
  { payload: { relays: { '2': true } }, relaySet: 0b011, would: /would close relay 2 and leave relay 1 as it is/ },
  { payload: [true, null, null], relaySet: 0b011, would: /would close relay 1 and leave relay 2 as it is/ },
  { payload: [true, null, null], relaySet: 0b111, would: /would close relay 1 and leave relays 2,3 as they are/ },
  { payload: 1, relaySet: 0b011, would: /would close relay 1 and open relay 2/ },
  { payload: '2', relaySet: 0b011, would: /would close relay 2 and open relay 1/ },
  { payload: { mask: 5 }, relaySet: 0b111, would: /would close relays 1,3 and open relay 2/ },
  { payload: [true, false, true], relaySet: 0b111, would: /would close relays 1,3 and open relay 2/ },
  { payload: { open: [2] }, relaySet: 0b110, would: /would open relay 2 and leave relay 3 as it is/ },
  { payload: { close: [1], open: [3] }, relaySet: 0b101, would: /would close relay 1 and open relay 3/ },
  { payload: { relays: { '1': false, '2': true } }, relaySet: 0b011, would: /would close relay 2 and open relay 1/ },
  {
    payload: { relays: [false, null, null] },
    relaySet: 0b111,
    would: /would open relay 1 and leave relays 2,3 as they are/,
  },
];

const accepted: Array<{ payload: unknown; relaySet: number; command: RelayCommand }> = [
  { payload: true, relaySet: 0b011, command: { kind: 'change', close: 3, open: 0 } },
  { payload: 'off', relaySet: 0b111, command: { kind: 'change', close: 0, open: 7 } },
  { payload: 'toggle', relaySet: 0b011, command: { kind: 'toggle' } },
  { payload: 0, relaySet: 0b011, command: { kind: 'set', mask: 0 } },
  { payload: 3, relaySet: 0b011, command: { kind: 'set', mask: 3 } },
  { payload: { mask: 7 }, relaySet: 0b111, command: { kind: 'set', mask: 7 } },
  { payload: { close: [1, 2] }, relaySet: 0b011, command: { kind: 'change', close: 3, open: 0 } },
  { payload: { open: ['3', 1] }, relaySet: 0b101, command: { kind: 'change', close: 0, open: 5 } },
  { payload: { relays: { '1': true, '2': true } }, relaySet: 0b011, command: { kind: 'change', close: 3, open: 0 } },
  { payload: [true, true, null], relaySet: 0b011, command: { kind: 'change', close: 3, open: 0 } },
  { payload: [false, false, false], relaySet: 0b111, command: { kind: 'set', mask: 0 } },
  // One relay is always whole.
  { payload: { close: [3] }, relaySet: 0b100, command: { kind: 'change', close: 4, open: 0 } },
];

describe('relays that are one load', function () {
  describe('reading msg.payload', function () {
    for (const { payload, relaySet, would } of refusals) {
      it(`refuses ${JSON.stringify(payload)} for relays mask ${relaySet}, naming the field and the forms that work`, function () {
        assert.throws(
          () => parseRelayCommand(payload, undefined, relaySet, 'one-load'),
          (error: unknown) => {
            assert.ok(error instanceof InputError, String(error));
            assert.equal(error.code, 'INPUT');
            assert.equal(error.field, 'msg.payload');
            assert.match(error.message, /^msg\.payload: relays [1-3,]+ are one load and switch only together/);
            assert.match(error.message, would);
            assert.match(error.message, /Accepted: true\/"on"\/"close" or false\/"off"\/"open"/);
            assert.match(error.message, new RegExp(`a mask 0 or ${relaySet}`));
            assert.match(error.message, /untick "one load"/);
            return true;
          },
        );
        // The same relays, independent, take it.
        assert.doesNotThrow(() => parseRelayCommand(payload, undefined, relaySet, 'independent'));
      });
    }

    for (const { payload, relaySet, command } of accepted) {
      it(`reads ${JSON.stringify(payload)} for relays mask ${relaySet} as ${JSON.stringify(command)}`, function () {
        assert.deepEqual(parseRelayCommand(payload, undefined, relaySet, 'one-load'), command);
      });
    }

    it('lists the forms a load accepts when a message is not a command at all', function () {
      assert.throws(
        () => parseRelayCommand('banana', undefined, 0b011, 'one-load'),
        /Accepted: .*a mask 0 or 3 .*\{close: \[1, 2\]\}/,
      );
    });
  });

  describe('against the simulator', function () {
    this.timeout(120_000);
    let fixture: SimFixture;

    beforeEach(async function () {
      fixture = await SimFixture.start();
    });
    afterEach(async function () {
      await fixture.close();
    });

    it('refuses a command for part of a load built without the parser, before anything is sent', async function () {
      const client = fixture.client();
      fixture.sim.clearLog();
      for (const command of [
        { kind: 'set', mask: 1 },
        { kind: 'change', close: 2, open: 0 },
        { kind: 'change', close: 1, open: 2 },
      ] as RelayCommand[]) {
        await assert.rejects(
          executeRelayCommand(client, SN, command, 0b011, 'one-load'),
          (error: unknown) => error instanceof InputError && /one load/.test(error.message),
        );
      }
      await assert.rejects(executeRelayCommand(client, SN, { kind: 'get' }, 0b011, 'both' as never), InputError);
      assert.equal(fixture.sim.log.length, 0, 'nothing reached the meter');
    });

    const toggles = [
      { start: 0b001, grouping: 'one-load', end: 0b011, why: 'a load found split closes whole' },
      { start: 0b010, grouping: 'one-load', end: 0b011, why: 'a load found split closes whole' },
      { start: 0b011, grouping: 'one-load', end: 0b000, why: 'a closed load opens' },
      { start: 0b100, grouping: 'one-load', end: 0b111, why: 'an open load closes, relay 3 left alone' },
      { start: 0b001, grouping: 'independent', end: 0b010, why: 'independent relays each invert' },
    ] as const;
    for (const { start, grouping, end, why } of toggles) {
      it(`toggles relays 1,2 (${grouping}) from mask ${start} to ${end}: ${why}`, async function () {
        const client = fixture.client();
        fixture.sim.device('USB1').setMaskDirect(start);
        fixture.sim.clearLog();
        const result = await executeRelayCommand(client, SN, { kind: 'toggle' }, 0b011, grouping);
        assert.equal(fixture.sim.device('USB1').mask, end);
        assert.equal(result.actual, end);
        assert.deepEqual(
          fixture.acceptedCalls('relay.set_mask').map((e) => e.args),
          [[end]],
        );
      });
    }

    it('never makes a call that moves only part of a load, for any input, load and starting state', async function () {
      const client = fixture.client();
      const device = fixture.sim.device('USB1');
      const seen = { refused: 0, actuated: 0 };
      await fc.assert(
        fc.asyncProperty(
          relayPayload,
          relayTopic,
          polyphaseSet,
          fc.integer({ min: 0, max: 7 }),
          async (payload, topic, relaySet, start) => {
            device.setMaskDirect(start);
            fixture.sim.clearLog();
            let command: RelayCommand;
            try {
              command = parseRelayCommand(payload, topic, relaySet, 'one-load');
            } catch (error) {
              assert.ok(error instanceof InputError, String(error));
              seen.refused++;
              return;
            }
            await executeRelayCommand(client, SN, command, relaySet, 'one-load');
            const calls = fixture.acceptedCalls();
            for (const call of calls) {
              const split = splitByCall(call.ctrlMethod ?? '', call.args ?? [], relaySet);
              assert.equal(split, null, `${fc.stringify(payload)}: ${String(split)}`);
            }
            if (calls.some((c) => c.ctrlMethod !== 'relay.get_mask')) {
              seen.actuated++;
              const group = device.mask & relaySet;
              assert.ok(
                group === 0 || group === relaySet,
                `${fc.stringify(payload)} left the load at mask ${device.mask}`,
              );
            }
            assert.equal(device.mask & ~relaySet, start & ~relaySet, 'relays of other loads never move');
          },
        ),
        { numRuns: 1500, seed: 3103 },
      );
      assert.ok(seen.actuated > 200 && seen.refused > 200, `both sides are exercised: ${JSON.stringify(seen)}`);
    });
  });
});
