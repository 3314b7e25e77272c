import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quoteWord, splitWords } from '../../src/cli/words.js';

test('white space separates words; runs of it count once', () => {
  assert.deepEqual(splitWords('  core   show\tversion ').words, ['core', 'show', 'version']);
  assert.equal(splitWords('core show ').endsInSpace, true);
  assert.equal(splitWords('core show').endsInSpace, false);
  assert.deepEqual(splitWords(''), { words: [], endsInSpace: true });
});

test('double quotes group words and are removed (presencestate change … "AWAY,lunch,Out to lunch")', () => {
  const { words } = splitWords('presencestate change CustomPresence:6002 "AWAY,lunch,Out to lunch"');
  assert.deepEqual(words, ['presencestate', 'change', 'CustomPresence:6002', 'AWAY,lunch,Out to lunch']);
  assert.deepEqual(splitWords('a "DND,,Busy in a meeting"').words, ['a', 'DND,,Busy in a meeting']);
  // Quotes can sit inside a word, as in Asterisk.
  assert.deepEqual(splitWords('x ab"c d"e').words, ['x', 'abc de']);
});

test('an empty quoted word is a word; an unterminated quote runs to the end', () => {
  assert.deepEqual(splitWords('set ""').words, ['set', '']);
  assert.deepEqual(splitWords('say "hello there').words, ['say', 'hello there']);
});

test('a backslash makes the next character literal', () => {
  assert.deepEqual(splitWords('a b\\ c').words, ['a', 'b c']);
  assert.deepEqual(splitWords('a \\"q\\"').words, ['a', '"q"']);
  assert.deepEqual(splitWords('a b\\\\').words, ['a', 'b\\']);
});

test('quoteWord only quotes when needed and round-trips', () => {
  assert.equal(quoteWord('plain'), 'plain');
  for (const w of ['two words', '', 'a"b', 'back\\slash']) {
    assert.deepEqual(splitWords(`cmd ${quoteWord(w)}`).words, ['cmd', w]);
  }
});
