import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineDecoder, encode, parseRequest } from '../../src/cli/control-protocol.js';

test('requests are validated', () => {
  assert.deepEqual(parseRequest('{"id":1,"command":"core show version"}'), { id: 1, command: 'core show version' });
  assert.deepEqual(parseRequest('{"id":2,"complete":"core sh"}'), { id: 2, complete: 'core sh' });
  assert.deepEqual(parseRequest('{"id":3,"console":3}'), { id: 3, console: 3 });
  for (const bad of ['garbage', '[]', 'null', '{"command":"x"}', '{"id":"1","command":"x"}', '{"id":1}', '{"id":1.5,"command":"x"}', '{"id":1,"console":"x"}']) {
    assert.equal(typeof parseRequest(bad), 'string', bad);
  }
});

test('lines are split across chunks; blank lines skipped; embedded newlines are escaped by encode', () => {
  const d = new LineDecoder(100);
  assert.deepEqual(d.push('{"a":'), []);
  assert.deepEqual(d.push('1}\n\n{"b":2}\n{"c"'), ['{"a":1}', '{"b":2}']);
  assert.deepEqual(d.push(':3}\n'), ['{"c":3}']);
  const msg = encode({ id: 1, output: 'two\nlines', ok: true });
  assert.equal(msg.indexOf('\n'), msg.length - 1);
});

test('an over-long line is refused even before its newline arrives', () => {
  const d = new LineDecoder(10);
  assert.throws(() => d.push('x'.repeat(11)), RangeError);
  const e = new LineDecoder(10);
  assert.throws(() => e.push(`${'x'.repeat(11)}\n`), RangeError);
});
