/**
 * SCPI lines for `scpi.exec`: checked before anything is sent, because the PRM3 reads one
 * command per 64-byte line (CRLF included) and a stray line end or `;` would smuggle in a
 * second command.
 */
import { InputError, type ErrorContext } from '../errors';
import { ProtocolError } from '../webapi';
import { describeReceived } from './preview';

/** 64-byte line minus the CR LF the meter appends. */
export const SCPI_MAX_LINE_CHARS = 62;
/** Bound on one message's batch, so a runaway array cannot hold a device for minutes. */
export const SCPI_MAX_LINES = 32;

const INVALID_REPLY = 'INVALID COMMAND';

/** Why one character is refused, or null when it may appear in a line. */
function refusedCharacter(line: string, index: number): string | null {
  const code = line.charCodeAt(index);
  if (code === 0x0d) return 'a carriage return (CR)';
  if (code === 0x0a) return 'a line feed (LF)';
  if (code === 0x00) return 'a NUL character';
  if (code === 0x3b) return 'a ";" (the PRM3 takes one command per line, without chaining)';
  if (code === 0x7f) return 'a DEL character';
  if (code < 0x20) return `control character U+${hex4(code)}`;
  if (code > 0x7e) {
    const point = line.codePointAt(index) ?? code;
    return `non-ASCII character ${JSON.stringify(String.fromCodePoint(point))} (U+${hex4(point)})`;
  }
  return null;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/** One command line, returned without surrounding spaces. */
export function validateScpiLine(line: unknown, field: string): string {
  if (typeof line !== 'string') {
    throw new InputError(field, `${field} must be a SCPI command line (text), got ${describeReceived(line)}`);
  }
  for (let i = 0; i < line.length; i++) {
    const reason = refusedCharacter(line, i);
    if (reason !== null) {
      throw new InputError(field, `${field} has ${reason} at position ${i + 1}; a SCPI line is printable ASCII only`);
    }
  }
  const command = line.trim();
  if (command === '') throw new InputError(field, `${field} is blank: give a SCPI command such as "*IDN?"`);
  if (command.length > SCPI_MAX_LINE_CHARS) {
    throw new InputError(
      field,
      `${field} is ${command.length} characters long; a PRM3 line holds at most ${SCPI_MAX_LINE_CHARS} (64 with its line end)`,
    );
  }
  return command;
}

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
