// Behaviour from asterisk-dialplan-xmpp.md §3 that the shared vectors do not cover: the extra
// "run" vectors, syntax-error results, warnings, function calls and pbx_checkcondition.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkCondition, evaluateExpression } from '../../../src/pbx/expr/index.js';

const value = (e: string): string => evaluateExpression(e).value;

test('§3.8 extra behaviour vectors', () => {
  const cases: Array<[string, string]> = [
    ['abc + 2', '2'], ['abc - 5', '-5'], ['5 - abc', '5'], ['abc * 3', '0'], ['abc / 3', '0'],
    ['3 / abc', '2147483647'], ['5 / 0', '2147483647'], ['5 % 0', '0'], ['-7 % 3', '-1'],
    ['7.5 % 2', '1.5'], ['"3" = 3', '0'], ['03 = 3', '1'], ['!abc', '1'], ['!5abc', '0'],
    ['!0.5', '1'], ['-abc', '0'], ['"" ? 2 :: 3', '3'], ['"0" ? 2 :: 3', '2'],
    ['1 & 0 | 5', '5'], ['1 | 0 & 5', '1'], ['foo & bar', 'foo'], ['"" | foo', '""'],
    ['10 < 9a', '1'], ['"10" < "9"', '1'], ['1 == 1', '1'], ['1 && 0', '0'], ['1 || 0', '1'],
    ['TRUNC(7/2)', '3'], ['ABS(3-10)', '7'], ['.5 + 1', '1'], ['1e3 + 1', '1'],
    ['123456789012345678 + 1', '123456789012345679'], ['abcdef : bc', '0'], ['abcdef =~ bc', '2'],
    ['abcdef : "a(.)c"', 'b'], ['abcdef =~ "x(.)"', ''], ['"555-1212" : "([0-9]+)-"', '555'],
    ['abcdef : "[a-c]*"', '3'], ['a : .', '1'], ['foo : "("', ''], ['"a" ~~ "b" = "ab"', '0'],
    ['abc =~ b =~ 1', '1'], ['2 / 2 / 2', '0.5'], ['2 - 3 - 4', '-5'], ['SIP/100', '0'],
    ['"SIP/100"', '"SIP/100"'], ['1 | 0 ? a :: b', 'a'], ['0 & 1 ? a :: b', 'b'],
    ['! 1 = 0', '1'], ['1 + 2 ~~ 3', '24'], ['2 < 3 < 1', '0'], ['x ? 2 :: 3', '2'],
    ['0.0 ? a :: b', 'b'], ['7 % -3', '1'], ['-(2+3)', '-5'], ['3--2', '5'],
    ['99999999999999999999+1', '1e+20'], ['-0', '-0'], ['SQRT(-1)', '-nan'], ['ACOS(12)', 'nan'],
  ];
  for (const [e, want] of cases) assert.equal(value(e), want, e);
});

test('§3.7 syntax errors: "0", the parsed prefix, or an empty string, with a warning', () => {
  const cases: Array<[string, string]> = [
    ['1 +', '0'], ['5 =', '0'], ['foo !=', '0'], ['(1', '0'], ['!', '0'], ['1 ? :: 3', '0'],
    ['(1,2)', '0'], ['"3071234567" = "3071234567" & & "x"', '0'],
    ['1 2', '1'], ['1)', '1'], ['DELOREAN MOTORS : Privacy Manager', 'DELOREAN'], ['a{b', 'a'],
    ['= 5', ''], [' + 1', ''], [' != foo', ''],
  ];
  for (const [e, want] of cases) {
    const r = evaluateExpression(e);
    assert.equal(r.value, want, e);
    assert.ok((r.warning ?? '').startsWith('ast_yyerror(): syntax error: syntax error, unexpected '), e);
  }
  const r = evaluateExpression('1 +');
  assert.deepEqual(r.warning?.split('\n'), [
    "ast_yyerror(): syntax error: syntax error, unexpected $end, expecting '-' or '!' or '(' or '<token>'; Input:",
    '1 +',
    '   ^',
    'If you have questions, please refer to https://docs.asterisk.org/Configuration/Dialplan/Variables/Channel-Variables/',
  ]);
  const first = (e: string): string => evaluateExpression(e).warning?.split('\n')[0] ?? '';
  assert.equal(first('1 2'), "ast_yyerror(): syntax error: syntax error, unexpected '<token>', expecting $end; Input:");
  assert.equal(first('= 5'), "ast_yyerror(): syntax error: syntax error, unexpected '=', expecting $end; Input:");
  assert.equal(first('(1'), 'ast_yyerror(): syntax error: syntax error, unexpected $end; Input:');
  assert.equal(first('a ~~ b ~~'), "ast_yyerror(): syntax error: syntax error, unexpected $end, expecting '-' or '!' or '(' or '<token>'; Input:");
  assert.equal(first('1 ~~ 2 3'), "ast_yyerror(): syntax error: syntax error, unexpected '<token>', expecting $end; Input:");
  assert.equal(first('FOO(1 2)'), "ast_yyerror(): syntax error: syntax error, unexpected '<token>', expecting ',' or ')'; Input:");
  assert.equal(evaluateExpression('').value, '');
  assert.equal(evaluateExpression('').warning, undefined);
});

test('warnings for division by zero, non-numeric operands and bad regexes', () => {
  assert.deepEqual(evaluateExpression('5 / 0'), { value: '2147483647', warning: 'division by zero' });
  assert.deepEqual(evaluateExpression('5 % 0'), { value: '0', warning: 'div by zero' });
  assert.deepEqual(evaluateExpression('abc + 1'), { value: '1', warning: 'non-numeric argument' });
  assert.deepEqual(evaluateExpression('1 + abc'), { value: '1' });
  assert.match(evaluateExpression('foo : "("').warning ?? '', /^regcomp\(\) error : /);
  assert.deepEqual(evaluateExpression('2 + 2'), { value: '4' });
});

test('ast_expr2.y details: % by zero returns the divisor, ABS keeps -0, overflow warnings', () => {
  assert.deepEqual(evaluateExpression('5 % -0'), { value: '-0', warning: 'div by zero' });
  assert.equal(value('ABS(-0)'), '-0');
  assert.equal(value('ABS(-2.5)'), '2.5');
  assert.deepEqual(evaluateExpression('-9223372036854775808 / -1'), { value: '9.22337203685477581e+18', warning: 'overflow' });
  assert.deepEqual(evaluateExpression('2 * 3'), { value: '6' });
});

test('to_number converts in place: `03 | 1` returns the number 3', () => {
  assert.equal(value('03 | 1'), '3');
  assert.equal(value('03'), '03');
  assert.equal(value('abc + 03'), '3');
});

test('function argument lists: first argument required, later empty ones are ""', () => {
  const seen: string[] = [];
  const callFunction = (name: string, args: string): string => {
    seen.push(args);
    return 'x';
  };
  assert.equal(evaluateExpression('F()', { callFunction }).value, '0');
  assert.equal(evaluateExpression('F(,1)', { callFunction }).value, '0');
  assert.equal(evaluateExpression('F(1,,2,)', { callFunction }).value, 'x');
  assert.deepEqual(seen, ['1,,2,']);
});

test('an unterminated ${ swallows the rest of the input, as flex does', () => {
  assert.equal(value('${abc'), '');
  assert.equal(value('1 + ${abc'), '0');
  assert.equal(value('x${abc}y = x${abc}y'), '1');
});

test('lexer: quoted strings keep quotes, ${} text is one token, unknown characters split', () => {
  assert.equal(value('"a b"'), '"a b"');
  assert.equal(value('${GLOBAL(X)}9${x}'), '${GLOBAL(X)}9${x}');
  assert.equal(value('x${y}z = x${y}z'), '1');
  assert.equal(value('2+8/2'), '6');
  assert.equal(value('1.'), '1.');
  assert.equal(value('3a'), '3a');
  assert.equal(value('a ~~ b'), 'ab');
});

test('POSIX ERE details: classes, longest alternative, literal escapes, stacked quantifiers', () => {
  assert.equal(value('"1234x" : "[[:digit:]]+"'), '4');
  assert.equal(value('"abc" : "a|ab"'), '2');
  assert.equal(value('"abcd" =~ "(b|bc)"'), 'bc');
  assert.equal(value('"a]b" : "[]a]+"'), '2');
  assert.equal(value('"(x)" : "\\(x\\)"'), '3');
  assert.equal(value('"aaa" : "a*?"'), '3');
  assert.equal(value('"a{b" : "a{b"'), '3');
  assert.equal(value('"x y" : "x[[:space:]]y"'), '3');
  assert.equal(value('"é" : "."'), '2'); // match length counts bytes
});

test('numbers print like %.18Lg from 80-bit long double', () => {
  assert.equal(value('0.1 + 0.2'), '0.3');
  assert.equal(value('1/7'), '0.142857142857142857');
  assert.equal(value('1 - 1.1'), '-0.1');
  assert.equal(value('10 / 3 * 3'), '10');
  assert.equal(value('1000000000 * 1000000000 * 1000'), '1e+21');
  assert.equal(value('1 / 100000'), '1e-05');
  assert.equal(value('FLOOR(-2.5)'), '-3');
  assert.equal(value('ROUND(-0.4)'), '-0');
  assert.equal(value('REMAINDER(11,4)'), '-1');
  assert.equal(value('POW(2,59)'), '576460752303423488');
  assert.equal(value('POW(2,64)'), '1.84467440737095516e+19');
  assert.equal(value('POW(2,70)'), '1.1805916207174113e+21');
});

test('functions: wrong arity, bad names, dialplan functions with joined arguments', () => {
  assert.deepEqual(evaluateExpression('COS(1,2)'), { value: '0', warning: 'Wrong args to COS() function' });
  assert.deepEqual(evaluateExpression('cos(0)'), { value: '0', warning: "Error! 'cos' is not possibly a function name!" });
  assert.deepEqual(evaluateExpression('NOPE(1)'), {
    value: '0',
    warning: "Error! 'NOPE' doesn't appear to be an available function!",
  });
  const calls: string[] = [];
  const callFunction = (name: string, args: string): string | undefined => {
    calls.push(`${name}(${args})`);
    if (name === 'MATH') return String(Number(args) * 2);
    if (name === 'LEN') return String(args.length);
    if (name === 'TOUPPER') return args.toUpperCase();
    return undefined;
  };
  assert.equal(evaluateExpression('3 + MATH(7*8)', { callFunction }).value, '115');
  assert.equal(evaluateExpression('LEN("ab",1/4) + 0', { callFunction }).value, '9');
  assert.equal(evaluateExpression('TOUPPER(abc) = ABC', { callFunction }).value, '1');
  assert.deepEqual(calls, ['MATH(56)', 'LEN("ab",0.25)', 'TOUPPER(abc)']);
});

test('checkCondition follows pbx_checkcondition', () => {
  for (const s of ['', '0', '00', '-0', '0.9', '0abc', ' 0']) assert.equal(checkCondition(s), false, s);
  for (const s of ['1', '-1', '1.5', '2x', 'abc', '""', ' 5', '-', 'x0']) assert.equal(checkCondition(s), true, s);
});

test('math functions: long double results and C special values', () => {
  const cases: Array<[string, string]> = [
    ['SQRT(-1)', '-nan'], ['ACOS(12)', 'nan'], ['POW(-8,0.5)', '-nan'], ['POW(-2,3)', '-8'],
    ['POW(0,-1)', 'inf'], ['LOG(0)', '-inf'], ['LOG(-1)', 'nan'], ['EXP(100000)', 'inf'],
    ['EXP(-100000)', '0'], ['TAN(0)', '0'], ['ATAN2(0,-1)', '3.14159265358979324'],
    ['COS(3.141592653)', '-1'], ['POW(2,0.5)', '1.41421356237309505'], ['EXP10(3)', '1000'],
    ['EXP2(10)', '1024'], ['LOG2(8)', '3'], ['LOG10(1000)', '3'], ['POW(10,-2)', '0.01'],
    ['ATAN2(1,0)', '1.57079632679489662'], ['ASIN(-1)', '-1.57079632679489662'],
    ['ACOS(-1)', '3.14159265358979324'], ['SIN(3.14159265358979323846)', '-5.01655761266833202e-20'],
    ['EXP(11356)', '7.04914579998566244e+4931'], ['SIN(0.5)', '0.479425538604203'],
    ['POW(2,100)', '1.2676506002282294e+30'],
  ];
  for (const [e, want] of cases) assert.equal(value(e), want, e);
});

test('never throws: deep nesting and random operator soup', () => {
  assert.equal(evaluateExpression(`${'('.repeat(5000)}1${')'.repeat(5000)}`).value, '0');
  assert.equal(evaluateExpression(`${'-'.repeat(5000)}1`).value, '0');
  assert.equal(evaluateExpression(`${'('.repeat(50)}1${')'.repeat(50)}`).value, '1');
  const alphabet = ['1', '0', '2.5', 'abc', '"x y"', '(', ')', '+', '-', '*', '/', '%', '|', '&', '=', '!=', '<', '>=',
    ':', '=~', '~~', '?', '::', '!', ',', 'COS(', 'FOO(', '"(a|ab)*"', '${X}', ' ', '{', '$', '\\'];
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 3000; i++) {
    let s = '';
    const len = rnd(12);
    for (let j = 0; j < len; j++) s += alphabet[rnd(alphabet.length)];
    const r = evaluateExpression(s, { callFunction: (n) => (n === 'FOO' ? 'bar' : undefined) });
    assert.equal(typeof r.value, 'string', s);
  }
});

test('POSIX leftmost-longest also through quantified groups', () => {
  assert.equal(value('"aabab" : "a*(ab)*"'), 'ab');
  assert.equal(value('"aabab" : "a*(ab)*b*"'), 'ab');
  assert.equal(value('"xaabab" =~ "a*(ab)*"'), '0');
  assert.equal(value('"abcd" : "(a|ab)(c|bcd)"'), 'a');
});

test('longest alternative on a long subject, with and without an assertion after the match', () => {
  const long = `${'x'.repeat(1200)}abcd${'y'.repeat(800)}`;
  assert.equal(value(`"${long}" =~ "(b|bc)"`), 'bc');
  assert.equal(value(`"${long}" =~ "(b|bc)(d|dy)"`), 'bc');
  assert.equal(value(`"${long}" =~ "b|bcdy|bc"`), '4');
  // \b after the match: the search must see the text that follows the candidate end.
  assert.equal(value(`"ab abc" =~ "(ab|abc)\\b"`), 'ab');
  assert.equal(value(`"abc ab" =~ "(ab|abc)\\b"`), 'abc');
});
