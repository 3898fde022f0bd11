/**
 * The `reg` query parameter of `GET /register`: `all`, `none`, `n` or `n0:n1`, chained with
 * `+` (add) and `-` (remove), e.g. `none+3+7` or `all-0:2`. A `+` may arrive decoded as a space.
 */
const TERM = /([+-]?)(all|none|\d+(?::\d+)?)/y;

export type RegisterSelection = { indices: number[] } | { error: string };

export function selectRegisters(spec: string | null, known: readonly number[]): RegisterSelection {
  if (spec === null) return { indices: [...known] };
  const text = spec.replace(/ /g, '+');
  const knownSet = new Set(known);
  // A spec that opens with + or - changes the default selection, which is every register.
  let selected = new Set<number>(/^[+-]/.test(text) ? known : []);
  let position = 0;
  while (position < text.length) {
    TERM.lastIndex = position;
    const match = TERM.exec(text);
    const [whole = '', sign = '', range = ''] = match ?? [];
    if (match === null || (position > 0 && sign === '')) return { error: `Invalid register selection "${spec}".` };
    position += whole.length;
    const indices = expand(range, known);
    if (typeof indices === 'string') return { error: indices };
    if (range !== 'all' && range !== 'none' && !range.includes(':') && !knownSet.has(Number(range))) {
      return { error: `Unknown register index ${range}.` };
    }
    if (sign === '-') for (const idx of indices) selected.delete(idx);
    else selected = new Set([...selected, ...indices]);
  }
  return { indices: known.filter((idx) => selected.has(idx)) };
}

function expand(range: string, known: readonly number[]): number[] | string {
  if (range === 'all') return [...known];
  if (range === 'none') return [];
  const [first = '', last = first] = range.split(':');
  const low = Number(first);
  const high = Number(last);
  if (low > high) return `Invalid register range ${range}.`;
  return known.filter((idx) => idx >= low && idx <= high);
}
