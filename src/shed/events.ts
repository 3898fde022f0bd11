/** What the controller is told, and parsers for the parts that come from a message. */
import { InputError } from '../errors';
import { describeReceived } from '../prm3/preview';
import { parseNumber } from './config';
import type { OnOff } from './state';

export type OverrideState = OnOff | 'auto';

export type ShedEvent =
  /** Measured power in W, grid import positive. */
  | { type: 'reading'; watts: number }
  /** Read-back of relay masks, keyed by device; devices not listed are left as they were. */
  | { type: 'relayStates'; masks: Record<string, number> }
  | { type: 'override'; load: string; state: OverrideState; forS?: number }
  | { type: 'limit'; watts: number }
  | { type: 'enable' }
  | { type: 'disable' }
  /** Whether the meter answers at all; while it does not, nothing can switch. */
  | { type: 'meter'; reachable: boolean }
  /** The answer to a command: done, held by the PRM3 inside its own minimum time, or failed. */
  | { type: 'commandResult'; load: string; outcome: 'confirmed' | 'held' | 'failed' }
  | { type: 'tick' };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const OVERRIDE_FORMS = '{load: "<name>", state: "on" | "off" | "auto", forS: seconds (optional)}';

/** An override as a message carries it. */
export function parseOverride(
  value: unknown,
  field: string,
  loadNames: readonly string[],
): Extract<ShedEvent, { type: 'override' }> {
  if (!isRecord(value))
    throw new InputError(field, `${field} must be ${OVERRIDE_FORMS}; got ${describeReceived(value)}`);
  if (typeof value.load !== 'string' || !loadNames.includes(value.load)) {
    throw new InputError(
      `${field}.load`,
      `${field}.load must name a load of this shedder (${loadNames.join(', ')}); got ${describeReceived(value.load)}`,
    );
  }
  const state = value.state;
  if (state !== 'on' && state !== 'off' && state !== 'auto') {
    throw new InputError(
      `${field}.state`,
      `${field}.state must be "on", "off" or "auto"; got ${describeReceived(state)}`,
    );
  }
  const event: Extract<ShedEvent, { type: 'override' }> = { type: 'override', load: value.load, state };
  if (value.forS !== undefined) event.forS = parseNumber(value.forS, `${field}.forS`, 1, 7 * 24 * 3600, 'seconds');
  return event;
}

export function parseLimit(value: unknown, field: string): Extract<ShedEvent, { type: 'limit' }> {
  return { type: 'limit', watts: parseNumber(value, field, 1, 1_000_000, 'watts') };
}

export function parseReading(value: unknown, field: string): Extract<ShedEvent, { type: 'reading' }> {
  return { type: 'reading', watts: parseNumber(value, field, -1_000_000, 1_000_000, 'watts') };
}
