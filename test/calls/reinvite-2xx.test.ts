/**
 * herald as UAS of a relayed re-INVITE (RFC 3261 §13.3.1.4): its 2xx goes again at T1 doubling
 * up to T2 until the sender's ACK arrives, and a sender that never ACKs is hung up with BYE after
 * 64*T1 (the whole call ends). T1 is 50 ms here: copies at 50, 150, 350, 750 … ms, BYE at 3.2 s.
 * What herald transmits is read from `sip set debug on` (SipTrace on the bus). Plus the timing of
 * OkRetransmission on a fake clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { FakeClock, RealClock } from '../../src/core/clock.js';
import { OkRetransmission } from '../../src/channels/sip/ok-retransmission.js';
import { CALL_TEST_GENERAL, callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = CALL_TEST_GENERAL + dynamicFriends('from-sip', ['1000', '2000', '2001']);

const EXTENSIONS = `
[from-sip]
exten => 100,1,Dial(SIP/2000,5)
exten => 101,1,Dial(SIP/2001,5)
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS}:\${HANGUPCAUSE})
`;

let h: CallServer;
const sent: Array<{ at: number; text: string }> = [];
const skip = callServerHooks(
  () => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }),
  (server) => {
    h = server;
    h.server.context.bus.on('SipTrace', ({ text }) => {
      if (text.includes('Transmitting')) sent.push({ at: Date.now(), text });
    });
  },
);

/** 200 OK responses herald transmitted for `CSeq: <seq> INVITE` toward the given SIP port. */
function okFor(seq: number, port?: number): Array<{ at: number; text: string }> {
  return sent.filter(
    (m) => /\nSIP\/2\.0 200 OK\r?\n/.test(m.text) && new RegExp(`\\nCSeq:\\s*${seq} INVITE`, 'i').test(m.text) && (port === undefined || m.text.includes(`:${port} --->`)),
  );
}

test('a caller slow to ACK its re-INVITE\'s 200 gets it again (T1 doubling) until the ACK, then no more copies', { skip, timeout: 30_000 }, async () => {
  await h.rx('sip set debug on');
  sent.length = 0;
  const { uas } = await callee(h, '2000', 'uas_reinvite.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_reinvite_slow_ack.xml'), target: h.target, inf: csv(h.dir, 'r1.csv', [['1000', '100']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await waitUntil(() => h.server.context.store.entries('h').length >= 1, 5000, 'h extension');
  assert.equal(h.server.context.store.entries('h')[0]?.value, 'ANSWER:16');
  // The caller waited 600 ms: the 200 went at 0, 50, 150, 350 ms (and maybe 750 under load).
  const copies = okFor(3);
  assert.ok(copies.length >= 3 && copies.length <= 6, `200 to the re-INVITE sent ${copies.length} times`);
  const gaps = copies.slice(1).map((c, i) => c.at - (copies[i]?.at ?? 0));
  for (let i = 1; i < gaps.length; i++) assert.ok((gaps[i] ?? 0) >= (gaps[i - 1] ?? 0) * 1.4, `intervals double: ${gaps.join(', ')}`);
  await waitUntil(() => h.calls.activeCalls() === 0 && h.calls.activeDialogs() === 0, 5000, 'call over');
});

test('a callee that never ACKs the 200 to its re-INVITE is hung up with BYE after 64*T1, and so is the caller', { skip, timeout: 30_000 }, async () => {
  await h.rx('sip set debug on');
  sent.length = 0;
  const entriesBefore = h.server.context.store.entries('h').length;
  const clock = h.server.context.clock;
  assert.ok(clock instanceof RealClock);
  const { uas, port } = await callee(h, '2001', 'uas_reinvite_noack.xml', 1);
  const started = Date.now();
  const r = await runSipp({ scenario: callScenario('uac_answer_reinvite.xml'), target: h.target, inf: csv(h.dir, 'r2.csv', [['1000', '101']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  assert.ok(Date.now() - started >= 3000, 'BYE only after 64*T1 (3.2 s)');
  const copies = okFor(1, port);
  // Sent at 0, then 50, 150, 350, 750, 1550, 3150 ms; BYE at 3200 ms.
  assert.ok(copies.length >= 5 && copies.length <= 7, `200 to the callee's re-INVITE sent ${copies.length} times`);
  await waitUntil(() => h.server.context.store.entries('h').length > entriesBefore, 5000, 'h extension');
  await waitUntil(() => h.calls.activeCalls() === 0 && h.calls.activeDialogs() === 0 && h.pbx.channels.list().length === 0, 5000, 'call over');
  await h.rx('sip set debug off');
});

test('OkRetransmission: copies at T1, 3T1, 7T1 … capped at T2, give-up at exactly 64*T1; stop() clears the timer', () => {
  const clock = new FakeClock();
  const times: number[] = [];
  let gaveUpAt = -1;
  new OkRetransmission(clock, { T1: 500, T2: 4000, T4: 5000 }, () => times.push(clock.now()), () => (gaveUpAt = clock.now()));
  for (let t = 0; t < 40_000; t += 250) clock.advance(250);
  assert.deepEqual(times, [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(gaveUpAt, 32_000);
  assert.equal(clock.pending(), 0);
  const stopped = new OkRetransmission(clock, { T1: 500, T2: 4000, T4: 5000 }, () => assert.fail('stopped'), () => assert.fail('stopped'));
  assert.equal(clock.pending(), 1);
  stopped.stop();
  assert.equal(clock.pending(), 0);
  clock.advance(60_000);
});
