/**
 * Ringing() and Progress() reach the SIP caller: 180 and 183 (no body: herald has no media), each
 * once, nothing after the answer. The SIPp caller fails on any extra provisional response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { CALL_TEST_GENERAL, callScenario, callServerHooks, csv, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
${CALL_TEST_GENERAL}
[1000]
type = friend
host = dynamic
insecure = invite
context = from-sip
`;

const EXTENSIONS = `
[from-sip]
exten => 300,1,Ringing()
 same => n,Progress()
 same => n,Ringing()
 same => n,Progress()
 same => n,Answer()
 same => n,Ringing()
 same => n,Progress()
 same => n,Hangup()
exten => 301,1,Ringing()
 same => n,Progress()
 same => n,Ringing()
 same => n,Busy()
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

test('Ringing() and Progress() before Answer(): 180, 183 once each, then 200; nothing after the answer', { skip }, async () => {
  const r = await runSipp({ scenario: callScenario('uac_indications.xml'), target: h.target, inf: csv(h.dir, 'i300.csv', [['1000', '300']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  await waitUntil(() => h.calls.activeCalls() === 0 && h.calls.activeDialogs() === 0, 5000, 'call over');
});

test('Ringing() and Progress() then Busy(): 180, 183, then 486', { skip }, async () => {
  const r = await runSipp({ scenario: callScenario('uac_indications.xml'), target: h.target, inf: csv(h.dir, 'i301.csv', [['1000', '301']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  await waitUntil(() => h.calls.activeCalls() === 0, 5000, 'call over');
});
