/** Text from the meter that may end up in an error message: short, printable, never a token. */

/** A JWT is three base64url parts; the first two start with `eyJ` (`{"` encoded). */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*)?/g;
const QUOTE_LIMIT = 100;

/** Up to ~100 printable characters of `text`, with anything token-shaped blanked out. */
export function safeQuote(text: string): string {
  const printable = text.replace(JWT_LIKE, '[token]').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return printable.length > QUOTE_LIMIT ? `${printable.slice(0, QUOTE_LIMIT)}…` : printable;
}

function firstValue(header: string | string[] | undefined): string {
  return (Array.isArray(header) ? header[0] : header) ?? '';
}

/** What arrived instead of the expected JSON, e.g. `meter sent HTML (HTTP 502): <html>…`. */
export function describeBody(status: number, contentType: string | string[] | undefined, text: string, quote: boolean): string {
  const type = firstValue(contentType).toLowerCase();
  const trimmed = text.trim();
  const sample = quote && trimmed !== '' ? `: ${safeQuote(trimmed)}` : '';
  if (trimmed === '') return `meter sent an empty reply (HTTP ${status})`;
  if (type.includes('html') || trimmed.startsWith('<')) return `meter sent HTML (HTTP ${status})${sample}`;
  if (status === 200 || status === 400 || status === 401) return `meter sent invalid JSON (HTTP ${status})${sample}`;
  return `meter answered HTTP ${status}${sample}`;
}
