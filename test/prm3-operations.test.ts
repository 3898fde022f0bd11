/**
 * The sequencing of relay and SCPI operations, against an in-memory PRM3. This checks which
 * calls go out for each command; the HTTP path is covered by the client and flow tests.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CallError, ProtocolError, type CallOptions, type DeviceAttrs } from '../src/webapi';
import { InputError } from '../src/errors';
import { parseRelayCommand, type RelayCommand } from '../src/prm3/command';
import { executeRelayCommand, executeScpi, type DeviceCallerLike, type RelayTarget } from '../src/prm3/operations';

interface RecordedCall {
  method: string;
  args: unknown[];
  options: CallOptions | undefined;
  /** The job it was made in; null when made outside any job. */
  job: number | null;
}

/**
 * A PRM3 behind a device queue: relays in `held` do not move (as inside their minimum
 * open/close time), `results` replaces what a method returns, `failures` makes it throw.
 */
class FakePrm3 implements RelayTarget {
  mask: number;
  held: number;
  readonly calls: RecordedCall[] = [];
  readonly jobs: Array<{ attrs: DeviceAttrs; options: { signal?: AbortSignal } | undefined }> = [];
  readonly results = new Map<string, unknown[]>();
  readonly failures = new Map<string, Error>();
  scpiReplies: string[] = [];
  private activeJob: number | null = null;

  constructor(mask = 0, held = 0) {
    this.mask = mask;
    this.held = held;
  }

  async withDevice<T>(
    attrs: DeviceAttrs,
    job: (call: DeviceCallerLike) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T> {
    assert.equal(this.activeJob, null, 'jobs for one device never overlap');
    this.jobs.push({ attrs, options });
    this.activeJob = this.jobs.length;
    try {
      return await job((method, args, callOptions) => this.call(method, args, callOptions));
    } finally {
      this.activeJob = null;
    }
  }

  get methods(): string[] {
    return this.calls.map((c) => (c.args.length === 0 ? c.method : `${c.method} ${JSON.stringify(c.args)}`));
  }

  private async call(method: string, args: unknown[], options?: CallOptions): Promise<unknown> {
    this.calls.push({ method, args, options, job: this.activeJob });
    await Promise.resolve();
    const failure = this.failures.get(method);
    if (failure) throw failure;
    const value = this.operate(method, args);
    const queued = this.results.get(method);
    return queued && queued.length > 0 ? queued.shift() : value;
  }

  private operate(method: string, args: unknown[]): unknown {
    const movable = ~this.held;
    const arg = typeof args[0] === 'number' ? args[0] : 0;
    switch (method) {
      case 'relay.get_mask':
        return this.mask;
      case 'relay.set_mask':
        this.mask = (this.mask & this.held) | (arg & movable & 7);
        return false;
      case 'relay.close_mask':
        this.mask |= arg & movable & 7;
        return false;
      case 'relay.open_mask':
        this.mask &= ~(arg & movable);
        return false;
      case 'scpi.exec':
        return this.scpiReplies.shift() ?? 'OK\r\n';
      default:
        throw new CallError(`unknown method ${method}`, 'Unknown method');
    }
  }
}

interface SequenceCase {
  name: string;
  initial: number;
  relaySet: number;
  command: RelayCommand;
  calls: string[];
  method: string;
  argument: number | null;
  commanded: number | null;
  actual: number;
}

const sequences: SequenceCase[] = [
  {
    name: 'get reads only',
    initial: 5,
    relaySet: 7,
    command: { kind: 'get' },
    calls: ['relay.get_mask'],
    method: 'get_mask',
    argument: null,
    commanded: null,
    actual: 5,
  },
  {
    name: 'close only: one close_mask, then a read-back',
    initial: 2,
    relaySet: 7,
    command: { kind: 'change', close: 5, open: 0 },
    calls: ['relay.close_mask [5]', 'relay.get_mask'],
    method: 'close_mask',
    argument: 5,
    commanded: 7,
    actual: 7,
  },
  {
    name: 'open only on a polyphase pair: one open_mask for both relays',
    initial: 7,
    relaySet: 3,
    command: { kind: 'change', close: 0, open: 3 },
    calls: ['relay.open_mask [3]', 'relay.get_mask'],
    method: 'open_mask',
    argument: 3,
    commanded: 4,
    actual: 4,
  },
  {
    name: 'close and open together: read, one set_mask, read-back',
    initial: 6,
    relaySet: 7,
    command: { kind: 'change', close: 1, open: 4 },
    calls: ['relay.get_mask', 'relay.set_mask [3]', 'relay.get_mask'],
    method: 'set_mask',
    argument: 3,
    commanded: 3,
    actual: 3,
  },
  {
    name: 'set with every relay: one set_mask, no read first',
    initial: 2,
    relaySet: 7,
    command: { kind: 'set', mask: 5 },
    calls: ['relay.set_mask [5]', 'relay.get_mask'],
    method: 'set_mask',
    argument: 5,
    commanded: 5,
    actual: 5,
  },
  {
    name: 'set on relays 1,2 keeps relay 3 as it is',
    initial: 6,
    relaySet: 3,
    command: { kind: 'set', mask: 1 },
    calls: ['relay.get_mask', 'relay.set_mask [5]', 'relay.get_mask'],
    method: 'set_mask',
    argument: 5,
    commanded: 5,
    actual: 5,
  },
  {
    name: 'toggle of a polyphase pair flips both in one set_mask',
    initial: 1,
    relaySet: 3,
    command: { kind: 'toggle' },
    calls: ['relay.get_mask', 'relay.set_mask [2]', 'relay.get_mask'],
    method: 'set_mask',
    argument: 2,
    commanded: 2,
    actual: 2,
  },
  {
    name: 'toggle of all three relays',
    initial: 5,
    relaySet: 7,
    command: { kind: 'toggle' },
    calls: ['relay.get_mask', 'relay.set_mask [2]', 'relay.get_mask'],
    method: 'set_mask',
    argument: 2,
    commanded: 2,
    actual: 2,
  },
];

describe('prm3 relay operations', () => {
  for (const c of sequences) {
    it(`${c.name}`, async () => {
      const device = new FakePrm3(c.initial);
      const result = await executeRelayCommand(device, '00000004', c.command, c.relaySet, 'independent');
      assert.deepEqual(device.methods, c.calls);
      assert.equal(device.jobs.length, 1, 'one device job');
      assert.deepEqual(device.jobs[0]?.attrs, { sn: '00000004' });
      assert.ok(
        device.calls.every((call) => call.job === 1),
        'every call inside that job',
      );
      const { elapsedMs, ...rest } = result;
      assert.ok(elapsedMs >= 0);
      assert.deepEqual(rest, {
        sn: '00000004',
        method: c.method,
        argument: c.argument,
        commanded: c.commanded,
        actual: c.actual,
        relaySet: c.relaySet,
        applied: true,
        held: 0,
      });
    });
  }

  it('reports a relay that did not move as held, and the others as applied', async () => {
    const device = new FakePrm3(0, 0b010);
    const result = await executeRelayCommand(
      device,
      '00000004',
      parseRelayCommand('on', undefined, 7, 'independent'),
      7,
      'independent',
    );
    assert.deepEqual(device.methods, ['relay.close_mask [7]', 'relay.get_mask']);
    assert.equal(result.commanded, 7);
    assert.equal(result.actual, 5);
    assert.equal(result.applied, false);
    assert.equal(result.held, 2);
  });

  it("ignores a held relay outside the node's set when judging whether the command applied", async () => {
    const device = new FakePrm3(0b100, 0b100);
    const result = await executeRelayCommand(device, '00000004', { kind: 'set', mask: 0 }, 3, 'independent');
    assert.deepEqual(device.methods, ['relay.get_mask', 'relay.set_mask [4]', 'relay.get_mask']);
    assert.equal(result.applied, true);
    assert.equal(result.held, 0);
  });

  it('reports held relays for an absolute set as well', async () => {
    const device = new FakePrm3(0, 0b100);
    const result = await executeRelayCommand(device, 'S1', { kind: 'set', mask: 7 }, 7, 'independent');
    assert.deepEqual(
      { commanded: result.commanded, actual: result.actual, applied: result.applied, held: result.held },
      {
        commanded: 7,
        actual: 3,
        applied: false,
        held: 4,
      },
    );
  });

  it('passes the signal and the call timeout to the job and to every call', async () => {
    const device = new FakePrm3(0);
    const controller = new AbortController();
    await executeRelayCommand(device, 'S1', { kind: 'toggle' }, 7, 'independent', {
      signal: controller.signal,
      timeoutMs: 4_000,
    });
    assert.equal(device.jobs[0]?.options?.signal, controller.signal);
    for (const call of device.calls) assert.deepEqual(call.options, { signal: controller.signal, timeoutMs: 4_000 });
  });

  it('measures the time the command took with the given clock', async () => {
    const times = [1_000, 1_250];
    const result = await executeRelayCommand(new FakePrm3(), 'S1', { kind: 'get' }, 7, 'independent', {
      now: () => times.shift() ?? 0,
    });
    assert.equal(result.elapsedMs, 250);
  });

  describe('results the meter should not send', () => {
    const badMasks: unknown[] = ['3', 8, -1, 1.5, null, undefined, true, [3]];
    for (const bad of badMasks) {
      it(`treats get_mask returning ${JSON.stringify(bad) ?? 'nothing'} as a protocol error`, async () => {
        const device = new FakePrm3(0);
        device.results.set('relay.get_mask', [bad]);
        await assert.rejects(
          executeRelayCommand(device, '00000004', { kind: 'get' }, 7, 'independent'),
          (error: unknown) => {
            assert.ok(error instanceof ProtocolError);
            assert.equal(error.operation, 'relay.get_mask');
            assert.equal(error.device, '00000004');
            assert.match(error.message, /^relay\.get_mask on 00000004 returned .*expected a mask 0\.\.7$/);
            return true;
          },
        );
      });
    }

    it('says a command was sent when only its read-back is wrong', async () => {
      const device = new FakePrm3(0);
      device.results.set('relay.get_mask', ['junk']);
      await assert.rejects(
        executeRelayCommand(device, 'S1', { kind: 'set', mask: 5 }, 7, 'independent'),
        (error: unknown) => {
          assert.ok(error instanceof ProtocolError);
          assert.equal(error.maybeSent, true);
          assert.match(error.message, /relay\.set_mask \[5\] was sent/);
          return true;
        },
      );
      assert.equal(device.mask, 5);
    });

    const badAcks: unknown[] = [5, 'false', null, {}, [false]];
    for (const bad of badAcks) {
      it(`treats set_mask returning ${JSON.stringify(bad)} as a protocol error`, async () => {
        const device = new FakePrm3(0);
        device.results.set('relay.set_mask', [bad]);
        await assert.rejects(
          executeRelayCommand(device, 'S1', { kind: 'set', mask: 1 }, 7, 'independent'),
          (error: unknown) => {
            assert.ok(error instanceof ProtocolError);
            assert.equal(error.operation, 'relay.set_mask');
            assert.equal(error.maybeSent, true);
            return true;
          },
        );
        assert.deepEqual(device.methods, ['relay.set_mask [1]'], 'no read-back, no retry');
      });
    }

    it('accepts true, false and no result from the actuating call', async () => {
      for (const ack of [true, false, undefined]) {
        const device = new FakePrm3(0);
        device.results.set('relay.close_mask', [ack]);
        const result = await executeRelayCommand(device, 'S1', { kind: 'change', close: 1, open: 0 }, 7, 'independent');
        assert.equal(result.actual, 1);
      }
    });
  });

  it('passes a failure of the call on unchanged and never retries', async () => {
    const device = new FakePrm3(0);
    const failure = new CallError('relay.set_mask failed on 00000004: device busy', 'device busy');
    device.failures.set('relay.set_mask', failure);
    await assert.rejects(
      executeRelayCommand(device, '00000004', { kind: 'toggle' }, 7, 'independent'),
      (error: unknown) => error === failure,
    );
    assert.deepEqual(device.methods, ['relay.get_mask', 'relay.set_mask [7]']);
  });

  describe('invalid input', () => {
    const invalid: Array<[string, string, RelayCommand, number]> = [
      ["a mask outside the node's relays", 'S1', { kind: 'set', mask: 4 }, 3],
      ['a mask above 7', 'S1', { kind: 'set', mask: 8 }, 7],
      ['a fractional mask', 'S1', { kind: 'set', mask: 1.5 }, 7],
      ['a relay both closed and opened', 'S1', { kind: 'change', close: 1, open: 1 }, 7],
      ['a change naming no relay', 'S1', { kind: 'change', close: 0, open: 0 }, 7],
      ["a close outside the node's relays", 'S1', { kind: 'change', close: 4, open: 0 }, 1],
      ['an empty relay set', 'S1', { kind: 'get' }, 0],
      ['a relay set above 7', 'S1', { kind: 'toggle' }, 8],
      ['a blank serial number', ' ', { kind: 'get' }, 7],
    ];
    for (const [name, sn, command, relaySet] of invalid) {
      it(`refuses ${name} before anything is sent`, async () => {
        const device = new FakePrm3(0);
        await assert.rejects(executeRelayCommand(device, sn, command, relaySet, 'independent'), InputError);
        assert.equal(device.jobs.length, 0);
        assert.equal(device.calls.length, 0);
      });
    }

    it('refuses an unknown command kind before anything is sent', async () => {
      const device = new FakePrm3(0);
      const unknownCommand: unknown = { kind: 'explode' };
      await assert.rejects(
        executeRelayCommand(device, 'S1', unknownCommand as RelayCommand, 7, 'independent'),
        InputError,
      );
      assert.equal(device.calls.length, 0);
    });

    it('never reaches the device when the message cannot be parsed', async () => {
      const device = new FakePrm3(0);
      const run = async (payload: unknown): Promise<unknown> =>
        executeRelayCommand(device, 'S1', parseRelayCommand(payload, undefined, 3, 'independent'), 3, 'independent');
      for (const payload of [4, 'maybe', { close: [3] }, [true, true, true], {}]) {
        await assert.rejects(run(payload), InputError);
      }
      assert.equal(device.jobs.length, 0);
      assert.equal(device.calls.length, 0);
    });
  });

  describe('for any state, relay set and command', () => {
    const relaySetArb = fc.integer({ min: 1, max: 7 });
    const commandArb = (relaySet: number): fc.Arbitrary<RelayCommand> => {
      const subset = fc.integer({ min: 0, max: 7 }).map((m) => m & relaySet);
      return fc.oneof(
        fc.constant<RelayCommand>({ kind: 'get' }),
        fc.constant<RelayCommand>({ kind: 'toggle' }),
        subset.map((mask): RelayCommand => ({ kind: 'set', mask })),
        fc
          .tuple(subset, subset)
          .map(([close, open]) => ({ close, open: open & ~close }))
          .filter(({ close, open }) => close !== 0 || open !== 0)
          .map(({ close, open }): RelayCommand => ({ kind: 'change', close, open })),
      );
    };
    const scenario = relaySetArb.chain((relaySet) =>
      fc.record({
        relaySet: fc.constant(relaySet),
        initial: fc.integer({ min: 0, max: 7 }),
        held: fc.integer({ min: 0, max: 7 }),
        command: commandArb(relaySet),
      }),
    );

    function intended(initial: number, relaySet: number, command: RelayCommand): number {
      switch (command.kind) {
        case 'get':
          return initial;
        case 'toggle':
          return initial ^ relaySet;
        case 'set':
          return (initial & ~relaySet) | command.mask;
        case 'change':
          return (initial | command.close) & ~command.open;
      }
    }

    it("moves only the node's relays, in at most one actuating call, and reports what happened", async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ relaySet, initial, held, command }) => {
          const device = new FakePrm3(initial, held);
          const result = await executeRelayCommand(device, 'S1', command, relaySet, 'independent');
          const actuating = device.calls.filter((c) => c.method !== 'relay.get_mask');

          assert.equal(device.jobs.length, 1);
          assert.ok(device.calls.every((c) => c.job === 1));
          assert.equal(actuating.length, command.kind === 'get' ? 0 : 1);
          assert.equal(device.calls.at(-1)?.method, 'relay.get_mask', 'ends with a read of the actual state');

          const expected = (intended(initial, relaySet, command) & ~held) | (initial & held);
          assert.equal(device.mask, expected);
          assert.equal(device.mask & ~relaySet, initial & ~relaySet, 'relays outside the set never move');
          assert.equal(result.actual, device.mask);
          if (command.kind !== 'get') {
            assert.equal(result.commanded, intended(initial, relaySet, command));
            assert.equal(result.held, (intended(initial, relaySet, command) ^ device.mask) & relaySet);
            assert.equal(result.applied, result.held === 0);
            assert.equal(result.held & ~held, 0, 'only relays that could not move are reported held');
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('prm3 SCPI operations', () => {
  it('runs every line in order in one device job and keeps the raw replies', async () => {
    const device = new FakePrm3();
    device.scpiReplies = ['OK\r\n', '9600\r\n'];
    const results = await executeScpi(device, '00000004', ['MODB:BAUD 9600', 'MODB:BAUD?'], { timeoutMs: 2_000 });
    assert.deepEqual(results, [
      { command: 'MODB:BAUD 9600', raw: 'OK\r\n', reply: 'OK', invalid: false },
      { command: 'MODB:BAUD?', raw: '9600\r\n', reply: '9600', invalid: false },
    ]);
    assert.deepEqual(device.methods, ['scpi.exec ["MODB:BAUD 9600"]', 'scpi.exec ["MODB:BAUD?"]']);
    assert.equal(device.jobs.length, 1);
    assert.deepEqual(device.jobs[0]?.attrs, { sn: '00000004' });
    assert.ok(device.calls.every((c) => c.job === 1 && c.options?.timeoutMs === 2_000));
  });

  it('stops at the first INVALID COMMAND and does not send the rest', async () => {
    const device = new FakePrm3();
    device.scpiReplies = ['OK\r\n', 'INVALID COMMAND\r\n', 'OK\r\n'];
    const results = await executeScpi(device, 'S1', ['*IDN?', 'BOGUS', 'MODB:BAUD 9600']);
    assert.equal(results.length, 2);
    assert.deepEqual(results[1], {
      command: 'BOGUS',
      raw: 'INVALID COMMAND\r\n',
      reply: 'INVALID COMMAND',
      invalid: true,
    });
    assert.equal(device.calls.length, 2);
  });

  it('checks every line before sending the first', async () => {
    const device = new FakePrm3();
    for (const lines of [['*IDN?', 'MODB:BAUD 9600\r\n*RST'], [], Array.from({ length: 33 }, () => '*IDN?')]) {
      await assert.rejects(executeScpi(device, 'S1', lines), InputError);
    }
    await assert.rejects(executeScpi(device, '', ['*IDN?']), InputError);
    assert.equal(device.jobs.length, 0);
    assert.equal(device.calls.length, 0);
  });

  it('treats a reply that is not text as a protocol error, after which nothing more is sent', async () => {
    const device = new FakePrm3();
    device.results.set('scpi.exec', [42]);
    await assert.rejects(executeScpi(device, '00000004', ['*IDN?', 'MODB:BAUD?']), (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.equal(error.device, '00000004');
      assert.equal(error.operation, 'scpi.exec');
      return true;
    });
    assert.equal(device.calls.length, 1);
  });
});
