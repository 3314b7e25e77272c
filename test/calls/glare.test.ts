/**
 * Re-INVITE glare (RFC 3261 §14.2): a re-INVITE that arrives on a dialog where herald's own
 * (relayed) re-INVITE is outstanding gets 491 Request Pending and the call stays up; a second
 * re-INVITE while the first from the same side is unanswered gets 500 with Retry-After.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dialog } from '../../src/sip/dialog/dialog.js';
import { runSipp } from '../helpers/sipp.js';
import { CALL_TEST_GENERAL, callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = CALL_TEST_GENERAL + dynamicFriends('from-sip', ['1000', '2000']);

const EXTENSIONS = `
[from-sip]
exten => 100,1,Dial(SIP/2000,10)
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS}:\${HANGUPCAUSE})
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

test('glare: the caller re-INVITEs while the callee re-INVITE relayed to it is pending → 491, the call goes on', { skip }, async () => {
  const { uas } = await callee(h, '2000', 'uas_glare.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_glare.xml'), target: h.target, inf: csv(h.dir, 'g100.csv', [['1000', '100']]), calls: 1, timeoutSec: 20, args: ['-d', '200'] });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await waitUntil(() => h.server.context.store.entries('h').length >= 1, 5000, 'h extension');
  assert.equal(h.server.context.store.entries('h')[0]?.value, 'ANSWER:16');
  await waitUntil(() => h.calls.activeCalls() === 0 && h.calls.activeDialogs() === 0, 5000, 'call over');
});

function dialog(): Dialog {
  return new Dialog({
    callId: 'c', localTag: 'l', remoteTag: 'r', localUri: '<sip:a@h>', remoteUri: '<sip:b@h>', remoteTarget: 'sip:b@h',
    routeSet: [], localSeq: 1, remoteSeq: 1, dest: { proto: 'UDP', address: '127.0.0.1', port: 5060 }, connectionId: null, localContact: '<sip:a@h>',
  });
}

test('inviteRefusal: 491 while our INVITE is outstanding, 500 + Retry-After (0..10) while theirs is unanswered, else none', () => {
  const d = dialog();
  assert.equal(d.inviteRefusal(), null);
  d.inviteInPending = true;
  assert.deepEqual(d.inviteRefusal(() => 0.999), { status: 500, reason: 'Server Internal Error', headers: [['Retry-After', '10']] });
  assert.deepEqual(d.inviteRefusal(() => 0), { status: 500, reason: 'Server Internal Error', headers: [['Retry-After', '0']] });
  d.inviteOutPending = true;
  assert.equal(d.inviteRefusal()?.status, 491);
  d.inviteOutPending = false;
  d.inviteInPending = false;
  assert.equal(d.inviteRefusal(), null);
});
