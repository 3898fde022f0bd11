/** Command-line flags of `egauge-sim`, parsed and checked without side effects. */
import { isIntegerIn } from './json-guards';
import { MAX_MIN_DURATION_S } from './prm3-module';
import type { SimPrm3Options } from './types';

export const DEFAULT_CLI_PORT = 8080;

export interface CliSettings {
  help: boolean;
  host: string;
  port: number;
  https: boolean;
  user: string;
  password: string;
  prm3s: SimPrm3Options[];
  latencyMs: number;
  minDurationS: number;
  tokenLifetimeS: number;
}

export type CliParse = { settings: CliSettings } | { error: string };

export const USAGE = `Usage: egauge-sim [options]

Simulates an eGauge meter with PRM3 relay modules on its JSON WebAPI, for trying the
Node-RED nodes without hardware.

Options:
  --port N            port to listen on (default ${DEFAULT_CLI_PORT}; 0 picks a free one)
  --host ADDRESS      address to listen on (default 127.0.0.1)
  --https             serve https with the bundled demo certificate (localhost only)
  --user NAME         user name to log in with (default owner)
  --password PW       that user's password (default default)
  --prm3 SN[@PORT]    add a PRM3 with serial number SN on USB port PORT (repeatable;
                      default: one PRM3 00000004 on USB1)
  --latency MS        how long each relay call takes, milliseconds (default 0)
  --min-duration S    minimum open/close time of every relay, seconds, 0..255 (default 10)
  --token-lifetime S  login token lifetime, seconds (default 600)
  --help              show this help`;

const VALUE_FLAGS = new Set(['--port', '--host', '--user', '--password', '--prm3', '--latency', '--min-duration', '--token-lifetime']);

function number(flag: string, text: string, valid: (value: number) => boolean, wanted: string): number | string {
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  return valid(value) ? value : `${flag} needs ${wanted}, got "${text}"`;
}

function prm3(text: string): SimPrm3Options | string {
  const [sn = '', port, extra] = text.split('@');
  if (sn === '' || port === '' || extra !== undefined) return `--prm3 needs SN or SN@PORT, got "${text}"`;
  return port === undefined ? { sn } : { sn, port };
}

export function parseCliArgs(argv: readonly string[]): CliParse {
  const settings: CliSettings = {
    help: false,
    host: '127.0.0.1',
    port: DEFAULT_CLI_PORT,
    https: false,
    user: 'owner',
    password: 'default',
    prm3s: [],
    latencyMs: 0,
    minDurationS: 10,
    tokenLifetimeS: 600,
  };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    const equals = arg.indexOf('=');
    const flag = arg.startsWith('--') && equals > 0 ? arg.slice(0, equals) : arg;
    if (flag === '--help' || flag === '-h') {
      settings.help = true;
      continue;
    }
    if (flag === '--https') {
      settings.https = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) return { error: `unknown option "${arg}" (see --help)` };
    let value: string | undefined;
    if (flag !== arg) value = arg.slice(equals + 1);
    else {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined) return { error: `${flag} needs a value` };
    const problem = apply(settings, flag, value);
    if (problem !== undefined) return { error: problem };
  }
  return { settings };
}

/** Stores one flag's value; returns what is wrong with it, if anything. */
function apply(settings: CliSettings, flag: string, value: string): string | undefined {
  switch (flag) {
    case '--host':
      if (value === '') return '--host needs an address';
      settings.host = value;
      return undefined;
    case '--user':
      if (value === '') return '--user needs a name';
      settings.user = value;
      return undefined;
    case '--password':
      settings.password = value;
      return undefined;
    case '--prm3': {
      const parsed = prm3(value);
      if (typeof parsed === 'string') return parsed;
      settings.prm3s.push(parsed);
      return undefined;
    }
  }
  const checks: Record<string, [(value: number) => boolean, string, (parsed: number) => void]> = {
    '--port': [(n) => isIntegerIn(n, 0, 65535), 'an integer from 0 to 65535', (n) => (settings.port = n)],
    '--latency': [(n) => Number.isFinite(n) && n >= 0, 'a number of milliseconds', (n) => (settings.latencyMs = n)],
    '--min-duration': [(n) => isIntegerIn(n, 0, MAX_MIN_DURATION_S), 'whole seconds from 0 to 255', (n) => (settings.minDurationS = n)],
    '--token-lifetime': [(n) => Number.isFinite(n) && n > 0, 'a positive number of seconds', (n) => (settings.tokenLifetimeS = n)],
  };
  const check = checks[flag];
  if (check === undefined) return `unknown option "${flag}"`;
  const [valid, wanted, store] = check;
  const parsed = number(flag, value, valid, wanted);
  if (typeof parsed === 'string') return parsed;
  store(parsed);
  return undefined;
}
