/**
 * Generated input for `prm3 mask` and `prm3 scpi`, through the Node-RED runtime to the
 * simulator. Each input either becomes exactly the expected call(s), computed here by an oracle
 * written from the documented forms, or an INPUT error naming the field and the accepted forms,
 * and then nothing reaches the meter.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { MeterSimulator } from '../src/sim/types';
import {
  exchange,
  helper,
  load,
  meterConfig,
  METER_ID,
  startSim,
  TAB,
  tab,
  type Msg,
  type Outcome,
} from './helpers/flow';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 5000);
/** The mask node drives relays 1 and 3; relay 2 belongs to another load and must never move. */
const SET = 0b101;

function flow(sim: MeterSimulator): Record<string, unknown>[] {
  return [
    tab(),
    meterConfig(sim),
    {
      id: 'mask',
      type: 'prm3 mask',
      z: TAB,
      meter: METER_ID,
      device: '',
      relays: '1,3',
      oneLoad: false,
      output: 'mask',
      poll: 0,
      mode: 'queue',
      wires: [['out']],
    },
    { id: 'scpi', type: 'prm3 scpi', z: TAB, meter: METER_ID, device: '', command: '', wires: [['out']] },
    { id: 'out', type: 'helper', z: TAB },
    { id: 'catch', type: 'catch', z: TAB, scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: TAB },
  ];
}

interface Call {
  method: string;
  args: unknown[];
}

function callsSince(sim: MeterSimulator, seq: number): Call[] {
  return sim
    .ctrlCalls()
    .filter((e) => e.seq > seq && e.status === 200)
    .map((e) => ({ method: e.ctrlMethod ?? '', args: e.args ?? [] }));
}

function lastSeq(sim: MeterSimulator): number {
  return sim.log[sim.log.length - 1]?.seq ?? 0;
}

// ---- the oracle: documented forms → the actuating call, given the relays' state before ----

type Expected = { kind: 'get' } | { kind: 'actuate'; method: string; arg: number; final: number };

function expectedFor(
  command: { close?: number; open?: number; set?: number; toggle?: true; get?: true },
  before: number,
): Expected {
  if (command.get) return { kind: 'get' };
  if (command.toggle) return { kind: 'actuate', method: 'relay.set_mask', arg: before ^ SET, final: before ^ SET };
  if (command.set !== undefined) {
    const mask = (before & ~SET) | command.set;
    return { kind: 'actuate', method: 'relay.set_mask', arg: mask, final: mask };
  }
  const close = command.close ?? 0;
  const open = command.open ?? 0;
  if (open === 0) return { kind: 'actuate', method: 'relay.close_mask', arg: close, final: before | close };
  if (close === 0) return { kind: 'actuate', method: 'relay.open_mask', arg: open, final: before & ~open };
  const mask = (before | close) & ~open;
  return { kind: 'actuate', method: 'relay.set_mask', arg: mask, final: mask };
}

const spaced = (word: string): fc.Arbitrary<string> =>
  fc
    .tuple(fc.constantFrom('', ' ', '  ', '\t'), fc.constantFrom('', ' ', '\t'))
    .chain(([before, after]) =>
      fc
        .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
        .map((upper) => before + [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('') + after),
    );
const subsetOfSet = fc.constantFrom(0, 1, 4, 5);
const relayOfSet = fc.constantFrom(1, 3, '1', '3');

/** Valid commands with what they mean. */
const validMask: fc.Arbitrary<{ msg: Msg; meaning: Parameters<typeof expectedFor>[0] }> = fc.oneof(
  fc.boolean().map((b) => ({ msg: { payload: b }, meaning: b ? { close: SET } : { open: SET } })),
  fc
    .constantFrom('on', 'close', 'closed', 'true')
    .chain(spaced)
    .map((w) => ({ msg: { payload: w }, meaning: { close: SET } })),
  fc
    .constantFrom('off', 'open', 'false')
    .chain(spaced)
    .map((w) => ({ msg: { payload: w }, meaning: { open: SET } })),
  spaced('toggle').map((w) => ({ msg: { payload: w }, meaning: { toggle: true as const } })),
  spaced('get').map((w) => ({ msg: { payload: w }, meaning: { get: true as const } })),
  fc
    .tuple(spaced('get'), fc.anything())
    .map(([topic, payload]) => ({ msg: { topic, payload }, meaning: { get: true as const } })),
  subsetOfSet.map((m) => ({ msg: { payload: m }, meaning: { set: m } })),
  subsetOfSet.map((m) => ({ msg: { payload: String(m) }, meaning: { set: m } })),
  subsetOfSet.map((m) => ({ msg: { payload: { mask: m } }, meaning: { set: m } })),
  fc.uniqueArray(relayOfSet, { minLength: 1, maxLength: 2, selector: (r) => Number(r) }).map((rs) => {
    const bits = rs.reduce<number>((acc, r) => acc | (1 << (Number(r) - 1)), 0);
    return { msg: { payload: { close: rs } }, meaning: { close: bits } };
  }),
  fc.uniqueArray(relayOfSet, { minLength: 1, maxLength: 2, selector: (r) => Number(r) }).map((rs) => {
    const bits = rs.reduce<number>((acc, r) => acc | (1 << (Number(r) - 1)), 0);
    return { msg: { payload: { open: rs } }, meaning: { open: bits } };
  }),
  fc.constantFrom(1, 3).map((r) => ({
    msg: { payload: { close: [r], open: [4 - r] } },
    meaning: { close: 1 << (r - 1), open: 1 << (3 - r) },
  })),
);

/** Anything at all, biased toward near-misses of the accepted forms. */
const anyPayload: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    withBigInt: true,
    withDate: true,
    withTypedArray: true,
    withSparseArray: true,
    withNullPrototype: true,
  }),
  fc.constantFrom(
    8,
    -1,
    1.5,
    -0,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    1e21,
    2,
    3,
    6,
    7,
    '2',
    '7',
    ' 0x5',
    '5e0',
    '+5',
    '05 ',
    '',
    ' ',
    'onn',
    'toggle!',
    'GET ME',
    null,
    undefined,
  ),
  fc.record({ mask: fc.oneof(fc.integer({ min: -2, max: 9 }), fc.string(), fc.double()) }, { requiredKeys: [] }),
  fc.record(
    {
      close: fc.array(fc.oneof(fc.integer({ min: -1, max: 5 }), fc.string({ maxLength: 2 }))),
      open: fc.array(fc.integer({ min: 0, max: 4 })),
    },
    { requiredKeys: [] },
  ),
  fc.record({
    relays: fc.dictionary(
      fc.constantFrom('0', '1', '2', '3', '4', 'x'),
      fc.oneof(fc.boolean(), fc.constant(null), fc.integer()),
    ),
  }),
  fc.array(fc.oneof(fc.boolean(), fc.constant(null), fc.integer({ min: 0, max: 1 })), { maxLength: 5 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'mask', 'close', 'toString', 'relays'), fc.anything(), {
    maxKeys: 3,
  }),
);

describe('fuzzing: generated input never reaches the meter unless it is a valid command', function () {
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

  function assertRefused(outcome: Outcome, field: RegExp, accepted: RegExp, seq: number, what: string): void {
    assert.equal(outcome.kind, 'error', `${what} was accepted`);
    if (outcome.kind !== 'error') return;
    assert.equal(outcome.error.code, 'INPUT', outcome.error.message);
    assert.match(outcome.error.message, field);
    assert.match(outcome.error.message, accepted);
    assert.deepEqual(callsSince(sim, seq), [], `${what}: nothing reaches the meter`);
  }

  it(`prm3 mask: ${RUNS} valid commands become exactly the documented calls`, async function () {
    await fc.assert(
      // msg.device is generated too: the node's own device setting wins over it.
      fc.asyncProperty(
        validMask,
        fc.integer({ min: 0, max: 7 }),
        fc.option(fc.oneof(fc.constantFrom('USB2', '99999999', 'USB1'), fc.anything())),
        async ({ msg, meaning }, start, device) => {
          sim.device('USB1').setMaskDirect(start);
          const seq = lastSeq(sim);
          const outcome = await exchange('mask', device === null ? { ...msg } : { ...msg, device });
          assert.equal(
            outcome.kind,
            'output',
            `${JSON.stringify(msg)} was refused: ${outcome.kind === 'error' ? outcome.error.message : ''}`,
          );
          const expected = expectedFor(meaning, start);
          const actuations = callsSince(sim, seq).filter((c) => c.method !== 'relay.get_mask');
          if (expected.kind === 'get') {
            assert.deepEqual(actuations, []);
            assert.equal(sim.device('USB1').mask, start);
          } else {
            assert.deepEqual(actuations, [{ method: expected.method, args: [expected.arg] }], JSON.stringify(msg));
            assert.equal(sim.device('USB1').mask, expected.final);
          }
          if (outcome.kind === 'output')
            assert.equal(outcome.msg['mask'], sim.device('USB1').mask, 'the output carries the actual state');
        },
      ),
      { numRuns: RUNS, seed: 20261124 },
    );
  });

  it(`prm3 mask: ${RUNS} arbitrary payloads are refused before the meter, or touch only the node's relays`, async function () {
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(anyPayload, fc.integer({ min: 0, max: 7 }), async (payload, start) => {
        sim.device('USB1').setMaskDirect(start);
        const seq = lastSeq(sim);
        const outcome = await exchange('mask', { payload });
        if (outcome.kind === 'error') {
          refused++;
          assertRefused(outcome, /msg\.payload/, /Accepted: true\/"on"/, seq, fc.stringify(payload));
          return;
        }
        const actuations = callsSince(sim, seq).filter((c) => c.method !== 'relay.get_mask');
        assert.ok(actuations.length <= 1, 'at most one actuating call');
        assert.equal(sim.device('USB1').mask & 0b010, start & 0b010, 'relay 2 (not driven by this node) never moves');
      }),
      { numRuns: RUNS, seed: 1124 },
    );
    assert.ok(refused > RUNS / 2, `most arbitrary payloads are refused (${refused})`);
  });

  const printable = fc
    .string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 62,
    })
    .filter((s) => !s.includes(';') && s.trim() !== '');
  const injection = fc.constantFrom('\r', '\n', ';', '\0', 'é', '\u0007', '\u007f', '☃', '\r\n');
  const badLine = fc.oneof(
    fc.tuple(printable, injection, printable).map(([a, bad, b]) => a + bad + b),
    fc
      .string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        minLength: 63,
        maxLength: 90,
      })
      .filter((s) => s.trim().length > 62 && !s.includes(';')),
    fc.constantFrom('', '   ', '\t'),
  );

  it(`prm3 scpi: ${RUNS} lines with CR, LF, ";", NUL, non-ASCII or over 62 characters never reach the meter`, async function () {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badLine,
          fc
            .array(fc.oneof(printable, badLine), { minLength: 1, maxLength: 5 })
            .filter((a) => a.some((l) => !isGoodLine(l))),
        ),
        async (payload) => {
          const seq = lastSeq(sim);
          assertRefused(
            await exchange('scpi', { payload }),
            /msg\.payload/,
            /SCPI|printable ASCII|at most 62|blank/,
            seq,
            JSON.stringify(payload),
          );
        },
      ),
      { numRuns: RUNS, seed: 24 },
    );
  });

  it(`prm3 scpi: ${RUNS} valid lines and arrays are sent as written, in order, one call each`, async function () {
    await fc.assert(
      fc.asyncProperty(fc.oneof(printable, fc.array(printable, { minLength: 1, maxLength: 4 })), async (payload) => {
        const seq = lastSeq(sim);
        const outcome = await exchange('scpi', { payload });
        const lines = (Array.isArray(payload) ? payload : [payload]).map((l) => l.trim());
        const sent = callsSince(sim, seq);
        assert.ok(sent.every((c) => c.method === 'scpi.exec'));
        if (outcome.kind === 'output') {
          assert.deepEqual(
            sent.map((c) => c.args[0]),
            lines,
          );
        } else {
          // INVALID COMMAND stops the batch: what was sent is the lines up to that one.
          assert.equal(outcome.error.code, 'CALL', outcome.error.message);
          assert.deepEqual(
            sent.map((c) => c.args[0]),
            lines.slice(0, sent.length),
          );
        }
      }),
      { numRuns: RUNS, seed: 11 },
    );
  });
});

function isGoodLine(line: string): boolean {
  return /^[\x20-\x3a\x3c-\x7e]*$/.test(line) && line.trim() !== '' && line.trim().length <= 62;
}
