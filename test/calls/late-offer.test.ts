/**
 * Late offer across the bridge (RFC 3264 §4, RFC 3261 §13.2.2.4): a caller's INVITE without SDP
 * goes to the callee without SDP, the callee's offer in its 200 reaches the caller, and the
 * caller's answer in its ACK is what herald's ACK to the callee carries. The same for a re-INVITE
 * without SDP in the established call. The SIPp callee fails unless each ACK carries the answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { CALL_TEST_GENERAL, callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
${CALL_TEST_GENERAL}
${dynamicFriends('from-sip', ['1000', '2000'])}`;

const EXTENSIONS = `
[from-sip]
exten => 100,1,Dial(SIP/2000,5)
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS})
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

test('late offer: the callee offers in its 200, the caller answers in its ACK, herald relays both; re-INVITE without SDP too', { skip }, async () => {
  const { uas } = await callee(h, '2000', 'uas_late.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_late.xml'), target: h.target, inf: csv(h.dir, 'late.csv', [['1000', '100']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await waitUntil(() => (h.calls.cdr?.counts().posted ?? 0) >= 1, 5000, 'CDR');
  assert.equal(h.calls.cdr?.last(1)[0]?.disposition, 'ANSWERED');
  await waitUntil(() => h.pbx.channels.list().length === 0 && h.calls.activeDialogs() === 0, 5000, 'no channels');
});
