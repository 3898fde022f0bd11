/**
 * SCPI lines for `scpi.exec`: checked before anything is sent, because the PRM3 reads one
 * command per 64-byte line (CRLF included) and a stray line end or `;` would smuggle in a
 * second command.
 */
import { InputError, type ErrorContext } from '../errors';
import { ProtocolError } from '../webapi';
import { describeReceived } from './preview';
import { validateScpiLine } from './scpi-line';

export { SCPI_MAX_LINE_CHARS, validateScpiLine } from './scpi-line';

/** Bound on one message's batch, so a runaway array cannot hold a device for minutes. */
export const SCPI_MAX_LINES = 32;

const INVALID_REPLY = 'INVALID COMMAND';

/** A line or a non-empty array of lines; every line is checked before the first is sent. */
export function parseScpiInput(payload: unknown, field: string): string[] {
  if (typeof payload === 'string') return [validateScpiLine(payload, field)];
  if (!Array.isArray(payload)) {
    throw new InputError(
      field,
      `${field} must be a SCPI command line or an array of them, got ${describeReceived(payload)}`,
    );
  }
  if (payload.length === 0)
    throw new InputError(field, `${field} is an empty array: give at least one SCPI command line`);
  if (payload.length > SCPI_MAX_LINES) {
    throw new InputError(
      field,
      `${field} has ${payload.length} lines; at most ${SCPI_MAX_LINES} are sent in one message`,
    );
  }
  return payload.map((line: unknown, index) => validateScpiLine(line, `${field}[${index}]`));
}

export interface ScpiReply {
  /** The reply without its line end. */
  text: string;
  /** The device answered `INVALID COMMAND`. */
  invalid: boolean;
}

/** The PRM3 ends replies with CRLF; the text is what a user wants to see. */
export function normalizeScpiReply(raw: unknown, context: ErrorContext = {}): ScpiReply {
  if (typeof raw !== 'string') {
    const where = context.device === undefined ? '' : ` on ${context.device}`;
    throw new ProtocolError(`scpi.exec${where} returned ${describeReceived(raw)}; expected a reply line (text)`, {
      operation: 'scpi.exec',
      ...context,
    });
  }
  const text = raw.replace(/\s+$/, '');
  return { text, invalid: text.trim().toUpperCase() === INVALID_REPLY };
}
