/**
 * Many calls of mixed outcomes (answered, cancelled by the caller, busy, unregistered callee),
 * several at a time, then nothing may be left: no channels, no dialogs, no inbound calls, no
 * SIP transactions once their timers ran out (Timer D keeps a failed client INVITE 32 s on UDP),
 * and one call record per call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const PER_KIND = 125;

const SIP_CONF = `
[general]
udpbindaddr = 127.0.0.1:0
allowguest = no
${dynamicFriends('from-sip', ['1000', '2000', 'ringer', 'busyphone', 'ghost'])}`;

const EXTENSIONS = `
[from-sip]
exten => 100,1,Dial(SIP/2000,5)
exten => 102,1,Dial(SIP/ghost,5)
 same => n,Hangup()
exten => 103,1,Dial(SIP/busyphone,5)
 same => n,Hangup()
exten => 104,1,Dial(SIP/ringer,20)
exten => h,1,NoOp(\${DIALSTATUS})
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

test(`${4 * PER_KIND} calls of mixed outcomes leave no channel, dialog or transaction behind`, { skip, timeout: 120000 }, async () => {
  const answer = await callee(h, '2000', 'uas_answer.xml', PER_KIND);
  const ring = await callee(h, 'ringer', 'uas_ring.xml', PER_KIND);
  const busy = await callee(h, 'busyphone', 'uas_busy.xml', PER_KIND);
  const opts = { target: h.target, calls: PER_KIND, rate: 50, timeoutSec: 60 };
  const runs = await Promise.all([
    runSipp({ ...opts, scenario: callScenario('uac_answer.xml'), inf: csv(h.dir, 'a.csv', [['1000', '100']]), args: ['-d', '20'] }),
    runSipp({ ...opts, scenario: callScenario('uac_cancel.xml'), inf: csv(h.dir, 'c.csv', [['1000', '104']]), args: ['-d', '20'] }),
    runSipp({ ...opts, scenario: callScenario('uac_fail.xml'), inf: csv(h.dir, 'b.csv', [['1000', '103']]) }),
    runSipp({ ...opts, scenario: callScenario('uac_fail.xml'), inf: csv(h.dir, 'u.csv', [['1000', '102']]) }),
  ]);
  for (const r of runs) assert.equal(r.successful, PER_KIND, summary(r));
  for (const c of [answer, ring, busy]) {
    const r = await c.uas.result;
    assert.equal(r.successful, PER_KIND, summary(r));
  }
  await waitUntil(() => (h.calls.cdr?.counts().posted ?? 0) === 4 * PER_KIND, 20000, 'every CDR');
  const stack = h.sip.getStack();
  assert.ok(stack);
  await waitUntil(() => h.pbx.channels.list().length === 0 && h.calls.activeDialogs() === 0 && h.calls.activeCalls() === 0, 10000, 'no channels');
  await waitUntil(() => {
    const s = stack.stats();
    return s.clientTransactions === 0 && s.serverTransactions === 0;
  }, 45000, () => `no transactions (${JSON.stringify(stack.stats())})`);
  const dispositions = new Map<string, number>();
  for (const r of h.calls.cdr?.last(4 * PER_KIND) ?? []) dispositions.set(r.disposition, (dispositions.get(r.disposition) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(dispositions), { ANSWERED: PER_KIND, 'NO ANSWER': PER_KIND, BUSY: PER_KIND, FAILED: PER_KIND });
});
