/** Settings of the `egauge-meter` config node: the editor's defaults, the runtime's reader and the tests' contract. */
import { InputError } from '../../errors';
import { normalizeMeterUrl } from '../../webapi/url';
import { envName, unresolvedEnv } from '../env-text';
import { defineSettings, flag, readSettings, seconds, text, TLS_NODE, type Saved, type Setting } from '../schema';

/** What the editor shows in a password field it did not change; the runtime then uses the stored password. */
export const PASSWORD_PLACEHOLDER = '__PWRD__';

/** Node-RED has already put environment variables in place; a `${NAME}` still there names one that is not set. */
function resolved(field: string, value: string): string {
  const name = envName(value);
  if (name !== undefined) throw unresolvedEnv(field, name);
  return value;
}

/**
 * The meter's address. The dialog accepts what the client will accept, or a whole `${NAME}`
 * that Node-RED fills in at deploy; the runtime needs it filled in.
 */
const meterUrl: Setting<string> = {
  value: '',
  checked: true,
  required: true,
  check(value) {
    const typed = typeof value === 'string' ? value : '';
    if (envName(typed) === undefined) normalizeMeterUrl(value);
  },
  read(saved, key) {
    const url = resolved(key, text().read(saved, key));
    if (url === '') throw new InputError(key, 'the meter URL is not set');
    return url;
  },
};

export const meterSettings = defineSettings({
  settings: {
    name: text(),
    url: meterUrl,
    verify: flag(true),
    /** One HTTP exchange, read as milliseconds. */
    timeout: seconds({ value: 10, min: 1, max: 120 }),
    /** A whole /ctrl call with its polls, read as milliseconds. */
    callTimeout: seconds({ value: 30, min: 1, max: 600 }),
  },
  configNodes: { tls: TLS_NODE },
  credentials: { username: 'text', password: 'password' },
});

export interface MeterSettings {
  url: string;
  username: string;
  password: string;
  verify: boolean;
  requestTimeoutMs: number;
  callTimeoutMs: number;
}

export function readMeterSettings(
  saved: Saved,
  credentials: { username?: unknown; password?: unknown },
): MeterSettings {
  const settings = readSettings(meterSettings, saved);
  const username = resolved('username', typeof credentials.username === 'string' ? credentials.username.trim() : '');
  const password = resolved('password', typeof credentials.password === 'string' ? credentials.password : '');
  if (username === '') {
    throw new InputError(
      'username',
      'the meter username is not set: open the meter node and type a meter user and its password (for egauge-sim: owner and the password it prints)',
    );
  }
  return {
    url: settings.url,
    username,
    password,
    verify: settings.verify,
    requestTimeoutMs: settings.timeout,
    callTimeoutMs: settings.callTimeout,
  };
}
