// String and logic functions with a fake channel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FunctionError } from '../../../src/pbx/types.js';
import { ARRAY } from '../../../src/pbx/funcs/array.js';
import { CSV_QUOTE } from '../../../src/pbx/funcs/csv-quote.js';
import { CUT } from '../../../src/pbx/funcs/cut.js';
import { EVAL, setEvalSubstituter } from '../../../src/pbx/funcs/eval.js';
import { EXISTS } from '../../../src/pbx/funcs/exists.js';
import { FIELDNUM } from '../../../src/pbx/funcs/fieldnum.js';
import { FIELDQTY } from '../../../src/pbx/funcs/fieldqty.js';
import { FILTER } from '../../../src/pbx/funcs/filter.js';
import { IF } from '../../../src/pbx/funcs/if.js';
import { ISNULL } from '../../../src/pbx/funcs/isnull.js';
import { LEN } from '../../../src/pbx/funcs/len.js';
import { LISTFILTER } from '../../../src/pbx/funcs/listfilter.js';
import { POP } from '../../../src/pbx/funcs/pop.js';
import { PUSH } from '../../../src/pbx/funcs/push.js';
import { SHIFT } from '../../../src/pbx/funcs/shift.js';
import { UNSHIFT } from '../../../src/pbx/funcs/unshift.js';
import { QUOTE } from '../../../src/pbx/funcs/quote.js';
import { REGEX } from '../../../src/pbx/funcs/regex.js';
import { REPLACE } from '../../../src/pbx/funcs/replace.js';
import { SPRINTF } from '../../../src/pbx/funcs/sprintf.js';
import { STRREPLACE } from '../../../src/pbx/funcs/strreplace.js';
import { TOLOWER } from '../../../src/pbx/funcs/tolower.js';
import { TOUPPER } from '../../../src/pbx/funcs/toupper.js';
import { builtinFunctions } from '../../../src/pbx/funcs/index.js';
import { ctx, FakeChannel, read, write } from './fake-channel.js';

function withVars(vars: Record<string, string>): ReturnType<typeof ctx> {
  const chan = new FakeChannel();
  for (const [k, v] of Object.entries(vars)) chan.setVar(k, v);
  return ctx(chan);
}

test('LEN counts bytes, ISNULL and EXISTS test emptiness', () => {
  const c = ctx();
  assert.equal(read(LEN, 'hello', c), '5');
  assert.equal(read(LEN, '', c), '0');
  assert.equal(read(LEN, 'é', c), '2');
  assert.equal(read(ISNULL, '', c), '1');
  assert.equal(read(ISNULL, 'x', c), '0');
  assert.equal(read(EXISTS, '', c), '0');
  assert.equal(read(EXISTS, '0', c), '1');
});

test('IF uses pbx_checkcondition and trims the branches', () => {
  const c = ctx();
  assert.equal(read(IF, '1?yes:no', c), 'yes');
  assert.equal(read(IF, '0?yes:no', c), 'no');
  assert.equal(read(IF, 'abc ? yes : no', c), 'yes');
  assert.equal(read(IF, '0.9?yes:no', c), 'no');
  assert.equal(read(IF, '1?yes', c), 'yes');
  assert.equal(read(IF, '0?yes', c), '');
  assert.equal(read(IF, '0?:no', c), 'no');
  assert.equal(read(IF, '1?"a:b":c', c), 'a:b');
  assert.throws(() => read(IF, 'nothing', c), FunctionError);
  assert.throws(() => read(IF, '1?', c), FunctionError);
  assert.throws(() => read(IF, '', c), FunctionError);
});

test('SET sets the variable (or writes a function) and returns the value', () => {
  const c = ctx();
  const SET = builtinFunctions().find((f) => f.name === 'SET')!;
  assert.equal(read(SET, ' foo = bar,baz ', c), 'bar,baz');
  assert.equal(c.channel?.getVar('foo'), 'bar,baz');
  assert.equal(read(SET, 'CALLERID(num)=555', c), '555');
  assert.equal(c.channel?.callerId.num, '555');
  assert.throws(() => read(SET, 'noequals', c), /Syntax SET/);
  assert.throws(() => read(SET, '=x', c), /Syntax SET/);
  const noChan = ctx(null);
  read(SET, 'G=1', noChan);
  assert.equal(noChan.services.globals.get('G'), '1');
});

test('CUT selects fields by range spec', () => {
  const c = withVars({ v: 'a-b-c-d-e', csv: 'one,two,three' });
  assert.equal(read(CUT, 'v,,2', c), 'b');
  assert.equal(read(CUT, 'v,-,2-3', c), 'b-c');
  assert.equal(read(CUT, 'v,-,3-', c), 'c-d-e');
  assert.equal(read(CUT, 'v,-,-2', c), 'a-b');
  assert.equal(read(CUT, 'v,-,1&3&5', c), 'a-c-e');
  assert.equal(read(CUT, 'v,-,4&2', c), 'd');
  assert.equal(read(CUT, 'csv,\\,,2', c), 'two');
  assert.equal(read(CUT, 'v,-,9', c), '');
  assert.throws(() => read(CUT, 'v,-', c), /missing argument/);
  assert.throws(() => read(CUT, 'v,-,x', c), /Usage/);
});

test('FIELDQTY and FIELDNUM', () => {
  const c = withVars({ l: 'ab,cd,EF', empty: '' });
  assert.equal(read(FIELDQTY, 'l,\\,', c), '3');
  assert.equal(read(FIELDQTY, 'l,-', c), '1');
  assert.equal(read(FIELDQTY, 'empty,\\,', c), '0');
  assert.equal(read(FIELDNUM, 'l,\\,,cd', c), '2');
  assert.equal(read(FIELDNUM, 'l,\\,,ef', c), '3');
  assert.equal(read(FIELDNUM, 'l,\\,,zz', c), '0');
  assert.equal(read(FIELDNUM, 'empty,\\,,ab', c), '0');
});

test('LISTFILTER (Asterisk test_substitution vectors)', () => {
  const c = withVars({ list1: 'ab&cd&ef', list2: 'ab', list_empty: '' });
  assert.equal(read(LISTFILTER, 'list1,&,ab', c), 'cd&ef');
  assert.equal(read(LISTFILTER, 'list1,&,cd', c), 'ab&ef');
  assert.equal(read(LISTFILTER, 'list1,&,ef', c), 'ab&cd');
  assert.equal(read(LISTFILTER, 'list1,&,gh', c), 'ab&cd&ef');
  assert.equal(read(LISTFILTER, 'list1,&,c', c), 'ab&cd&ef');
  assert.equal(read(LISTFILTER, 'list1,&,d', c), 'ab&cd&ef');
  assert.equal(read(LISTFILTER, 'list2,&,ab', c), '');
  assert.equal(read(LISTFILTER, 'list_empty,&,ab', c), '');
});

test('REGEX matches anywhere with POSIX ERE', () => {
  const c = ctx();
  assert.equal(read(REGEX, '"^6[0-9]{3}$" 6001', c), '1');
  assert.equal(read(REGEX, '"^6[0-9]{3}$" 7001', c), '0');
  assert.equal(read(REGEX, '"[[:digit:]]+" abc123', c), '1');
  assert.equal(read(REGEX, '"b" abc', c), '1');
  assert.throws(() => read(REGEX, 'no quotes', c), FunctionError);
  assert.throws(() => read(REGEX, '"a{2,1}" x', c), /Malformed input/);
});

test('REPLACE, STRREPLACE, TOUPPER, TOLOWER', () => {
  const c = withVars({ n: '(555) 123-4567', s: 'a.b.c.d' });
  assert.equal(read(REPLACE, 'n,() -', c), '5551234567');
  assert.equal(read(REPLACE, 'n,() -,_', c), '_555__123_4567');
  assert.equal(read(STRREPLACE, 's,.,::', c), 'a::b::c::d');
  assert.equal(read(STRREPLACE, 's,.,-,2', c), 'a-b-c.d');
  assert.equal(read(STRREPLACE, 's,.', c), 'abcd');
  assert.throws(() => read(STRREPLACE, 's', c), /Usage/);
  assert.equal(read(STRREPLACE, 's,.,-,x', c), 'a-b-c-d');
  assert.equal(read(TOUPPER, 'abcÉé1', c), 'ABCÉé1');
  assert.equal(read(TOLOWER, 'ABC def', c), 'abc def');
});

test('FILTER keeps the allowed characters, with ranges and escapes', () => {
  const c = ctx();
  assert.equal(read(FILTER, '0-9,(555) 123-4567', c), '5551234567');
  assert.equal(read(FILTER, 'a-z\\x20,Hello World, ok', c), 'ello orld ok');
  assert.equal(read(FILTER, '0123456789*#,*72#1000', c), '*72#1000');
});

test('QUOTE and CSV_QUOTE', () => {
  const c = ctx();
  assert.equal(read(QUOTE, 'say "hi" \\o/', c), '"say \\"hi\\" \\\\o/"');
  assert.equal(read(QUOTE, '', c), '""');
  assert.equal(read(CSV_QUOTE, 'a "b" c', c), '"a ""b"" c"');
});

test('SHIFT, POP, PUSH, UNSHIFT on a list variable', async () => {
  const c = withVars({ l: 'a,b,c' });
  assert.equal(read(SHIFT, 'l', c), 'a');
  assert.equal(c.channel?.getVar('l'), 'b,c');
  assert.equal(read(POP, 'l', c), 'c');
  assert.equal(c.channel?.getVar('l'), 'b');
  assert.equal(read(POP, 'l', c), 'b');
  assert.equal(c.channel?.getVar('l'), '');
  assert.equal(read(POP, 'l', c), '');
  await write(PUSH, 'l', 'x', c);
  await write(PUSH, 'l', 'y', c);
  await write(UNSHIFT, 'l', 'w', c);
  assert.equal(c.channel?.getVar('l'), 'w,x,y');
  await write(PUSH, 'p,^', '1', c);
  await write(PUSH, 'p,^', '2', c);
  assert.equal(c.channel?.getVar('p'), '1^2');
  assert.equal(read(SHIFT, 'p,^', c), '1');
  assert.throws(() => read(SHIFT, '', c), /requires a variable name/);
});

test('ARRAY sets several variables at once', async () => {
  const c = ctx();
  await write(ARRAY, 'a,b,c', '1,2', c);
  assert.equal(c.channel?.getVar('a'), '1');
  assert.equal(c.channel?.getVar('b'), '2');
  assert.equal(c.channel?.getVar('c'), '');
  assert.throws(() => read(ARRAY, 'a', c), /only be used for writing/);
});

test('SPRINTF', () => {
  const c = ctx();
  assert.equal(read(SPRINTF, '%05d|%-4s|%x|%.2f,42,ab,255,3.14159', c), '00042|ab  |ff|3.14');
  assert.equal(read(SPRINTF, '%s and %s,a,b', c), 'a and b');
  assert.equal(read(SPRINTF, '100%%', c), '100%');
  assert.equal(read(SPRINTF, '%+d %e %g,5,1234.5,0.0001', c), '+5 1.234500e+03 0.0001');
  assert.equal(read(SPRINTF, '%c%c,72,105', c), 'Hi');
  assert.equal(read(SPRINTF, '%s|%s,only', c), 'only|(null)');
  assert.equal(read(SPRINTF, 'end%', c), 'end');
  assert.throws(() => read(SPRINTF, '%d,abc', c), /is not an integer number for format '%d'/);
  assert.throws(() => read(SPRINTF, '%d %d,1', c), /more format specifiers than arguments/);
  assert.throws(() => read(SPRINTF, '%f,x', c), /is not a floating point number/);
  assert.throws(() => read(SPRINTF, '%y,1', c), /Format type not supported/);
});

test('EVAL substitutes once more through the installed substituter', () => {
  const c = ctx();
  assert.throws(() => read(EVAL, '${X}', c), /no substitution engine/);
  setEvalSubstituter((text) => text.replace(/\$\{X\}/g, 'value'));
  try {
    assert.equal(read(EVAL, 'a ${X} b', c), 'a value b');
  } finally {
    setEvalSubstituter(null);
  }
});

test('CUT details from func_cut.c: -N starts at 1, empty fields keep their delimiters, bad delimiter means "-"', () => {
  const c = withVars({ v: ',b,,d', dash: 'a-b-c' });
  assert.equal(read(CUT, 'v,\\,,1-3', c), ',b,');
  assert.equal(read(CUT, 'v,\\,,-2', c), ',b');
  assert.equal(read(CUT, 'dash,\\\\x,2', c), 'b');
  assert.equal(read(CUT, 'empty,-,1', c), '');
});
