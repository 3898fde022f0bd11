/** Text from the meter that may end up in an error message: short, printable, never a token. */

/** A JWT is three base64url parts; the first two start with `eyJ` (`{"` encoded). */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?/g;
const QUOTE_LIMIT = 100;

/** Up to ~100 printable characters of `text`, with anything token-shaped blanked out. */
export function safeQuote(text: string): string {
  const printable = text
    .replace(JWT_LIKE, '[token]')
    // eslint-disable-next-line no-control-regex -- control characters are what this line removes
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim();
  return printable.length > QUOTE_LIMIT ? `${printable.slice(0, QUOTE_LIMIT)}…` : printable;
}

/** Tokens remembered per client: the current one, and the one before it for replies still on their way. */
const TOKENS_KEPT = 2;

/**
 * Quotes the meter's words for one client: `safeQuote`, and first the client's own password and
 * latest tokens blanked out wherever they appear, whatever their shape. The secrets sit in
 * private fields, out of reach of `util.inspect` and `JSON.stringify`.
 */
export class MeterText {
  readonly #password: string;
  #tokens: string[] = [];

  constructor(password: string) {
    this.#password = password;
  }

  /** A token the meter issued to this client. */
  rememberToken(token: string): void {
    this.#tokens = [token, ...this.#tokens.filter((t) => t !== token)].slice(0, TOKENS_KEPT);
  }

  /** `text` with every secret of this client blanked out, otherwise unchanged. */
  redact(text: string): string {
    let out = text;
    for (const token of this.#tokens) out = out.split(token).join('[token]');
    // An empty password would match everywhere; it is no secret to blank.
    if (this.#password !== '') out = out.split(this.#password).join('[password]');
    return out;
  }

  readonly quote = (text: string): string => safeQuote(this.redact(text));
}

export type Quote = (text: string) => string;

function firstValue(header: string | string[] | undefined): string {
  return (Array.isArray(header) ? header[0] : header) ?? '';
}

/** What arrived instead of the expected JSON, e.g. `meter sent HTML (HTTP 502): <html>…`. */
export function describeBody(
  status: number,
  contentType: string | string[] | undefined,
  text: string,
  quote: boolean,
  redact: Quote = safeQuote,
): string {
  const type = firstValue(contentType).toLowerCase();
  const trimmed = text.trim();
  const sample = quote && trimmed !== '' ? `: ${redact(trimmed)}` : '';
  if (trimmed === '') return `meter sent an empty reply (HTTP ${status})`;
  if (type.includes('html') || trimmed.startsWith('<')) return `meter sent HTML (HTTP ${status})${sample}`;
  if (status === 200 || status === 400 || status === 401) return `meter sent invalid JSON (HTTP ${status})${sample}`;
  return `meter answered HTTP ${status}${sample}`;
}
