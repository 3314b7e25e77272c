/**
 * Dial's b() routine runs on each leg channel before its INVITE goes out, so what it does to the
 * leg shows in that INVITE: CALLERID(num)/CALLERID(name) set there become the From user and
 * display name (the SIPp callee checks them), while the caller's own caller ID is untouched.
 * Hangup handlers it pushes on the leg (CHANNEL(hangup_handler_push)) run when that leg is hung
 * up, most recent first, whether the leg was answered or cancelled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { ALICE_1000, CALL_TEST_GENERAL, callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
${CALL_TEST_GENERAL}${ALICE_1000}${dynamicFriends('from-sip', ['c400', 'c401', 'c402'])}`;

const EXTENSIONS = `
[from-sip]
exten => 400,1,Dial(SIP/c400,5,b(legcid^s^1))
exten => 401,1,Dial(SIP/c401,5,b(leghh^s^1))
exten => 402,1,Dial(SIP/c402,20,b(leghh^s^1))
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS}:\${CALLERID(num)}:\${CALLERID(name)})

[leghh]
exten => s,1,Set(CHANNEL(hangup_handler_push)=leghangup,s,1(first))
 same => n,Set(CHANNEL(hangup_handler_push)=leghangup,s,1(second))
 same => n,Return()

[leghangup]
exten => s,1,UserEvent(LegHangup,arg: \${ARG1},cause: \${HANGUPCAUSE})
 same => n,Return()

[legcid]
exten => s,1,Set(CALLERID(num)=5551234)
 same => n,Set(CALLERID(name)=Front Desk)
 same => n,Return()
`;

let h: CallServer;
const events: Array<{ channel: string; arg: string; cause: string }> = [];
const skip = callServerHooks(
  () => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }),
  (server) => {
    h = server;
    h.server.context.bus.on('UserEvent', (e) => {
      if (e.name === 'LegHangup') events.push({ channel: e.channel, arg: e.fields.arg ?? '', cause: e.fields.cause ?? '' });
    });
  },
);

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

test('hangup handlers pushed by b() on the leg run when the answered leg is hung up, most recent first', { skip }, async () => {
  events.length = 0;
  const { uas } = await callee(h, 'c401', 'uas_answer.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_answer.xml'), target: h.target, inf: csv(h.dir, 'c401.csv', [['1000', '401']]), calls: 1, timeoutSec: 20, args: ['-d', '100'] });
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  await waitUntil(() => events.length >= 2, 5000, 'both leg hangup handlers');
  assert.deepEqual(events.map((e) => e.arg), ['second', 'first']);
  for (const e of events) {
    assert.match(e.channel, /^SIP\/c401-[0-9a-f]{8}$/);
    assert.equal(e.cause, '16');
  }
  await waitUntil(() => h.pbx.channels.list().length === 0 && h.calls.activeDialogs() === 0, 5000, 'no channels');
});

test('hangup handlers pushed by b() on the leg run when the caller cancels and the ringing leg is cancelled', { skip }, async () => {
  events.length = 0;
  const { uas } = await callee(h, 'c402', 'uas_ring.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_cancel.xml'), target: h.target, inf: csv(h.dir, 'c402.csv', [['1000', '402']]), calls: 1, timeoutSec: 20, args: ['-d', '200'] });
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  await waitUntil(() => events.length >= 2, 5000, 'both leg hangup handlers');
  assert.deepEqual(events.map((e) => e.arg), ['second', 'first']);
  assert.match(events[0]?.channel ?? '', /^SIP\/c402-[0-9a-f]{8}$/);
  await waitUntil(() => h.pbx.channels.list().length === 0 && h.calls.activeDialogs() === 0, 5000, 'no channels');
});
