/** The README, read the way a user reads it: by section. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const README = readFileSync(path.resolve(__dirname, '..', '..', '..', 'README.md'), 'utf8');

/** The text under a heading, up to the next heading of the same or a higher level. */
export function readmeSection(heading: string): string {
  const lines = README.split('\n');
  // A shell comment inside a code block is not a heading.
  let fenced = false;
  const headings = lines.map((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return fenced ? 0 : (/^(#+) /.exec(line)?.[1]?.length ?? 0);
  });
  const start = lines.findIndex((line, i) => (headings[i] ?? 0) > 0 && line.replace(/^#+ /, '') === heading);
  assert.ok(start >= 0, `the README has a section "${heading}"`);
  const level = headings[start] ?? 0;
  const end = headings.findIndex((h, i) => i > start && h > 0 && h <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}
