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
  baseLoadW: number;
  loadSwing: { amplitudeW: number; periodS: number } | undefined;
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
  --base-load W       grid power with every relay open, watts (default 1200); each
                      closed relay adds its load on top
  --load-swing W[@S]  let the base load rise and fall by W watts over S seconds
                      (default 120), like a household, so load shedding has work to do
  --help              show this help`;

const VALUE_FLAGS = new Set([
  '--port',
  '--host',
  '--user',
  '--password',
  '--prm3',
  '--latency',
  '--min-duration',
  '--token-lifetime',
  '--base-load',
  '--load-swing',
]);

/** A plain decimal such as 12 or 0.5; NaN for anything else (signs, exponents, blanks). */
function decimal(text: string): number {
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
}

function number(flag: string, text: string, valid: (value: number) => boolean, wanted: string): number | string {
  const value = decimal(text);
  return valid(value) ? value : `${flag} needs ${wanted}, got "${text}"`;
}

function loadSwing(text: string): CliSettings['loadSwing'] | string {
  const [amplitude = '', period, extra] = text.split('@');
  const amplitudeW = decimal(amplitude);
  const periodS = period === undefined ? 120 : decimal(period);
  if (extra !== undefined || !Number.isFinite(amplitudeW) || !(periodS > 0)) {
    return `--load-swing needs W or W@S (watts, and a period of seconds above 0), got "${text}"`;
  }
  return { amplitudeW, periodS };
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
    baseLoadW: 1200,
    loadSwing: undefined,
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
    case '--load-swing': {
      const parsed = loadSwing(value);
      if (typeof parsed === 'string') return parsed;
      settings.loadSwing = parsed;
      return undefined;
    }
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
    '--min-duration': [
      (n) => isIntegerIn(n, 0, MAX_MIN_DURATION_S),
      'whole seconds from 0 to 255',
      (n) => (settings.minDurationS = n),
    ],
    '--token-lifetime': [
      (n) => Number.isFinite(n) && n > 0,
      'a positive number of seconds',
      (n) => (settings.tokenLifetimeS = n),
    ],
    '--base-load': [(n) => Number.isFinite(n), 'a number of watts', (n) => (settings.baseLoadW = n)],
  };
  const check = checks[flag];
  if (check === undefined) return `unknown option "${flag}"`;
  const [valid, wanted, store] = check;
  const parsed = number(flag, value, valid, wanted);
  if (typeof parsed === 'string') return parsed;
  store(parsed);
  return undefined;
}
