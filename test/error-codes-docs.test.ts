import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES } from '../src/errors';

const ROOT = path.resolve(__dirname, '..', '..');

function read(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** The codes named in the text between `start` and the first `end` after it. */
function codesBetween(text: string, start: string, end: string): string[] {
  const from = text.indexOf(start);
  assert.ok(from >= 0, `finds "${start}"`);
  const to = text.indexOf(end, from + start.length);
  assert.ok(to > from, `finds "${end}" after "${start}"`);
  return [...text.slice(from + start.length, to).matchAll(/\b[A-Z][A-Z_]+[A-Z]\b/g)].map((match) => match[0]).sort();
}

describe('error codes in the docs', function () {
  const codes = [...ERROR_CODES].sort();

  it('README lists every code msg.error.code can have, and no other', function () {
    assert.deepEqual(codesBetween(read('README.md'), "this package's code, one of", 'Where it happened'), codes);
  });

  it('the prm3 mask help lists every code, and no other', function () {
    const help = read('src/nodes/prm3-mask/node.html');
    assert.deepEqual(codesBetween(help, '<code>code</code> is one of', '</p>'), codes);
  });
});
