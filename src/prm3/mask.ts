/**
 * PRM3 relay masks: three bits, bit 0 (value 1) is relay 1, bit 2 (value 4) is relay 3.
 * A mask is the absolute state of the module: a set bit is a closed relay.
 */
import { InputError } from '../errors';
import { describeReceived } from './preview';

export const RELAY_COUNT = 3;
export const ALL_RELAYS = 0b111;

export function isMask(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= ALL_RELAYS;
}

export function isRelayNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= RELAY_COUNT;
}

export function relayBit(relay: number): number {
  return 1 << (relay - 1);
}

/** Callers validate relay numbers first, so a bad one here is a fault of this package. */
export function relaysToMask(relays: readonly number[]): number {
  let mask = 0;
  for (const relay of relays) {
    if (!isRelayNumber(relay)) throw new RangeError(`relay number must be 1..${RELAY_COUNT}, got ${String(relay)}`);
    mask |= relayBit(relay);
  }
  return mask;
}

/** Closed (true) or open (false) for relays 1, 2, 3. */
export function maskToRelays(mask: number): [boolean, boolean, boolean] {
  return [(mask & 1) !== 0, (mask & 2) !== 0, (mask & 4) !== 0];
}

/** The relay numbers whose bits are set, ascending. */
export function relayNumbers(mask: number): number[] {
  const relays: number[] = [];
  for (let relay = 1; relay <= RELAY_COUNT; relay++) {
    if ((mask & relayBit(relay)) !== 0) relays.push(relay);
  }
  return relays;
}

/**
 * How a node's relays are wired: the phases of ONE load, which may only ever move together (a
 * load running on a missing phase can be damaged), or independent loads that move one by one.
 */
export type RelayGrouping = 'one-load' | 'independent';

/** True when `mask` closes some, but not all, of the relays in `group`. */
export function splitsGroup(mask: number, group: number): boolean {
  const part = mask & group;
  return part !== 0 && part !== group;
}

/** "1,2" for the error texts that name a node's relays. */
export function relayList(mask: number): string {
  return relayNumbers(mask).join(',');
}

const RELAY_SET_FORMS =
  'relay numbers 1..3 without repeats, as a comma list such as "1,2,3" or "2", or an array such as [1, 3]';

/** A relay number given as a number or a one-digit string; null when it is neither. */
export function relayNumberOf(v: unknown): number | null {
  if (isRelayNumber(v)) return v;
  if (typeof v === 'string' && /^\s*[1-3]\s*$/.test(v)) return Number(v.trim());
  return null;
}

/**
 * The relays a node drives (a setting): "1,2,3", "1, 3", "2", or an array of relay numbers.
 * The result is a mask 1..7; an empty set would make every command a no-op, so it is refused.
 */
export function parseRelaySet(value: unknown, field: string): number {
  let items: unknown[];
  if (typeof value === 'string') items = value.trim() === '' ? [] : value.split(',');
  else if (Array.isArray(value)) items = value;
  else throw new InputError(field, `${field} must be ${RELAY_SET_FORMS}; got ${describeReceived(value)}`);
  if (items.length === 0) throw new InputError(field, `${field} names no relay: use ${RELAY_SET_FORMS}`);

  let mask = 0;
  for (const item of items) {
    const relay = relayNumberOf(item);
    if (relay === null) {
      throw new InputError(field, `${field}: ${describeReceived(item)} is not a relay number; use ${RELAY_SET_FORMS}`);
    }
    const bit = relayBit(relay);
    if ((mask & bit) !== 0) throw new InputError(field, `${field} names relay ${relay} twice; use ${RELAY_SET_FORMS}`);
    mask |= bit;
  }
  return mask;
}
