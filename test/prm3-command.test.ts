import assert from 'node:assert/strict';
import { InputError } from '../src/errors';
import { ACCEPTED_RELAY_FORMS, parseRelayCommand, type RelayCommand } from '../src/prm3/command';

interface Accepted {
  payload: unknown;
  topic?: unknown;
  relaySet?: number;
  command: RelayCommand;
}

const ALL = 7;

const accepted: Accepted[] = [
  { payload: true, command: { kind: 'change', close: ALL, open: 0 } },
  { payload: false, command: { kind: 'change', close: 0, open: ALL } },
  { payload: true, relaySet: 3, command: { kind: 'change', close: 3, open: 0 } },
  { payload: 'on', command: { kind: 'change', close: ALL, open: 0 } },
  { payload: ' Close ', command: { kind: 'change', close: ALL, open: 0 } },
  { payload: 'CLOSED', relaySet: 4, command: { kind: 'change', close: 4, open: 0 } },
  { payload: 'true', command: { kind: 'change', close: ALL, open: 0 } },
  { payload: 'Off', relaySet: 6, command: { kind: 'change', close: 0, open: 6 } },
  { payload: 'open', command: { kind: 'change', close: 0, open: ALL } },
  { payload: 'false', command: { kind: 'change', close: 0, open: ALL } },
  { payload: 'get', command: { kind: 'get' } },
  { payload: ' GET ', command: { kind: 'get' } },
  { payload: '', topic: 'get', command: { kind: 'get' } },
  { payload: undefined, topic: 'get', command: { kind: 'get' } },
  { payload: null, topic: 'Get', command: { kind: 'get' } },
  { payload: true, topic: 'get', command: { kind: 'get' } },
  { payload: 'toggle', command: { kind: 'toggle' } },
  { payload: 'Toggle', relaySet: 3, command: { kind: 'toggle' } },
  { payload: 0, command: { kind: 'set', mask: 0 } },
  { payload: 5, command: { kind: 'set', mask: 5 } },
  { payload: 7, command: { kind: 'set', mask: 7 } },
  { payload: 3, relaySet: 3, command: { kind: 'set', mask: 3 } },
  { payload: 0, relaySet: 3, command: { kind: 'set', mask: 0 } },
  { payload: '5', command: { kind: 'set', mask: 5 } },
  { payload: ' 0 ', command: { kind: 'set', mask: 0 } },
  { payload: 5, topic: 'living room', command: { kind: 'set', mask: 5 } },
  { payload: { mask: 6 }, command: { kind: 'set', mask: 6 } },
  { payload: { mask: '2' }, relaySet: 3, command: { kind: 'set', mask: 2 } },
  { payload: { close: [1, 3] }, command: { kind: 'change', close: 5, open: 0 } },
  { payload: { open: [2] }, command: { kind: 'change', close: 0, open: 2 } },
  { payload: { close: [1], open: [3] }, command: { kind: 'change', close: 1, open: 4 } },
  { payload: { close: ['1', '2'] }, relaySet: 3, command: { kind: 'change', close: 3, open: 0 } },
  { payload: { close: 2 }, command: { kind: 'change', close: 2, open: 0 } },
  { payload: { open: '3' }, command: { kind: 'change', close: 0, open: 4 } },
  { payload: { close: [], open: [2] }, command: { kind: 'change', close: 0, open: 2 } },
  { payload: { relays: { '1': true, '3': false } }, command: { kind: 'change', close: 1, open: 4 } },
  { payload: { relays: { '2': false } }, relaySet: 2, command: { kind: 'change', close: 0, open: 2 } },
  { payload: { relays: { '1': true, '2': null } }, relaySet: 1, command: { kind: 'change', close: 1, open: 0 } },
  { payload: { relays: [true, null, false] }, command: { kind: 'change', close: 1, open: 4 } },
  { payload: [true, false, true], command: { kind: 'set', mask: 5 } },
  { payload: [false, false, false], command: { kind: 'set', mask: 0 } },
  { payload: [true, null, false], command: { kind: 'change', close: 1, open: 4 } },
  { payload: [true, true, null], relaySet: 3, command: { kind: 'change', close: 3, open: 0 } },
  { payload: [null, null, false], relaySet: 4, command: { kind: 'change', close: 0, open: 4 } },
];

interface Refused {
  payload: unknown;
  relaySet?: number;
  /** What the message must explain, beyond the field and the accepted forms. */
  reason: RegExp;
}

const refused: Refused[] = [
  { payload: undefined, reason: /no command/ },
  { payload: null, reason: /no command/ },
  { payload: '', reason: /no command/ },
  { payload: '   ', reason: /blank/ },
  { payload: 'maybe', reason: /not a known command/ },
  { payload: '5x', reason: /not a known command/ },
  { payload: '0x5', reason: /not a known command/ },
  { payload: '-1', reason: /not a known command/ },
  { payload: '1.5', reason: /not a known command/ },
  { payload: '8', reason: /0\.\.7/ },
  { payload: Number.NaN, reason: /0\.\.7/ },
  { payload: 8, reason: /0\.\.7/ },
  { payload: -1, reason: /0\.\.7/ },
  { payload: 1.5, reason: /0\.\.7/ },
  { payload: Infinity, reason: /0\.\.7/ },
  { payload: 4, relaySet: 3, reason: /mask 4 includes relay 3, which this node does not drive \(relays 1,2\)/ },
  { payload: 7, relaySet: 1, reason: /mask 7 includes relays 2,3/ },
  { payload: '4', relaySet: 3, reason: /does not drive/ },
  { payload: { mask: 4 }, relaySet: 3, reason: /does not drive/ },
  { payload: { mask: 9 }, reason: /0\.\.7/ },
  { payload: { mask: 'x' }, reason: /0\.\.7/ },
  { payload: {}, reason: /empty/ },
  { payload: [], reason: /exactly three/ },
  { payload: { on: true }, reason: /unknown key "on"/ },
  { payload: { mask: 1, extra: 2 }, reason: /unknown key "extra"/ },
  { payload: { mask: 1, close: [2] }, reason: /cannot be combined/ },
  { payload: { relays: { '1': true }, open: [2] }, reason: /cannot be combined/ },
  { payload: { close: [1], open: [1] }, reason: /relay 1 cannot be both closed and opened/ },
  { payload: { close: [1, 2], open: [2, 1] }, reason: /relays 1,2 cannot be both/ },
  { payload: { close: [4] }, reason: /relay numbers 1\.\.3/ },
  { payload: { close: [0] }, reason: /relay numbers 1\.\.3/ },
  { payload: { close: [1, 1] }, reason: /twice/ },
  { payload: { close: [[1]] }, reason: /relay numbers 1\.\.3/ },
  { payload: { close: '1,2' }, reason: /relay numbers 1\.\.3/ },
  { payload: { close: [] }, reason: /names no relay/ },
  { payload: { close: [3] }, relaySet: 3, reason: /relay 3 is not driven by this node \(relays 1,2\)/ },
  { payload: { open: [2, 3] }, relaySet: 1, reason: /relays 2,3 are not driven/ },
  { payload: { relays: {} }, reason: /names no relay/ },
  { payload: { relays: { '4': true } }, reason: /key "4"/ },
  { payload: { relays: { '1': 'yes' } }, reason: /relay 1 must be true/ },
  { payload: { relays: { '3': true } }, relaySet: 3, reason: /relay 3 is not driven/ },
  { payload: { relays: 5 }, reason: /"relays" must be an object/ },
  { payload: [true, false], reason: /exactly three/ },
  { payload: [true, false, true, false], reason: /exactly three/ },
  { payload: [1, 0, 1], reason: /entry 1 must be/ },
  { payload: [null, null, null], reason: /names no relay/ },
  { payload: [true, false, true], relaySet: 3, reason: /use null for the others/ },
  { payload: [null, null, true], relaySet: 3, reason: /relay 3 is not driven/ },
  { payload: { nested: { junk: [1, { deeper: true }] } }, reason: /unknown key "nested"/ },
  { payload: Buffer.from('on'), reason: /not a relay command/ },
  { payload: new Date(0), reason: /not a relay command/ },
  { payload: 5n, reason: /not a relay command/ },
  { payload: Symbol('x'), reason: /not a relay command/ },
];

function label(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? 'undefined';
}

describe('prm3 relay commands from msg.payload', () => {
  for (const { payload, topic, relaySet = ALL, command } of accepted) {
    const topicText = topic === undefined ? '' : ` with topic ${label(topic)}`;
    it(`reads ${label(payload)}${topicText} on relays mask ${relaySet} as ${JSON.stringify(command)}`, () => {
      assert.deepEqual(parseRelayCommand(payload, topic, relaySet, 'independent'), command);
    });
  }

  for (const { payload, relaySet = ALL, reason } of refused) {
    it(`refuses ${label(payload)} on relays mask ${relaySet}`, () => {
      assert.throws(
        () => parseRelayCommand(payload, undefined, relaySet, 'independent'),
        (error: unknown) => {
          assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
          assert.equal(error.code, 'INPUT');
          assert.equal(error.field, 'msg.payload');
          assert.match(error.message, /^msg\.payload: /);
          assert.ok(error.message.includes(ACCEPTED_RELAY_FORMS), 'lists the accepted forms');
          assert.match(error.message, reason);
          assert.match(error.message, /received /);
          return true;
        },
      );
    });
  }

  it('says what was received, with its type and a preview cut to about 40 characters', () => {
    const long = { close: ['a'.repeat(100)] };
    assert.throws(
      () => parseRelayCommand(long, undefined, ALL, 'independent'),
      (error: unknown) => {
        assert.ok(error instanceof InputError);
        const received = /received (.*?)\. Accepted/.exec(error.message)?.[1] ?? '';
        assert.match(received, /^object \{"close":\["a+…$/);
        assert.ok(received.length <= 'object '.length + 40, received);
        return true;
      },
    );
    assert.throws(() => parseRelayCommand('5x', undefined, ALL, 'independent'), /received string "5x"/);
    assert.throws(() => parseRelayCommand(Number.NaN, undefined, ALL, 'independent'), /received number NaN/);
    assert.throws(() => parseRelayCommand(undefined, 'status', ALL, 'independent'), /received undefined/);
  });

  it('does not choke on a payload that refers to itself', () => {
    const cyclic: Record<string, unknown> = { close: [1] };
    cyclic['self'] = cyclic;
    assert.throws(() => parseRelayCommand(cyclic, undefined, ALL, 'independent'), /unknown key "self"/);
  });

  it('refuses a relay set that is not a mask 1..7, whatever the payload', () => {
    for (const relaySet of [0, 8, -1, 1.5]) {
      assert.throws(
        () => parseRelayCommand(true, undefined, relaySet, 'independent'),
        (error: unknown) => error instanceof InputError && error.field === 'relays',
      );
    }
  });

  it('reads a topic "get" as a read even when the payload would be a command', () => {
    assert.deepEqual(parseRelayCommand(7, ' get ', ALL, 'independent'), { kind: 'get' });
    assert.deepEqual(parseRelayCommand({ junk: 1 }, 'GET', ALL, 'independent'), { kind: 'get' });
  });
});
