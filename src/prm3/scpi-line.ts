/**
 * One SCPI line, checked before anything is sent: the PRM3 reads one command per 64-byte line
 * (CRLF included), and a stray line end or `;` would smuggle in a second command. Pure, so the
 * scpi dialog checks its command with it too.
 */
import { InputError } from '../errors';
import { describeReceived } from './preview';

/** 64-byte line minus the CR LF the meter appends. */
export const SCPI_MAX_LINE_CHARS = 62;
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
