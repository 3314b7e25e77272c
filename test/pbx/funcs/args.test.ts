// splitArgs against asterisk-dialplan-xmpp.md §2.7 (results checked by compiling
// __ast_app_separate_args from Asterisk HEAD).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitArgs, stripBlanks } from '../../../src/pbx/args.js';

test('§2.7 examples', () => {
  assert.deepEqual(splitArgs('acct,bob@x.com,Missed call from "Bob, Jr" <100>', ',', { max: 3 }), [
    'acct',
    'bob@x.com',
    'Missed call from "Bob, Jr" <100>',
  ]);
  assert.deepEqual(splitArgs('acct,"bob@x.com",a\\,b "q" c', ',', { max: 3 }), ['acct', 'bob@x.com', 'a\\,b "q" c']);
  assert.deepEqual(splitArgs('0,"hello"', ',', { max: 2 }), ['0', '"hello"']);
  assert.deepEqual(splitArgs('"lvl",msg', ',', { max: 2 }), ['lvl', 'msg']);
  assert.deepEqual(splitArgs('a,"b,c"', ',', { max: 3 }), ['a', 'b,c']);
  assert.deepEqual(splitArgs('a\\,x,b', ',', { max: 3 }), ['a,x', 'b']);
  assert.deepEqual(splitArgs('a,b,c,d,e,f', ',', { max: 4 }), ['a', 'b', 'c', 'd,e,f']);
});

test('grouping by parentheses and brackets, escapes, empty fields', () => {
  assert.deepEqual(splitArgs('x(1,2),[a,b],c'), ['x(1,2)', '[a,b]', 'c']);
  assert.deepEqual(splitArgs('a\\\\,b'), ['a\\', 'b']);
  assert.deepEqual(splitArgs(''), []);
  assert.deepEqual(splitArgs('a,'), ['a', '']);
  assert.deepEqual(splitArgs(',a'), ['', 'a']);
  assert.deepEqual(splitArgs('a,,b'), ['a', '', 'b']);
  assert.deepEqual(splitArgs('only'), ['only']);
  assert.deepEqual(splitArgs('a)b,c'), ['a)b', 'c']);
});

test('raw mode keeps quotes and backslashes but still groups', () => {
  assert.deepEqual(splitArgs('"a,b",c\\,d,e', ',', { removeQuotes: false }), ['"a,b"', 'c\\,d', 'e']);
});

test('other delimiters: ? and : for IF, " for REGEX', () => {
  assert.deepEqual(splitArgs('${X}=1?yes:no', '?', { max: 2 }), ['${X}=1', 'yes:no']);
  assert.deepEqual(splitArgs('"^a.c" abc', '"', { max: 3 }), ['', '^a.c', ' abc']);
});

test('stripBlanks trims both ends', () => {
  assert.equal(stripBlanks(' \t a b \n'), 'a b');
});
