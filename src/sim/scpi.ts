/**
 * The PRM3's SCPI line interpreter, as reached through `scpi.exec`. One command per line, no
 * `;` chaining, at most 62 characters before the CR/LF, keywords case-insensitive in their
 * short form (the upper-case letters: `MODBus` → `MODB`) or long form. Every reply is one line
 * ending in CR/LF: `OK`, a value, or `INVALID COMMAND`.
 */
import { ALL_RELAYS, FIRMWARE_VERSION, MAX_MIN_DURATION_S, type Prm3Module } from './prm3-module';

const MAX_LINE_CHARS = 62;
const BAUD_RATES: ReadonlySet<number> = new Set([1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200]);
const INVALID = 'INVALID COMMAND';

interface ScpiCommand {
  /** Keywords in SCPI notation: upper-case letters form the short form. */
  keywords: readonly string[];
  query?: (device: Prm3Module) => string;
  /** Applies a numeric setting; false when the value is out of range. */
  set?: (device: Prm3Module, value: number) => boolean;
}

function inRange(value: number, min: number, max: number): boolean {
  return value >= min && value <= max;
}

/**
 * `MODBus:BAUD` is documented for the PRM3. The RELay commands below are this simulator's own
 * spelling: the PRM3 has relay and minimum-duration commands, but their real names are not
 * published. Change them here, in one place, once they are known.
 */
const COMMANDS: readonly ScpiCommand[] = [
  {
    keywords: ['MODBus', 'BAUD'],
    query: (device) => String(device.baud),
    set: (device, baud) => BAUD_RATES.has(baud) && (device.setBaud(baud), true),
  },
  {
    keywords: ['RELay', 'MASK'],
    query: (device) => String(device.mask),
    set: (device, mask) => inRange(mask, 0, ALL_RELAYS) && (device.command(mask), true),
  },
  {
    keywords: ['RELay', 'SET'],
    set: (device, mask) => inRange(mask, 0, ALL_RELAYS) && (device.command(device.mask | mask), true),
  },
  {
    keywords: ['RELay', 'CLEar'],
    set: (device, mask) => inRange(mask, 0, ALL_RELAYS) && (device.command(device.mask & ~mask), true),
  },
  {
    keywords: ['RELay', 'MINOpen'],
    query: (device) => String(device.minOpenS),
    set: (device, seconds) => inRange(seconds, 0, MAX_MIN_DURATION_S) && ((device.minOpenS = seconds), true),
  },
  {
    keywords: ['RELay', 'MINClose'],
    query: (device) => String(device.minCloseS),
    set: (device, seconds) => inRange(seconds, 0, MAX_MIN_DURATION_S) && ((device.minCloseS = seconds), true),
  },
];

function keywordMatches(given: string, keyword: string): boolean {
  const upper = given.toUpperCase();
  return upper === keyword.toUpperCase() || upper === keyword.replace(/[^A-Z]/g, '');
}

function findCommand(keywords: readonly string[]): ScpiCommand | undefined {
  return COMMANDS.find(
    (command) =>
      command.keywords.length === keywords.length &&
      command.keywords.every((keyword, i) => keywordMatches(keywords[i] ?? '', keyword)),
  );
}

/** The reply text without its line end. */
function interpret(line: string, device: Prm3Module): string {
  if (line.length > MAX_LINE_CHARS || /[;\r\n]/.test(line)) return INVALID;
  const parts = line.trim().split(/\s+/);
  if (parts.length > 2) return INVALID;
  const [header = '', parameter] = parts;
  if (header.toUpperCase() === '*IDN?')
    return parameter === undefined ? `eGauge,PRM3,${device.sn},${FIRMWARE_VERSION}` : INVALID;
  const isQuery = header.endsWith('?');
  const path = (isQuery ? header.slice(0, -1) : header).replace(/^:/, '');
  const command = findCommand(path.split(':'));
  if (command === undefined) return INVALID;
  if (isQuery) return command.query !== undefined && parameter === undefined ? command.query(device) : INVALID;
  if (command.set === undefined || parameter === undefined || !/^\d{1,9}$/.test(parameter)) return INVALID;
  return command.set(device, Number(parameter)) ? 'OK' : INVALID;
}

/** Runs one SCPI line on the device; a line may arrive with or without its CR/LF. */
export function execScpi(line: string, device: Prm3Module): string {
  return `${interpret(line.replace(/\r?\n$/, ''), device)}\r\n`;
}
