// Every pair of test/fixtures/expr/vectors.jsonl (279 outputs of Asterisk's own expression
// engine) through evaluateExpression().
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { evaluateExpression } from '../../../src/pbx/expr/index.js';
import { fixture } from '../../helpers/paths.js';

interface Vector {
  expression: string;
  expected: string;
  source: string;
  note: string;
}

const vectors: Vector[] = readFileSync(fixture('expr', 'vectors.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Vector);

/**
 * The 19 vectors whose printed value depends on x86-64 80-bit long double arithmetic (the
 * fixture's note says so). They are all checked to the last printed digit: + - * / and decimal
 * parsing are emulated exactly with a 64-bit mantissa, SQRT is exact, and the transcendental
 * functions are computed with 128 bits and rounded once. LONG_DOUBLE_EXACT lists those that
 * only need the exact basic arithmetic, LONG_DOUBLE_TRANSCENDENTAL the ones that go through
 * COS/SIN/TAN/ATAN/ATAN2/ASIN/ACOS/EXP/LOG/LOG2; if the high-precision functions were ever
 * replaced by double precision, the latter would need a relative tolerance of about 1e-15.
 */
const LONG_DOUBLE_EXACT = new Set([
  '4 + 8 / 3',
  '1.500003+1.4999999999999898989898989898989898989889898',
  'SQRT(2)',
  '1/3',
  '2/3',
  '100000000000000000000',
]);
const LONG_DOUBLE_TRANSCENDENTAL = new Set([
  '2.3 + SIN(3.1415823)',
  'TAN(45) + 2.3',
  'EXP(1.0)',
  'LOG(10)',
  'LOG2(10)',
  'ATAN2(4,5)',
  'ASIN(1)',
  'ATAN(10)',
  'ASIN(0.705)',
  'ACOS(.12)',
  'ATAN(.912) + TRUNC(2.4) - ASIN(0.705) + ACOS(.12)',
  'ATAN(0.912)',
  'ACOS(0.12)',
]);
/** Asterisk's output is undefined here (a string's pointer bits read as a long double). */
const UNDEFINED = new Set(['ATAN(.912)']);

test('the fixture holds 279 vectors and the long-double list matches its notes', () => {
  assert.equal(vectors.length, 279);
  const noted = vectors.filter((v) => v.note.startsWith('long-double')).map((v) => v.expression);
  assert.deepEqual(new Set(noted), new Set([...LONG_DOUBLE_EXACT, ...LONG_DOUBLE_TRANSCENDENTAL]));
  assert.equal(noted.length, 19);
});

for (const [index, v] of vectors.entries()) {
  test(`vector ${index + 1}: $[${v.expression}] → ${JSON.stringify(v.expected)}`, () => {
    const got = evaluateExpression(v.expression).value;
    if (UNDEFINED.has(v.expression)) {
      assert.match(got, /^-?[0-9.e+-]+$/);
      return;
    }
    assert.equal(got, v.expected);
  });
}
