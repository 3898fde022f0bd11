/**
 * Generated `prm3 mask` inputs that mostly look like relay commands (every documented form, over
 * relays 1..3, with any mix of states), plus anything at all, and the check that a PRM3 call
 * never moves only part of a load.
 */
import fc from 'fast-check';

const relay = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constantFrom('1', '2', '3', ' 2 ', '4'));
const relayList = fc.oneof(fc.uniqueArray(relay, { maxLength: 3 }), relay);
const state = fc.oneof(fc.boolean(), fc.constant(null));
const word = fc.constantFrom(
  'on',
  'off',
  'close',
  'open',
  'closed',
  'true',
  'false',
  'toggle',
  'get',
  ' Toggle ',
  'ON',
  'banana',
  '',
);

export const relayPayload: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  word,
  fc.integer({ min: -1, max: 8 }),
  fc.integer({ min: 0, max: 7 }).map(String),
  fc.record({ mask: fc.oneof(fc.integer({ min: -1, max: 8 }), fc.integer({ min: 0, max: 7 }).map(String)) }),
  fc.record({ close: relayList, open: relayList }, { requiredKeys: [] }),
  fc.record({ relays: fc.dictionary(fc.constantFrom('1', '2', '3'), state, { maxKeys: 3 }) }),
  fc.record({ relays: fc.array(state, { minLength: 3, maxLength: 3 }) }),
  fc.array(state, { minLength: 3, maxLength: 3 }),
  fc.array(state, { maxLength: 4 }),
  fc.anything(),
);

/** Sometimes "get", which reads whatever the payload is. */
export const relayTopic: fc.Arbitrary<unknown> = fc.oneof(fc.constant(undefined), fc.constantFrom('get', 'heater', ''));

/** Relay sets of two or three relays: the ones a load can be split across. */
export const polyphaseSet = fc.constantFrom(0b011, 0b101, 0b110, 0b111);

/**
 * Null when a relay call leaves `group` whole: it addresses all of the group or none of it
 * (get_mask addresses nothing). Otherwise the reason, for an assertion message.
 */
export function splitByCall(method: string, args: readonly unknown[], group: number): string | null {
  if (method === 'relay.get_mask') return null;
  const arg = args[0];
  if (typeof arg !== 'number') return `${method} with ${JSON.stringify(args)}`;
  const part = arg & group;
  return part === 0 || part === group ? null : `${method} [${arg}] addresses only part of group ${group}`;
}
