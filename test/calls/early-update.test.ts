/**
 * UPDATE in the early dialog (RFC 3311) across the bridge, with SIPp phones: before the callee
 * answers, the caller's UPDATE with an offer (early media on hold) reaches the callee in the leg's
 * early dialog and the callee's answer comes back; the callee's own UPDATE with an offer reaches
 * the caller in the caller's early dialog; an UPDATE with an offer from the caller while herald's
 * relayed one is unanswered in that dialog gets 491 (§5.2), and the call then goes on to the
 * answer. Each phone checks the bodies it receives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
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

test('early UPDATE both ways relayed in the early dialogs, a glaring UPDATE offer gets 491, then the call is answered', { skip, timeout: 30_000 }, async () => {
  const { uas } = await callee(h, '2000', 'uas_early_update.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_early_update.xml'), target: h.target, inf: csv(h.dir, 'e1.csv', [['1000', '100']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await waitUntil(() => h.server.context.store.entries('h').length >= 1, 5000, 'h extension');
  assert.equal(h.server.context.store.entries('h')[0]?.value, 'ANSWER:16');
  await waitUntil(() => h.pbx.channels.list().length === 0 && h.calls.activeDialogs() === 0 && h.calls.activeCalls() === 0, 5000, 'call over');
});
