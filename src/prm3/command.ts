/**
 * Every form a `msg` may take to drive a PRM3 → one validated RelayCommand.
 * Anything doubtful is refused: a misread message would switch a real load.
 */
import { InputError } from '../errors';
import {
  ALL_RELAYS,
  isMask,
  relayBit,
  relayList,
  relayNumberOf,
  RELAY_COUNT,
  splitsGroup,
  type RelayGrouping,
} from './mask';
import { describeReceived } from './preview';

export type RelayCommand =
  | { kind: 'get' }
  /**
   * In one command: independent relays each invert; a load whose relays are all closed opens,
   * any other state of it closes, so a load never ends up split.
   */
  | { kind: 'toggle' }
  /** Absolute state of the node's relays; relays outside the set are left as they are. */
  | { kind: 'set'; mask: number }
  /** Close the `close` bits and open the `open` bits; the rest are left as they are. */
  | { kind: 'change'; close: number; open: number };

export const PAYLOAD_FIELD = 'msg.payload';

/** One sentence for error texts and the node's help. */
export const ACCEPTED_RELAY_FORMS =
  'true/"on"/"close" or false/"off"/"open" (all of the node\'s relays), "toggle", "get" (or msg.topic "get"), ' +
  'a mask 0..7, {mask: n}, {close: [1, 3], open: [2]}, {relays: {"1": true, "3": false}}, ' +
  'or [r1, r2, r3] of booleans (null = leave as is)';

const CLOSE_WORDS = new Set(['on', 'close', 'closed', 'true']);
const OPEN_WORDS = new Set(['off', 'open', 'false']);

export function isGetTopic(topic: unknown): boolean {
  return typeof topic === 'string' && topic.trim().toLowerCase() === 'get';
}

/** The forms a node whose relays are one load accepts: each moves all of them, or none. */
export function acceptedLoadForms(relaySet: number): string {
  const all = relayList(relaySet).split(',').join(', ');
  return (
    `true/"on"/"close" or false/"off"/"open" (${relayWord(relaySet)} together), "toggle", "get" (or msg.topic "get"), ` +
    `a mask 0 or ${relaySet} (or {mask: n}), {close: [${all}]}, {open: [${all}]}, ` +
    'or {relays: {…}} / [r1, r2, r3] giving all of them the same state'
  );
}

/**
 * Throws InputError (field `msg.payload`) for anything it cannot read with certainty, and, when
 * the relays are one load, for anything that would move only some of them.
 */
export function parseRelayCommand(
  payload: unknown,
  topic: unknown,
  relaySet: number,
  grouping: RelayGrouping,
): RelayCommand {
  if (!isMask(relaySet) || relaySet === 0) {
    throw new InputError('relays', `the node's relay set must be a mask 1..7, got ${describeReceived(relaySet)}`);
  }
  if (isGetTopic(topic)) return { kind: 'get' };
  return new PayloadReader(payload, relaySet, grouping).read();
}

/**
 * What a command would do to only part of `relaySet`, e.g. "close relay 1 and leave relay 2 as
 * it is"; null when it moves all of them or none. The one rule for one-load nodes.
 */
export function partialAction(command: RelayCommand, relaySet: number): string | null {
  switch (command.kind) {
    case 'get':
    case 'toggle':
      return null;
    case 'set':
      if (!splitsGroup(command.mask, relaySet)) return null;
      return `close ${relayWord(command.mask & relaySet)} and open ${relayWord(relaySet & ~command.mask)}`;
    case 'change': {
      const close = command.close & relaySet;
      const open = command.open & relaySet;
      if ((close === 0 || close === relaySet) && (open === 0 || open === relaySet)) return null;
      const parts: string[] = [];
      if (close !== 0) parts.push(`close ${relayWord(close)}`);
      if (open !== 0) parts.push(`open ${relayWord(open)}`);
      const left = relaySet & ~(close | open);
      if (left !== 0) parts.push(`leave ${relayWord(left)} as ${isSingleRelay(left) ? 'it is' : 'they are'}`);
      return parts.join(' and ');
    }
  }
}

/** Why a one-load node refuses `command`, or null when it moves all of the load or none of it. */
export function splitLoadReason(command: RelayCommand, relaySet: number): string | null {
  const action = partialAction(command, relaySet);
  if (action === null) return null;
  return `relays ${relayList(relaySet)} are one load and switch only together, but this command would ${action}`;
}

class PayloadReader {
  private readonly oneLoad: boolean;

  constructor(
    private readonly payload: unknown,
    private readonly relaySet: number,
    grouping: RelayGrouping,
  ) {
    this.oneLoad = grouping === 'one-load' && !isSingleRelay(relaySet);
  }

  read(): RelayCommand {
    const command = this.readAny();
    if (this.oneLoad) this.requireWholeLoad(command);
    return command;
  }

  /** Relays that are one load move together: a command for part of them is refused. */
  private requireWholeLoad(command: RelayCommand): void {
    const reason = splitLoadReason(command, this.relaySet);
    if (reason !== null) throw this.fail(`${reason} (to switch them one by one, untick "one load" in the node)`);
  }

  private readAny(): RelayCommand {
    const payload = this.payload;
    if (payload === undefined || payload === null || payload === '') {
      throw this.fail('there is no command (send one, or msg.topic "get" to read the relays)');
    }
    if (typeof payload === 'boolean') return this.allRelays(payload);
    if (typeof payload === 'number') return { kind: 'set', mask: this.maskInSet(payload) };
    if (typeof payload === 'string') return this.word(payload);
    if (Array.isArray(payload)) return this.relayArray(payload);
    if (isPlainObject(payload)) return this.object(payload);
    throw this.fail(`a value of type ${kindOf(payload)} is not a relay command`);
  }

  private fail(reason: string): InputError {
    return new InputError(
      PAYLOAD_FIELD,
      `${PAYLOAD_FIELD}: ${reason}; received ${describeReceived(this.payload)}. ` +
        `Accepted: ${this.oneLoad ? acceptedLoadForms(this.relaySet) : ACCEPTED_RELAY_FORMS}`,
    );
  }

  private allRelays(close: boolean): RelayCommand {
    return close
      ? { kind: 'change', close: this.relaySet, open: 0 }
      : { kind: 'change', close: 0, open: this.relaySet };
  }

  private word(text: string): RelayCommand {
    const word = text.trim().toLowerCase();
    if (word === 'get') return { kind: 'get' };
    if (word === 'toggle') return { kind: 'toggle' };
    if (CLOSE_WORDS.has(word)) return this.allRelays(true);
    if (OPEN_WORDS.has(word)) return this.allRelays(false);
    if (/^[0-9]+$/.test(word)) return { kind: 'set', mask: this.maskInSet(Number(word)) };
    throw this.fail(word === '' ? 'the text is blank' : 'the text is not a known command');
  }

  /** A mask may only name relays this node drives: the others belong to other loads. */
  private maskInSet(value: unknown): number {
    const mask = typeof value === 'string' && /^\s*[0-9]+\s*$/.test(value) ? Number(value) : value;
    if (!isMask(mask)) throw this.fail('a mask must be a whole number 0..7');
    const outside = mask & ~this.relaySet;
    if (outside !== 0) {
      throw this.fail(
        `mask ${mask} includes ${relayWord(outside)}, which this node does not drive (relays ${relayList(this.relaySet)})`,
      );
    }
    return mask;
  }

  private object(payload: Record<string, unknown>): RelayCommand {
    const keys = Object.keys(payload);
    if (keys.length === 0) throw this.fail('the object is empty');
    const unknown = keys.find((k) => k !== 'mask' && k !== 'close' && k !== 'open' && k !== 'relays');
    if (unknown !== undefined) throw this.fail(`unknown key "${unknown}"`);
    if (keys.length > 1 && (keys.includes('mask') || keys.includes('relays'))) {
      throw this.fail('"mask" and "relays" each stand alone: they cannot be combined with other keys');
    }
    if ('mask' in payload) return { kind: 'set', mask: this.maskInSet(payload['mask']) };
    if ('relays' in payload) return this.relayStates(payload['relays']);
    return this.closeOpen(payload['close'], payload['open']);
  }

  private closeOpen(closeValue: unknown, openValue: unknown): RelayCommand {
    const close = closeValue === undefined ? 0 : this.relaysInSet(closeValue, 'close');
    const open = openValue === undefined ? 0 : this.relaysInSet(openValue, 'open');
    const both = close & open;
    if (both !== 0) throw this.fail(`${relayWord(both)} cannot be both closed and opened`);
    return this.change(close, open);
  }

  /** `2`, `"2"` or an array of them → a mask of relays the node drives. */
  private relaysInSet(value: unknown, key: string): number {
    const items = Array.isArray(value) ? value : [value];
    let mask = 0;
    for (const item of items) {
      const relay = relayNumberOf(item);
      if (relay === null) throw this.fail(`"${key}" must hold relay numbers 1..3`);
      const bit = relayBit(relay);
      if ((mask & bit) !== 0) throw this.fail(`"${key}" names relay ${relay} twice`);
      mask |= bit;
    }
    this.requireInSet(mask);
    return mask;
  }

  private requireInSet(mask: number): void {
    const outside = mask & ~this.relaySet;
    if (outside !== 0) {
      const verb = isSingleRelay(outside) ? 'is' : 'are';
      throw this.fail(`${relayWord(outside)} ${verb} not driven by this node (relays ${relayList(this.relaySet)})`);
    }
  }

  private change(close: number, open: number): RelayCommand {
    if (close === 0 && open === 0) throw this.fail('the command names no relay to close or open');
    return { kind: 'change', close, open };
  }

  /** `{"1": true, "3": false}` or the same as an array of three. */
  private relayStates(value: unknown): RelayCommand {
    if (Array.isArray(value)) return this.relayArray(value);
    if (!isPlainObject(value)) throw this.fail('"relays" must be an object such as {"1": true, "3": false}');
    let close = 0;
    let open = 0;
    for (const [key, state] of Object.entries(value)) {
      if (!/^[1-3]$/.test(key)) throw this.fail(`"relays" has key "${key}": the keys are relay numbers "1".."3"`);
      if (state === null) continue;
      if (typeof state !== 'boolean') throw this.fail(`relay ${key} must be true (closed), false (open) or null`);
      if (state) close |= relayBit(Number(key));
      else open |= relayBit(Number(key));
    }
    this.requireInSet(close | open);
    return this.change(close, open);
  }

  /** `[r1, r2, r3]`: all booleans is an absolute state of the module; null leaves that relay as it is. */
  private relayArray(items: readonly unknown[]): RelayCommand {
    if (items.length !== RELAY_COUNT) throw this.fail('an array must hold exactly three entries, relay 1 first');
    let close = 0;
    let open = 0;
    let leave = 0;
    items.forEach((state, index) => {
      const bit = relayBit(index + 1);
      if (state === null) leave |= bit;
      else if (state === true) close |= bit;
      else if (state === false) open |= bit;
      else throw this.fail(`entry ${index + 1} must be true (closed), false (open) or null (leave as is)`);
    });
    if (leave === 0 && this.relaySet !== ALL_RELAYS) {
      throw this.fail(
        `three booleans set every relay, but this node drives only relays ${relayList(this.relaySet)}: use null for the others`,
      );
    }
    this.requireInSet(close | open);
    if (leave === 0) return { kind: 'set', mask: close };
    return this.change(close, open);
  }
}

function isSingleRelay(mask: number): boolean {
  return (mask & (mask - 1)) === 0;
}

function relayWord(mask: number): string {
  return isSingleRelay(mask) ? `relay ${relayList(mask)}` : `relays ${relayList(mask)}`;
}

/** "Buffer", "Date", "bigint": what a user recognises in an error text. */
function kindOf(v: unknown): string {
  if (typeof v !== 'object' || v === null) return typeof v;
  const name: unknown = v.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : 'object';
}

/** Objects from JSON or object literals only: Buffers, Dates and class instances are not commands. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
