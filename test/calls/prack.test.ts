/**
 * PRACK / 100rel (RFC 3262) across the bridge, with SIPp phones:
 *  - both sides do 100rel (late offer): the callee's reliable 183 with its offer reaches the caller
 *    reliably, the caller's PRACK with the answer is relayed to the callee and the callee's 200
 *    (with its body) comes back, then the 200 to the INVITE;
 *  - only the callee does 100rel: herald PRACKs its reliable 180 itself (RAck checked);
 *  - only the caller does: herald's own 180 goes reliably, its PRACK is answered 200;
 *  - a reliable 183 with SDP not yet PRACKed holds back the 200 that would follow it (§3);
 *  - the caller never PRACKs: the 180 is retransmitted (T1 doubling) and after 64*T1 the INVITE
 *    gets 500 (§3), and nothing is left behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { FakeClock, RealClock } from '../../src/core/clock.js';
import { createResponse, parseMessage, type SipRequest, type SipResponse } from '../../src/sip/message/index.js';
import { parseRAck, ReliableProvisionals } from '../../src/sip/transaction/reliable-provisional.js';
import type { ServerTransaction } from '../../src/sip/transaction/types.js';
import { CALL_TEST_GENERAL, callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
${CALL_TEST_GENERAL}
${dynamicFriends('from-sip', ['1000', '2000'])}`;

const EXTENSIONS = `
[from-sip]
exten => 100,1,Dial(SIP/2000,5)
exten => 101,1,Ringing()
 same => n,Wait(0.3)
 same => n,Dial(SIP/2000,5)
exten => 102,1,Ringing()
 same => n,Wait(20)
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS}:\${HANGUPCAUSE})
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

async function settled(calls: number): Promise<void> {
  await waitUntil(() => (h.calls.cdr?.counts().posted ?? 0) >= calls, 10000, 'CDR');
  await waitUntil(() => h.pbx.channels.list().length === 0 && h.calls.activeDialogs() === 0, 5000, 'no channels');
}

test('both sides 100rel: reliable 183 with an offer relayed, the caller PRACK (answer) relayed and its 200 with body back', { skip }, async () => {
  const { uas } = await callee(h, '2000', 'uas_prack_late.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_prack_late.xml'), target: h.target, inf: csv(h.dir, 'p1.csv', [['1000', '100']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await settled(1);
  assert.equal(h.calls.cdr?.last(1)[0]?.disposition, 'ANSWERED');
});

test('callee 100rel, caller not: herald PRACKs the reliable 180 itself; the caller gets it unreliably', { skip }, async () => {
  const { uas } = await callee(h, '2000', 'uas_prack.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_answer.xml'), target: h.target, inf: csv(h.dir, 'p2.csv', [['1000', '100']]), calls: 1, timeoutSec: 20, args: ['-d', '100'] });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await settled(2);
});

test('caller requires 100rel, callee not: the 180 goes reliably, the PRACK gets 200, then the 200 with the callee SDP', { skip }, async () => {
  const { uas } = await callee(h, '2000', 'uas_answer.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_prack.xml'), target: h.target, inf: csv(h.dir, 'p3.csv', [['1000', '101']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await settled(3);
});

test('reliable 183 with SDP to the caller: the callee 200 is held until the caller PRACKs (RFC 3262 §3)', { skip }, async () => {
  const { uas } = await callee(h, '2000', 'uas_early.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_prack_early.xml'), target: h.target, inf: csv(h.dir, 'p5.csv', [['1000', '100']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await settled(4);
});

test('no PRACK: the reliable 180 is retransmitted, then 500 after 64*T1; the channel is gone', { skip }, async () => {
  const sent180: number[] = [];
  const off = h.server.context.bus.on('SipTrace', (e) => {
    if (/^<--- Transmitting[^\n]*\nSIP\/2\.0 180 [^]*\r?\nRSeq: \d+/m.test(e.text.trimStart())) sent180.push(Date.now());
  });
  await h.rx('sip set debug on');
  const r = await runSipp({ scenario: callScenario('uac_noprack.xml'), target: h.target, inf: csv(h.dir, 'p4.csv', [['1000', '102']]), calls: 1, timeoutSec: 20 });
  await h.rx('sip set debug off');
  off();
  assert.equal(r.successful, 1, summary(r));
  // Sent at 0, then after 50, 100, 200, 400, 800, 1600 ms (T1 doubling) until 64*T1.
  assert.ok(sent180.length >= 6, `reliable 180 sent ${sent180.length} times`);
  const gaps = sent180.slice(1).map((t, i) => t - (sent180[i] ?? t));
  assert.ok((gaps.at(-1) ?? 0) > 4 * (gaps[0] ?? 0), `intervals grow: ${gaps.join(', ')}`);
  // T1 is 50 ms here: 64*T1 = 3.2 s.
  assert.ok(r.elapsedMs >= 3000, `500 came after ${r.elapsedMs} ms`);
  await settled(5);
  const hs = h.server.context.store.entries('h').map((e) => e.value);
  assert.ok(hs.includes(':102'), JSON.stringify(hs));
});

test('50 calls with 100rel on both sides (PRACK relayed each time) leave no channel, dialog, transaction or timer', { skip, timeout: 90_000 }, async () => {
  const before = h.calls.cdr?.counts().posted ?? 0;
  const { uas } = await callee(h, '2000', 'uas_prack.xml', 50);
  const clock = h.server.context.clock;
  assert.ok(clock instanceof RealClock);
  const timersBefore = clock.pending();
  const r = await runSipp({ scenario: callScenario('uac_prack.xml'), target: h.target, inf: csv(h.dir, 'p6.csv', [['1000', '100']]), calls: 50, rate: 25, timeoutSec: 30 });
  assert.equal(r.successful, 50, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 50, summary(u));
  await settled(before + 50);
  const stack = h.sip.getStack();
  assert.ok(stack);
  await waitUntil(() => {
    const st = stack.stats();
    return st.clientTransactions === 0 && st.serverTransactions === 0;
  }, 45_000, () => `no transactions (${JSON.stringify(stack.stats())})`);
  // Reliable 1xx retransmissions and 2xx retransmissions all cleared: no more timers than before.
  await waitUntil(() => clock.pending() <= timersBefore, 10_000, () => `timers ${clock.pending()} > ${timersBefore}`);
});

/** A server transaction that records what it is asked to send. */
function recordingTx(): { tx: ServerTransaction; sent: Array<{ status: number; rseq: string | undefined }> } {
  const sent: Array<{ status: number; rseq: string | undefined }> = [];
  const invite = parseMessage(
    Buffer.from(
      ['INVITE sip:100@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1', 'From: <sip:1000@127.0.0.1>;tag=a', 'To: <sip:100@127.0.0.1>', 'Call-ID: c1', 'CSeq: 5 INVITE', 'Content-Length: 0', '', ''].join('\r\n'),
    ),
  ) as SipRequest;
  const respond = (res: SipResponse): void => {
    sent.push({ status: res.status, rseq: res.headers.get('RSeq') });
  };
  const reply: ServerTransaction['reply'] = (status, reason, extra, body) => {
    const res = createResponse(invite, status, reason, { toTag: 'herald' });
    for (const [n, v] of extra ?? []) res.headers.append(n, v);
    if (body) res.body = body.data;
    respond(res);
    return res;
  };
  const tx: ServerTransaction = {
    id: 't',
    request: invite,
    source: { proto: 'UDP', address: '127.0.0.1', port: 5070 },
    connectionId: null,
    respond,
    reply,
    // An INVITE transaction answers "statelessly" with an ordinary reply.
    replyStateless: (status, reason, extra) => reply(status, reason, extra),
    onCancel: () => undefined,
    onTerminated: () => undefined,
  };
  return { tx, sent };
}

const SDP = { type: 'application/sdp', data: Buffer.from('v=0\r\n') };

test('ReliableProvisionals: RSeq +1, one outstanding at a time, RAck must match, 2xx waits for an SDP-carrying 1xx', async () => {
  const clock = new FakeClock();
  const { tx, sent } = recordingTx();
  let gaveUp = 0;
  const rel = new ReliableProvisionals<string>({ tx, clock, timers: { T1: 500, T2: 4000, T4: 5000 }, inviteSeq: 5, onGiveUp: () => gaveUp++, firstRSeq: 10 });
  rel.send(180, 'Ringing', [], null, 'first');
  rel.send(183, 'Session Progress', [], SDP, 'second');
  assert.deepEqual(sent, [{ status: 180, rseq: '10' }]);
  assert.equal(rel.blocksAnswer(), true, 'the queued 183 carries SDP');
  let answered = false;
  rel.whenClear(() => (answered = true));
  assert.equal(rel.acknowledge(parseRAck('10 4 INVITE')), null, 'wrong CSeq');
  assert.equal(rel.acknowledge(parseRAck('11 5 INVITE')), null, 'wrong RSeq');
  assert.equal(rel.acknowledge(parseRAck('garbage')), null);
  assert.deepEqual(rel.acknowledge(parseRAck('10 5 INVITE')), { tag: 'first' });
  assert.deepEqual(sent.at(-1), { status: 183, rseq: '11' });
  assert.equal(rel.acknowledge(parseRAck('10 5 INVITE')), null, 'already acknowledged');
  assert.deepEqual(rel.acknowledge(parseRAck('11 5 invite')), { tag: 'second' });
  await Promise.resolve();
  assert.equal(answered, true);
  assert.equal(clock.pending(), 0);
  assert.equal(gaveUp, 0);
});

test('ReliableProvisionals: retransmitted at T1, 2T1, 4T1 … and given up at exactly 64*T1; stop() clears the timer', () => {
  const clock = new FakeClock();
  const { tx, sent } = recordingTx();
  let gaveUpAt = -1;
  const rel = new ReliableProvisionals<null>({ tx, clock, timers: { T1: 500, T2: 4000, T4: 5000 }, inviteSeq: 5, onGiveUp: () => (gaveUpAt = clock.now()) });
  rel.send(180, 'Ringing', [], null, null);
  const times: number[] = [];
  for (let t = 0; t < 40_000; t += 250) {
    const before = sent.length;
    clock.advance(250);
    if (sent.length > before) times.push(clock.now());
  }
  // Sent at 0, then after 500, 1000, 2000, 4000, 8000, 16000 ms; 64*T1 = 32 s.
  assert.deepEqual(times, [500, 1500, 3500, 7500, 15500, 31500]);
  assert.equal(gaveUpAt, 32_000);
  assert.equal(clock.pending(), 0);
  const other = new ReliableProvisionals<null>({ tx, clock, timers: { T1: 500, T2: 4000, T4: 5000 }, inviteSeq: 5, onGiveUp: () => assert.fail('stopped') });
  other.send(183, 'Session Progress', [], SDP, null);
  assert.equal(clock.pending(), 1);
  other.stop();
  assert.equal(clock.pending(), 0);
  clock.advance(60_000);
});
