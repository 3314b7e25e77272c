/**
 * Dial's b() routine runs on each leg channel before its INVITE goes out, so what it does to the
 * leg shows in that INVITE: CALLERID(num)/CALLERID(name) set there become the From user and
 * display name (the SIPp callee checks them), while the caller's own caller ID is untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { CALL_TEST_GENERAL, callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
${CALL_TEST_GENERAL}
[1000]
type = friend
host = dynamic
context = from-sip
callerid = "Alice" <1000>
${dynamicFriends('from-sip', ['c400'])}`;

const EXTENSIONS = `
[from-sip]
exten => 400,1,Dial(SIP/c400,5,b(legcid^s^1))
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS}:\${CALLERID(num)}:\${CALLERID(name)})

[legcid]
exten => s,1,Set(CALLERID(num)=5551234)
 same => n,Set(CALLERID(name)=Front Desk)
 same => n,Return()
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

test('b() sets CALLERID(num) and CALLERID(name) on the leg: its INVITE\'s From carries them, the caller keeps its own', { skip }, async () => {
  const { uas } = await callee(h, 'c400', 'uas_answer_from.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_answer.xml'), target: h.target, inf: csv(h.dir, 'c400.csv', [['1000', '400']]), calls: 1, timeoutSec: 20, args: ['-d', '100'] });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await waitUntil(() => h.server.context.store.entries('h').length >= 1, 5000, 'h extension');
  assert.equal(h.server.context.store.entries('h')[0]?.value, 'ANSWER:1000:Alice');
  await waitUntil(() => (h.calls.cdr?.counts().posted ?? 0) >= 1, 5000, 'CDR');
  assert.equal(h.calls.cdr?.last(1)[0]?.clid, '"Alice" <1000>');
  await waitUntil(() => h.pbx.channels.list().length === 0 && h.calls.activeDialogs() === 0, 5000, 'no channels');
});
