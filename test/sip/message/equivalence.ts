/** Shared checks for the message tests: loading fixtures and comparing two messages. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from '../../helpers/paths.js';
import { parseMessage, serializeMessage, type SipMessage } from '../../../src/sip/message/index.js';

export interface IndexRow {
  [column: string]: string;
}

/** Rows of a tab-separated index with a header line. */
export function readIndex(...parts: string[]): IndexRow[] {
  const lines = readFileSync(fixture(...parts), 'utf8').split('\n').filter((l) => l.length > 0);
  const cols = (lines[0] as string).split('\t');
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const row: IndexRow = {};
    cols.forEach((c, i) => (row[c] = cells[i] ?? ''));
    return row;
  });
}

/** Headers without Content-Length (it is rewritten from the body on output). */
function headersOf(m: SipMessage): Array<[string, string]> {
  return m.headers.entries().filter(([n]) => n !== 'Content-Length');
}

/** Same start line, same headers in the same order with equal values, same body bytes. */
export function assertEquivalent(a: SipMessage, b: SipMessage, label: string): void {
  assert.equal(a.kind, b.kind, label);
  if (a.kind === 'request' && b.kind === 'request') {
    assert.equal(a.method, b.method, label);
    assert.equal(a.uri, b.uri, label);
  } else if (a.kind === 'response' && b.kind === 'response') {
    assert.equal(a.status, b.status, label);
    assert.equal(a.reason, b.reason, label);
  }
  assert.deepEqual(headersOf(a), headersOf(b), label);
  assert.ok(a.body.equals(b.body), `${label}: body differs`);
}

/** Serialize both ways (raw header re-emission and rebuilt headers), re-parse, compare. */
export function assertRoundTrip(m: SipMessage, label: string): void {
  const fast = serializeMessage(m);
  assertEquivalent(m, parseMessage(fast), `${label} (raw re-emission)`);
  const rebuilt = m.headers.clone();
  rebuilt.raw = null;
  const saved = m.headers;
  m.headers = rebuilt;
  try {
    const slow = serializeMessage(m);
    assert.ok(slow.includes(`\r\nContent-Length: ${m.body.length}\r\n`), `${label}: Content-Length written from the body`);
    assertEquivalent(m, parseMessage(slow), `${label} (rebuilt headers)`);
  } finally {
    m.headers = saved;
  }
}

export function loadFixture(...parts: string[]): Buffer {
  return readFileSync(fixture(...parts));
}
