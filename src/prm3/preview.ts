/** Short, safe descriptions of received values for input error texts. */

export const PREVIEW_MAX_CHARS = 40;

export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/** JSON of the value cut to PREVIEW_MAX_CHARS; never throws (cycles, bigint, symbols). */
export function preview(v: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = typeof v === 'bigint' ? `${v}n` : Object.prototype.toString.call(v);
  }
  if (typeof v === 'number' && !Number.isFinite(v)) text = String(v);
  return text.length > PREVIEW_MAX_CHARS ? `${text.slice(0, PREVIEW_MAX_CHARS - 1)}…` : text;
}

/** "string \"5x\"", "number NaN", "undefined". */
export function describeReceived(v: unknown): string {
  if (v === undefined) return 'undefined';
  return `${typeName(v)} ${preview(v)}`;
}
