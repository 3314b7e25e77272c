import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BuddyTable, showToStatus } from '../../src/xmpp/roster.js';
import { parseJid } from '../../src/xmpp/jid.js';
import { describeError, redactStanza } from '../../src/xmpp/account.js';
import { sentAtText } from '../../src/xmpp/notify-queue.js';
import { presenceFromHint } from '../../src/xmpp/hint-presence.js';

const res = (status: number, priority: number) => ({ status, priority, description: '', capsNode: '', capsVer: '', capsExt: '' });

test('status per resource: the highest priority decides, ties go to the first; 6 and 7 as Asterisk', () => {
  const t = new BuddyTable(['bob@localhost']);
  assert.equal(t.status('bob@localhost'), 6);
  assert.equal(t.status('nobody@localhost'), 7);
  assert.equal(t.status('nobody@localhost/x'), 7);
  assert.deepEqual(t.setResource('bob@localhost', 'phone', res(3, 0)), { before: 6, after: 3 });
  assert.deepEqual(t.setResource('bob@localhost', 'desk', res(1, 5)), { before: 3, after: 1 });
  t.setResource('bob@localhost', 'tablet', res(5, 5));
  assert.equal(t.status('bob@localhost'), 1, 'equal priority: the earlier resource');
  assert.equal(t.status('bob@localhost/tablet'), 5);
  assert.equal(t.status('bob@localhost/none'), 6);
  assert.equal(t.status('BOB@localhost'), 1, 'case-insensitive');
  assert.deepEqual(t.removeResource('bob@localhost', 'desk'), { before: 1, after: 5 });
  t.removeResource('bob@localhost', 'tablet');
  t.removeResource('bob@localhost', 'phone');
  assert.equal(t.status('bob@localhost'), 6);
  assert.equal(showToStatus(undefined), 1);
  assert.equal(showToStatus('chat'), 2);
  assert.equal(showToStatus('xa'), 4);
  assert.equal(showToStatus('bogus'), 1);
});

test('JIDs: shape checks', () => {
  assert.deepEqual(parseJid('bob@localhost/phone'), { local: 'bob', domain: 'localhost', resource: 'phone' });
  for (const bad of ['bob', '@x', 'bob@', 'a b@c', 'bob@x/', 'a@b@c']) assert.equal(parseJid(bad), null, bad);
});

test('secrets never reach the trace; errors read as reasons', () => {
  assert.equal(
    redactStanza("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGFzdGVyaXNrAGFzdGVyaXNrcGFzcw==</auth>"),
    "<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>[redacted]</auth>",
  );
  assert.equal(redactStanza('<response xmlns="x">abc</response>'), '<response xmlns="x">[redacted]</response>');
  assert.match(describeError({ name: 'SASLError', condition: 'not-authorized' }), /authentication failed \(not-authorized\)/);
  assert.match(describeError({ code: 'ENOTFOUND' }), /unknown host/);
  assert.match(describeError({ code: 'ECONNREFUSED' }), /connection refused/);
  assert.match(describeError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT', message: 'self-signed certificate' }), /TLS failure: .*cafile=/);
});

test('"(sent at HH:MM)" in local time, with the date when not today', () => {
  const q = new Date(2026, 10, 22, 9, 5).getTime();
  assert.equal(sentAtText(q, q + 3600e3), '(sent at 09:05)');
  assert.equal(sentAtText(q, q + 86400e3), '(sent at 2026-11-22 09:05)');
});

test('presence from a hint: the phone first, then the presence part, else the configured status', () => {
  const cfg = { show: 1 as const, text: 'Online and Available' };
  assert.deepEqual(presenceFromHint({ state: 1, presence: 'available', presenceMessage: '' }, cfg), { show: 5, text: 'On the phone' });
  assert.deepEqual(presenceFromHint({ state: 8, presence: '', presenceMessage: '' }, cfg), { show: 5, text: 'Ringing' });
  assert.deepEqual(presenceFromHint({ state: 4, presence: '', presenceMessage: '' }, cfg), { show: 4, text: 'Phone unavailable' });
  assert.deepEqual(presenceFromHint({ state: 0, presence: 'away', presenceMessage: 'lunch' }, cfg), { show: 3, text: 'lunch' });
  assert.deepEqual(presenceFromHint({ state: 0, presence: 'not_set', presenceMessage: '' }, cfg), cfg);
  assert.deepEqual(presenceFromHint({ state: -2, presence: '', presenceMessage: '' }, cfg), cfg);
});
