/**
 * Reads the lifetime of an eGauge token. eGauge tokens carry no `exp`: the meter writes `beg`
 * (issue time, s) and `ltm` (lifetime, s), either possibly as a numeric string. The signature
 * is the meter's business; the client only needs to know when to log in again.
 */

export interface TokenTimes {
  /** Issue time by the meter's clock, ms since the epoch. */
  beginMs: number;
  /** Lifetime, ms. */
  lifetimeMs: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite non-negative number, given as a number or a decimal string. */
function readSeconds(value: unknown): number | undefined {
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isFinite(number) && number >= 0 ? number : undefined;
}

/** The `beg`/`ltm` claims, or undefined when the token does not carry readable ones. */
export function readTokenTimes(jwt: string): TokenTimes | undefined {
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  const payloadPart = parts[1] ?? '';
  if (!/^[A-Za-z0-9_-]+$/.test(payloadPart)) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(payload)) return undefined;
  const beg = readSeconds(payload['beg']);
  const ltm = readSeconds(payload['ltm']);
  if (beg === undefined || ltm === undefined || ltm === 0) return undefined;
  return { beginMs: beg * 1000, lifetimeMs: ltm * 1000 };
}

/** Expiry of the token in ms since the epoch (`(beg + ltm) * 1000`), or undefined when unreadable. */
export function tokenExpiry(jwt: string): number | undefined {
  const times = readTokenTimes(jwt);
  return times === undefined ? undefined : times.beginMs + times.lifetimeMs;
}

/** Beyond this gap between the meter's `beg` and our clock, the meter's clock is taken as wrong. */
const CLOCK_SKEW_LIMIT_MS = 60_000;

/**
 * When to stop using a token, by our clock. A meter whose clock is off would otherwise make
 * every token look expired (a login per request) or valid far too long; then the lifetime is
 * counted from when the token arrived instead.
 */
export function localExpiry(times: TokenTimes, receivedAtMs: number): number {
  const skewed = Math.abs(times.beginMs - receivedAtMs) > CLOCK_SKEW_LIMIT_MS;
  return skewed ? receivedAtMs + times.lifetimeMs : times.beginMs + times.lifetimeMs;
}
