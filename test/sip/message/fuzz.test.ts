import assert from 'node:assert/strict';
import { it } from 'node:test';
import { FuzzFailure, fuzz, loadCorpus } from './fuzz-corpus.js';

it('3,000 mutated and truncated corpus messages: only SipParseError escapes, serialize/parse stays equivalent', () => {
  const corpus = loadCorpus();
  assert.ok(corpus.length >= 90);
  const started = Date.now();
  try {
    fuzz(3000, 0x5eed4475, corpus);
  } catch (e) {
    if (e instanceof FuzzFailure) assert.fail(`${e.message}\ninput (latin1): ${JSON.stringify(e.input.toString('latin1'))}\ncause: ${String(e.cause)}`);
    throw e;
  }
  assert.ok(Date.now() - started < 20000);
});
