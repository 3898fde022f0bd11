/** Turns what a user types as "the meter" into the WebAPI base URL `scheme://host[:port]/api`. */
import { InputError } from '../errors';

const ACCEPTED_FORMS =
  'use a host name or address such as 192.168.1.50, meter.local or host:8080, or a URL such as ' +
  'https://DEV.egaug.es/ (optionally ending in /api)';

function reject(problem: string): never {
  throw new InputError('url', `meter URL ${problem}: ${ACCEPTED_FORMS}`);
}

/** A scheme is present when the text starts with `name://`; `host:8080` has no scheme. */
const SCHEME_PREFIX = /^([a-z][a-z0-9+.-]*):\/\//i;
/** `mailto:x`, `javascript:x`: a scheme without `//` that is not `host:port`. */
const SCHEME_WITHOUT_SLASHES = /^[a-z][a-z0-9+.-]*:(?!\d*(\/|$))/i;

export function normalizeMeterUrl(input: unknown): string {
  if (typeof input !== 'string') reject('is missing');
  // Surrounding blanks come from copy and paste; blanks inside are never part of a host.
  const text = input.trim();
  if (text === '') reject('is empty');
  if (/\s/.test(text)) reject('contains spaces');
  if (text.includes('\\')) reject('contains a backslash');
  // Node-RED fills in an environment variable only when `${NAME}` is the whole setting.
  if (text.includes('${'))
    reject('contains ${…}: only a whole setting such as ${METER_URL} is taken from an environment variable');

  const scheme = SCHEME_PREFIX.exec(text)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https')
    reject(`uses the unsupported scheme "${scheme}"`);
  if (scheme === undefined && SCHEME_WITHOUT_SLASHES.test(text)) reject('has an unsupported form');
  const candidate = scheme === undefined ? `http://${text}` : text;

  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    return reject('is not a valid address');
  }
  // The raw text is checked too: URL() silently drops an empty `?` or `#`.
  if (parsed.username !== '' || parsed.password !== '' || text.includes('@')) {
    reject('must not contain credentials (enter the username and password separately)');
  }
  if (parsed.search !== '' || text.includes('?')) reject('must not contain a query');
  if (parsed.hash !== '' || text.includes('#')) reject('must not contain a fragment');
  if (parsed.hostname === '') reject('has no host');
  const path = parsed.pathname;
  if (path !== '/' && path !== '/api' && path !== '/api/') reject(`has the path "${path}" (only / or /api is allowed)`);

  return `${parsed.protocol}//${parsed.host}/api`;
}
