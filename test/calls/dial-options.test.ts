/**
 * Dial's b()/B()/U()/S()/L() options on real calls: a SIPp UAC calls through herald to a SIPp
 * UAS registered as a peer. The routines announce themselves with UserEvent (the event names
 * the channel it ran on); DIALSTATUS and friends are checked in the h extension (database) and
 * the call record. Each test calls its own peer, so no contact registered by an earlier test
 * (whose SIPp has exited) is rung.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { fixture } from '../helpers/paths.js';
import { ALICE_1000, CALL_TEST_GENERAL, callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
${CALL_TEST_GENERAL}${ALICE_1000}${dynamicFriends('from-sip', ['u300', 'u301', 'b302', 's303', 'l304', 'u305'])}`;

const EXTENSIONS = `
[from-sip]
exten => 300,1,Dial(SIP/u300,5,U(screen^ok))
exten => 301,1,Dial(SIP/u301,5,U(screen^ABORT))
 same => n,Set(DB(status/\${UNIQUEID})=\${DIALSTATUS})
exten => 302,1,Dial(SIP/b302,5,B(predial^caller^1(c1))b(predial^callee^1(l1^l2))U(check))
exten => 303,1,Dial(SIP/s303,5,S(1))
exten => 304,1,Dial(SIP/l304,5,gL(1200:500))
 same => n,Set(DB(status/\${UNIQUEID})=after-limit:\${DIALSTATUS}:\${ANSWEREDTIME})
 same => n,Hangup()
exten => 305,1,Dial(SIP/u305,5,U(screen^BUSY))
 same => n,Set(DB(status/\${UNIQUEID})=\${DIALSTATUS})
 same => n,Hangup(17)
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS}:\${HANGUPCAUSE}:\${ANSWEREDTIME}:\${CALLERMARK})

[screen]
exten => s,1,UserEvent(Screen,result: \${ARG1})
 same => n,ExecIf($["\${ARG1}" != "ok"]?Set(GOSUB_RESULT=\${ARG1}))
 same => n,Return()

[predial]
exten => caller,1,Set(__CALLERMARK=\${ARG1})
 same => n,UserEvent(PreCaller,mark: \${ARG1})
 same => n,Return()
exten => callee,1,Set(LEGMARK=\${ARG1}-\${ARG2})
 same => n,UserEvent(PreCallee,mark: \${LEGMARK})
 same => n,Return()

[check]
exten => s,1,UserEvent(Check,legmark: \${LEGMARK},callermark: \${CALLERMARK})
 same => n,Return()
`;

interface SeenEvent {
  name: string;
  channel: string;
  fields: Record<string, string>;
  /** Was the event's channel in the channel list (a leg is listed once its INVITE went out)? */
  listed: boolean;
  /** State of the caller (SIP/1000-…) channel at that moment. */
  callerState: string;
}

let h: CallServer;
const events: SeenEvent[] = [];
const skip = callServerHooks(
  () => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }),
  (server) => {
    h = server;
    h.server.context.bus.on('UserEvent', (e) => {
      const caller = h.pbx.channels.list().find((c) => c.name.startsWith('SIP/1000-'));
      events.push({ name: e.name, channel: e.channel, fields: e.fields, listed: h.pbx.channels.get(e.channel) !== undefined, callerState: caller?.state ?? '' });
    });
  },
);

function dbValue(family: string, uniqueid: string): string | undefined {
  return h.server.context.store.entries(family).find((e) => e.key === `/${family}/${uniqueid}`)?.value;
}

/** The call record posted after `before` records, once it and the h extension's entry exist. */
async function nextCall(before: number): Promise<{ cdr: Record<string, unknown>; hValue: string }> {
  await waitUntil(() => (h.calls.cdr?.counts().posted ?? 0) > before, 10000, 'CDR');
  const cdr = h.calls.cdr?.last(1)[0] as unknown as Record<string, unknown>;
  const uniqueid = String(cdr.uniqueid);
  await waitUntil(() => dbValue('h', uniqueid) !== undefined, 5000, 'h extension');
  return { cdr, hValue: dbValue('h', uniqueid) ?? '' };
}

const posted = (): number => h.calls.cdr?.counts().posted ?? 0;

test('U() that returns nothing: the callee runs it before the bridge, the caller is answered after it', { skip }, async () => {
  const before = posted();
  events.length = 0;
  const { uas } = await callee(h, 'u300', 'uas_answer.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_answer.xml'), target: h.target, inf: csv(h.dir, 'd300.csv', [['1000', '300']]), calls: 1, timeoutSec: 20, args: ['-d', '300'] });
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  const { cdr, hValue } = await nextCall(before);
  const screen = events.find((e) => e.name === 'Screen');
  assert.ok(screen, JSON.stringify(events));
  assert.match(screen.channel, /^SIP\/u300-[0-9a-f]{8}$/);
  assert.notEqual(screen.callerState, 'Up', 'the caller is still unanswered while U() runs');
  assert.equal(cdr.dstchannel, screen.channel);
  assert.equal(cdr.disposition, 'ANSWERED');
  assert.match(hValue, /^ANSWER:16:\d+:$/);
});

test('U() with GOSUB_RESULT=ABORT: the callee gets BYE, the caller gets 603, the dialplan ends', { skip }, async () => {
  const before = posted();
  events.length = 0;
  const { uas } = await callee(h, 'u301', 'uas_answer.xml', 1);
  const r = await runSipp({ scenario: fixture('dial-options', 'uac_declined.xml'), target: h.target, inf: csv(h.dir, 'd301.csv', [['1000', '301']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  // The callee answered, got its ACK and then herald's BYE.
  assert.equal((await uas.result).successful, 1);
  const { cdr, hValue } = await nextCall(before);
  assert.deepEqual(events.map((e) => `${e.name}:${e.fields.result ?? ''}`), ['Screen:ABORT']);
  // app_dial keeps DIALSTATUS=ANSWER for U()'s ABORT and returns -1: only h runs.
  assert.match(hValue, /^ANSWER:16:\d+:$/);
  assert.equal(dbValue('status', String(cdr.uniqueid)), undefined);
  assert.match(String(cdr.dstchannel), /^SIP\/u301-[0-9a-f]{8}$/);
  assert.equal(cdr.billsec, 0, 'the caller was never answered');
  await waitUntil(() => h.pbx.channels.list().length === 0, 5000, 'no channels left');
});

test('U() with GOSUB_RESULT=BUSY: the callee gets BYE, DIALSTATUS=BUSY and the dialplan goes on', { skip }, async () => {
  const before = posted();
  const { uas } = await callee(h, 'u305', 'uas_answer.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_fail.xml'), target: h.target, inf: csv(h.dir, 'd305.csv', [['1000', '305']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  const { cdr } = await nextCall(before);
  assert.equal(dbValue('status', String(cdr.uniqueid)), 'BUSY');
  assert.equal(cdr.disposition, 'BUSY');
});

test('B() on the caller before any channel exists, b() on the leg before its INVITE, then U()', { skip }, async () => {
  const before = posted();
  events.length = 0;
  const { uas } = await callee(h, 'b302', 'uas_answer.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_answer.xml'), target: h.target, inf: csv(h.dir, 'd302.csv', [['1000', '302']]), calls: 1, timeoutSec: 20, args: ['-d', '200'] });
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  const { hValue } = await nextCall(before);
  assert.deepEqual(events.map((e) => e.name), ['PreCaller', 'PreCallee', 'Check']);
  const [pre, leg, check] = events as [SeenEvent, SeenEvent, SeenEvent];
  assert.match(pre.channel, /^SIP\/1000-/);
  assert.match(leg.channel, /^SIP\/b302-/);
  assert.equal(leg.fields.mark, 'l1-l2');
  assert.equal(leg.listed, false, 'b() runs before the leg is dialled');
  assert.equal(check.channel, leg.channel);
  assert.equal(check.listed, true);
  // LEGMARK was set on the leg by b(); __CALLERMARK set by B() was inherited by the new channel.
  assert.deepEqual(check.fields, { legmark: 'l1-l2', callermark: 'c1' });
  assert.match(hValue, /^ANSWER:16:\d+:c1$/);
});

test('S(1): herald hangs up both sides a second after the answer', { skip }, async () => {
  const before = posted();
  const { uas } = await callee(h, 's303', 'uas_answer.xml', 1);
  const r = await runSipp({ scenario: fixture('dial-options', 'uac_answer_wait_bye.xml'), target: h.target, inf: csv(h.dir, 'd303.csv', [['1000', '303']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  const { cdr, hValue } = await nextCall(before);
  assert.equal(hValue, 'ANSWER:16:1:');
  assert.equal(cdr.disposition, 'ANSWERED');
  assert.equal(cdr.billsec, 1);
});

test('gL(1200): the callee is hung up after 1.2 s of talk and the caller goes on in the dialplan', { skip }, async () => {
  const before = posted();
  const { uas } = await callee(h, 'l304', 'uas_answer.xml', 1);
  const r = await runSipp({ scenario: fixture('dial-options', 'uac_answer_wait_bye.xml'), target: h.target, inf: csv(h.dir, 'd304.csv', [['1000', '304']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  const { cdr } = await nextCall(before);
  assert.equal(dbValue('status', String(cdr.uniqueid)), 'after-limit:ANSWER:1');
  assert.equal(cdr.disposition, 'ANSWERED');
});
