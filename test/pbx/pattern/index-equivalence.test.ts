/**
 * The lookup indexes (literal map, literal prefix range, pattern prefix lists) must give exactly
 * what Asterisk's plain walk over the sorted extension list gives. Cross-check on a generated
 * context against a naive walk built from the string matchers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dialplan } from '../../../src/pbx/dialplan.js';
import { matchCore, type MatchMode } from '../../../src/pbx/pattern.js';

let seed = 42;
const rnd = (n: number): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return (seed >>> 12) % n;
};
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];

const PIECES = ['1', '2', '5', '9', '0', 'X', 'N', 'Z', '[1-3]', '[59]', '[]', '-', 'a', '*', '#'];
const ENDINGS = ['', '', '.', '!', 'X.', 'XX'];
const DIALED = ['1', '2', '5', '9', '0', '3', '-', 'a', '*', '#', '_', 'X'];

function randomName(): string {
  if (rnd(3) === 0) {
    let s = '';
    for (let i = 0, n = 1 + rnd(4); i < n; i++) s += pick(['1', '2', '5', '9', '0', '-', 'a', '*']);
    return s;
  }
  let s = '_';
  for (let i = 0, n = rnd(4); i < n; i++) s += pick(PIECES);
  return s + pick(ENDINGS);
}

test('indexed lookups equal the plain sorted walk for every mode', () => {
  const dp = new Dialplan();
  const names = new Set<string>();
  for (let i = 0; i < 5000 && names.size < 300; i++) names.add(randomName());
  assert.ok(names.size >= 200, 'the generator yields enough distinct names');
  for (const name of names) {
    // Some extensions lack priority 1, so fall-through to later entries is exercised too.
    const prio = rnd(4) === 0 ? 2 : 1;
    dp.addPriority('c', name, null, { priority: prio, label: null, app: 'NoOp', appData: name, file: 'gen', line: 1 });
  }
  dp.seal();
  const sorted = dp.contexts.get('c')?.extensions ?? [];
  const naive = (exten: string, mode: MatchMode): string | null => {
    for (const e of sorted) {
      const r = matchCore(e.name, exten, mode);
      if (r === 0) continue;
      if (r === 2 && mode === 'matchmore') return null;
      const p = e.priorities.find((x) => x.priority === 1);
      if (p) return p.appData;
    }
    return null;
  };
  let checked = 0;
  for (let i = 0; i < 3000; i++) {
    let exten = '';
    for (let j = 0, n = rnd(6); j < n; j++) exten += pick(DIALED);
    const want = naive(exten, 'match');
    assert.equal(dp.findPriority('c', exten, 1, null)?.priority.appData ?? null, want, `match '${exten}'`);
    assert.equal(dp.exists('c', exten, null), want !== null, `exists '${exten}'`);
    assert.equal(dp.canMatch('c', exten, null), naive(exten, 'canmatch') !== null, `canmatch '${exten}'`);
    assert.equal(dp.matchMore('c', exten, null), naive(exten, 'matchmore') !== null, `matchmore '${exten}'`);
    checked++;
  }
  assert.equal(checked, 3000);
});
