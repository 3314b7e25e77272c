/** Every row of the shared pattern vectors (test/fixtures/patterns/*.tsv). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from '../../helpers/paths.js';
import { bestMatch, canMatch, compareExtensions, match, matchCore, matchMore, sortExtensions } from '../../../src/pbx/pattern.js';

function readTsv(name: string): Array<Record<string, string>> {
  const lines = readFileSync(fixture('patterns', name), 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const cells = l.split('\t');
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = cells[i] ?? ''));
    return row;
  });
}

const unEmpty = (s: string): string => (s === '<empty>' ? '' : s);

test('vectors.tsv: match / canmatch / matchmore and the core return codes for every row', () => {
  const rows = readTsv('vectors.tsv');
  assert.ok(rows.length >= 150);
  for (const r of rows) {
    const p = r.pattern;
    const x = unEmpty(r.extension);
    const what = `${p} vs '${x}'`;
    assert.equal(match(p, x) ? '1' : '0', r.match, `match ${what}`);
    assert.equal(canMatch(p, x) ? '1' : '0', r.canmatch, `canmatch ${what}`);
    assert.equal(matchMore(p, x) ? '1' : '0', r.matchmore, `matchmore ${what}`);
    const core = `${matchCore(p, x, 'match')}/${matchCore(p, x, 'canmatch')}/${matchCore(p, x, 'matchmore')}`;
    assert.equal(core, r.core_return, `core ${what}`);
  }
});

test('compare.tsv: ast_extension_cmp for every row', () => {
  for (const r of readTsv('compare.tsv')) {
    assert.equal(String(compareExtensions(r.left, r.right)), r.ast_extension_cmp, `${r.left} vs ${r.right}`);
    assert.equal(String(compareExtensions(r.right, r.left)), String(-Number(r.ast_extension_cmp)), `${r.right} vs ${r.left}`);
  }
});

test('ordering.tsv: context sort order for every row', () => {
  for (const r of readTsv('ordering.tsv')) {
    const input = r.input_set.split(' ');
    assert.deepEqual(sortExtensions(input), r.sorted_order.split(' '), r.input_set);
    // Same result from the reversed input, unless two names are the same extension (ties keep input order).
    const ties = input.some((a, i) => input.some((b, j) => i !== j && compareExtensions(a, b) === 0));
    if (!ties) assert.deepEqual(sortExtensions([...input].reverse()), r.sorted_order.split(' '), `${r.input_set} (reversed input)`);
  }
});

test('best_match.tsv: the extension the lookup picks, for every row', () => {
  for (const r of readTsv('best_match.tsv')) {
    const got = bestMatch(r.context_extensions.split(' '), r.dialed);
    assert.equal(got ?? '<none>', r.best_match, `${r.dialed} in ${r.context_extensions}`);
  }
});
