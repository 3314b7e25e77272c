/**
 * Real calls through herald between SIPp phones: a SIPp UAC calls an extension whose dialplan
 * Dials a peer registered by a SIPp UAS. Each outcome is checked three ways: DIALSTATUS recorded
 * by the dialplan (database), the h extension having run, and the call record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { ALICE_1000, CALL_TEST_GENERAL, callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
${CALL_TEST_GENERAL}${ALICE_1000}${dynamicFriends('from-sip', ['2000', 'ringer', 'busyphone', 'ghost'])}`;

const EXTENSIONS = `
[from-sip]
exten => 100,1,Dial(SIP/2000,5)
 same => n,Set(DB(status/\${UNIQUEID})=\${DIALSTATUS})
 same => n,Hangup()
exten => 101,1,Dial(SIP/ringer,1)
 same => n,Set(DB(status/\${UNIQUEID})=\${DIALSTATUS})
 same => n,Hangup()
exten => 102,1,Dial(SIP/ghost,5)
 same => n,Set(DB(status/\${UNIQUEID})=\${DIALSTATUS})
 same => n,Hangup()
exten => 103,1,Dial(SIP/busyphone,5)
 same => n,Set(DB(status/\${UNIQUEID})=\${DIALSTATUS})
 same => n,Hangup()
exten => 104,1,Dial(SIP/ringer,20)
 same => n,Set(DB(status/\${UNIQUEID})=\${DIALSTATUS})
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS}:\${HANGUPCAUSE})
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

function entries(family: string): Array<[string, string]> {
  return h.server.context.store.entries(family).map((e) => [e.key, e.value]);
}

async function lastCdr(): Promise<Record<string, unknown>> {
  const recs = h.calls.cdr?.last(1) ?? [];
  assert.equal(recs.length, 1);
  return recs[0] as unknown as Record<string, unknown>;
}

async function expectOutcome(uniqueCount: number, status: string, hText: RegExp): Promise<void> {
  await waitUntil(() => entries('h').length >= uniqueCount, 10000, 'h extension');
  await waitUntil(() => (h.calls.cdr?.counts().posted ?? 0) >= uniqueCount, 10000, 'CDR');
  const hs = entries('h');
  const last = hs.find(([k]) => k === `/h/${(h.calls.cdr?.last(1)[0]?.uniqueid ?? '')}`);
  assert.ok(last, `h entry for the last call in ${JSON.stringify(hs)}`);
  assert.match(last[1], hText);
  // ANSWER (no g) and CANCEL end the dialplan at Dial: only h sees them.
  if (status !== 'CANCEL' && status !== 'ANSWER') {
    const st = entries('status').find(([k]) => k.endsWith(`/${h.calls.cdr?.last(1)[0]?.uniqueid ?? ''}`));
    assert.equal(st?.[1], status);
  }
}

test('answered call: 200 relayed with the callee SDP, ACK, BYE from the caller reaches the callee', { skip }, async () => {
  const { uas } = await callee(h, '2000', 'uas_answer.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_answer.xml'), target: h.target, inf: csv(h.dir, 'c100.csv', [['1000', '100']]), calls: 1, timeoutSec: 20, args: ['-d', '300'] });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await expectOutcome(1, 'ANSWER', /^ANSWER:16$/);
  const cdr = await lastCdr();
  assert.equal(cdr.disposition, 'ANSWERED');
  assert.equal(cdr.src, '1000');
  assert.equal(cdr.clid, '"Alice" <1000>');
  assert.equal(cdr.dst, '100');
  assert.equal(cdr.dcontext, 'from-sip');
  assert.match(String(cdr.channel), /^SIP\/1000-[0-9a-f]{8}$/);
  assert.match(String(cdr.dstchannel), /^SIP\/2000-[0-9a-f]{8}$/);
  assert.equal(cdr.lastapp, 'Dial');
  assert.equal(cdr.lastdata, 'SIP/2000,5');
  assert.equal(cdr.linkedid, cdr.uniqueid);
});

test('early media: the callee 183 with SDP reaches the caller as 183 with that SDP', { skip }, async () => {
  const { uas } = await callee(h, '2000', 'uas_early.xml', 1);
  const before = h.calls.cdr?.counts().posted ?? 0;
  const r = await runSipp({ scenario: callScenario('uac_early.xml'), target: h.target, inf: csv(h.dir, 'c100e.csv', [['1000', '100']]), calls: 1, timeoutSec: 20, args: ['-d', '100'] });
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  await waitUntil(() => (h.calls.cdr?.counts().posted ?? 0) > before, 5000, 'CDR');
  assert.equal(h.calls.cdr?.last(1)[0]?.disposition, 'ANSWERED');
});

test('no answer: Dial timeout CANCELs the ringing leg; DIALSTATUS NOANSWER; the caller gets 480', { skip }, async () => {
  const { uas } = await callee(h, 'ringer', 'uas_ring.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_fail.xml'), target: h.target, inf: csv(h.dir, 'c101.csv', [['1000', '101']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await expectOutcome(3, 'NOANSWER', /^NOANSWER:19$/);
  assert.equal((await lastCdr()).disposition, 'NO ANSWER');
});

test('callee unregistered: CHANUNAVAIL at once', { skip }, async () => {
  const r = await runSipp({ scenario: callScenario('uac_fail.xml'), target: h.target, inf: csv(h.dir, 'c102.csv', [['1000', '102']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  await expectOutcome(4, 'CHANUNAVAIL', /^CHANUNAVAIL:20$/);
  assert.equal((await lastCdr()).disposition, 'FAILED');
});

test('busy callee: 486 → DIALSTATUS BUSY, the caller gets 486', { skip }, async () => {
  const { uas } = await callee(h, 'busyphone', 'uas_busy.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_fail.xml'), target: h.target, inf: csv(h.dir, 'c103.csv', [['1000', '103']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await expectOutcome(5, 'BUSY', /^BUSY:17$/);
  assert.equal((await lastCdr()).disposition, 'BUSY');
});

test('caller CANCEL while ringing: leg CANCELed, DIALSTATUS CANCEL in h, 487 to the caller', { skip }, async () => {
  const { uas } = await callee(h, 'ringer', 'uas_ring.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_cancel.xml'), target: h.target, inf: csv(h.dir, 'c104.csv', [['1000', '104']]), calls: 1, timeoutSec: 20, args: ['-d', '300'] });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await expectOutcome(6, 'CANCEL', /^CANCEL:16$/);
  assert.equal((await lastCdr()).disposition, 'NO ANSWER');
});

test('unknown extension → 404; no channels or dialogs are left behind', { skip }, async () => {
  const r = await runSipp({ scenario: callScenario('uac_fail.xml'), target: h.target, inf: csv(h.dir, 'c999.csv', [['1000', '999']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  await waitUntil(() => h.pbx.channels.list().length === 0 && h.calls.activeDialogs() === 0, 5000, 'no channels');
  assert.match(await h.rx('cdr show last 1'), /linkedid/);
  const status = await h.rx('cdr show status');
  assert.match(status, /Records posted:\s+6\n/);
  assert.match(status, /Records stored:\s+6\n/);
});
