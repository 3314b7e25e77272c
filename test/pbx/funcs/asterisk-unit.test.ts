// Vectors from Asterisk's own unit tests in funcs/func_strings.c (test_FIELDNUM, test_REPLACE,
// test_FILTER, test_STRREPLACE, test_STRBETWEEN). Each argument string is what sits between the
// parentheses of the `${FUNC(...)}` the test substitutes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIELDNUM } from '../../../src/pbx/funcs/fieldnum.js';
import { FILTER } from '../../../src/pbx/funcs/filter.js';
import { KEYPADHASH } from '../../../src/pbx/funcs/keypadhash.js';
import { PASSTHRU } from '../../../src/pbx/funcs/passthru.js';
import { REPLACE } from '../../../src/pbx/funcs/replace.js';
import { STRBETWEEN } from '../../../src/pbx/funcs/strbetween.js';
import { STRREPLACE } from '../../../src/pbx/funcs/strreplace.js';
import type { DialplanFunction } from '../../../src/pbx/types.js';
import { ctx, FakeChannel, read } from './fake-channel.js';

/** The function's result as substitution gives it: a failing function gives "". */
function subst(fn: DialplanFunction, args: string, vars: Record<string, string> = {}, withChannel = true): string {
  const chan = new FakeChannel();
  for (const [k, v] of Object.entries(vars)) chan.setVar(k, v);
  try {
    return read(fn, args, ctx(withChannel ? chan : null));
  } catch {
    return '';
  }
}

test('test_FIELDNUM', () => {
  const cases: Array<[string, string, string, string]> = [
    ['abc,def,ghi,jkl', '\\,', 'ghi', '3'],
    ['abc def ghi jkl', ' ', 'abc', '1'],
    ['abc/def/ghi/jkl', '\\\\x2f', 'def', '2'],
    ['abc$def$ghi$jkl', '', 'ghi', '0'],
    ['abc,def,ghi,jkl', '-', '', '0'],
    ['abc-def-ghi-jkl', '-', 'mno', '0'],
  ];
  for (const [fields, delim, field, expected] of cases) {
    assert.equal(subst(FIELDNUM, `FIELDS,${delim},${field}`, { FIELDS: fields }), expected, `${fields} ${delim} ${field}`);
  }
});

test('test_REPLACE', () => {
  const cases: Array<[string, string, string, string]> = [
    ['abc,def', '\\,', '-', 'abc-def'],
    ['abc,abc', 'bc', 'a', 'aaa,aaa'],
    ['abc,def', 'x', '?', 'abc,def'],
    ['abc,def', '\\,', '', 'abcdef'],
  ];
  for (const [value, find, replace, expected] of cases) {
    assert.equal(subst(REPLACE, `TEST_STRING,${find},${replace}`, { TEST_STRING: value }), expected, `${value} ${find}`);
  }
});

test('test_FILTER (no channel)', () => {
  const cases: Array<[string, string]> = [
    ['A-R', 'DAHDI'],
    ['A\\-R', 'A'],
    ['\\x41-R', 'DAHDI'],
    ['0-9A-Ca-c', '0042133333A12212'],
    ['0-9a-cA-C_+\\-', '0042133333A12212'],
  ];
  for (const [allowed, expected] of cases) {
    assert.equal(subst(FILTER, `${allowed},0042133333&DAHDI/g1/2212`, {}, false), expected, allowed);
  }
});

test('test_STRREPLACE', () => {
  const cases: Array<[string, string | null, string | null, string | null, string]> = [
    ['Weasels have eaten my telephone system', 'have eaten my', 'are eating our', '', 'Weasels are eating our telephone system'],
    ['Did you know twenty plus two is twenty-two?', 'twenty', 'thirty', null, 'Did you know thirty plus two is thirty-two?'],
    ['foofoofoofoofoofoofoo', 'foofoo', 'bar', null, 'barbarbarfoo'],
    ['My pet dog once ate a dog who sat on a dog while eating a corndog.', 'dog', 'cat', '3', 'My pet cat once ate a cat who sat on a cat while eating a corndog.'],
    ['One and one and one is three', 'and', 'plus', '1', 'One plus one and one is three'],
    ['', 'fhqwagads', 'spelunker', null, ''],
    ['Part of this string is missing.', 'missing', null, null, 'Part of this string is .'],
    ["'Accidentally' left off a bunch of stuff.", null, null, null, ''],
    ['This test will also error.', '', '', '', ''],
    ['This is an "escape character" test.', '\\"escape character\\"', 'evil', null, 'This is an evil test.'],
  ];
  for (const [value, find, replace, max, expected] of cases) {
    let args = 'test_string';
    if (max !== null) args += `,${find},${replace},${max}`;
    else if (replace !== null) args += `,${find},${replace}`;
    else if (find !== null) args += `,${find}`;
    assert.equal(subst(STRREPLACE, args, { test_string: value }), expected, args);
  }
});

test('test_STRBETWEEN', () => {
  const cases: Array<[string, string, string]> = [
    ['0', 'w', '0'], ['30', 'w', '3w0'], ['212', 'w', '2w1w2'], ['212', '55', '2551552'], ['212', ' ', '2 1 2'],
    ['', 'w', ''], ['555', '', '555'], ['abcdefg', '_', 'a_b_c_d_e_f_g'], ['A', 'A', 'A'], ['AA', 'B', 'ABA'],
    ['AAA', 'B', 'ABABA'],
  ];
  for (const [value, insert, expected] of cases) {
    assert.equal(subst(STRBETWEEN, `test_string,${insert}`, { test_string: value }), expected, `${value}/${insert}`);
  }
});

test('KEYPADHASH and PASSTHRU', () => {
  assert.equal(subst(KEYPADHASH, '1-800-FLOWERS'), '18003569377');
  assert.equal(subst(PASSTHRU, 'a,b "c"'), 'a,b "c"');
});
