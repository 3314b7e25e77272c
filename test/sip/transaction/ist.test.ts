import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import type { SipRequest } from '../../../src/sip/message/index.js';
import { createSipStack } from '../../../src/sip/stack.js';
import type { ServerTransaction } from '../../../src/sip/transaction/types.js';
import { createResponse } from '../../../src/sip/message/index.js';
import { FakeTransport, requestText } from './fake-transport.js';

function setup() {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const stack = createSipStack({ transport, clock, log: silentLogger() });
  let tx: ServerTransaction | null = null;
  let invites = 0;
  stack.handle('INVITE', (_req, ctx) => {
    invites++;
    tx = ctx.tx;
  });
  return { clock, transport, stack, current: () => tx, invites: () => invites };
}

const INVITE = requestText({ method: 'INVITE', branch: 'z9hG4bK-inv-1' });
const ACK = requestText({ method: 'ACK', branch: 'z9hG4bK-inv-1', toTag: 'TOTAG' });

function statuses(t: FakeTransport): number[] {
  return t.take().map((s) => (s.msg.kind === 'response' ? s.msg.status : -1));
}

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  it('answers 100 Trying at once and resends the latest provisional on retransmission', () => {
    const { transport, current, invites } = setup();
    transport.inject(INVITE);
    assert.deepEqual(statuses(transport), [100]);
    transport.inject(INVITE);
    assert.deepEqual(statuses(transport), [100]);
    current()?.reply(180, 'Ringing');
    assert.deepEqual(statuses(transport), [180]);
    transport.inject(INVITE);
    assert.deepEqual(statuses(transport), [180]);
    assert.equal(invites(), 1, 'retransmissions never reach the TU');
  });

  it('retransmits a non-2xx final with Timer G (capped at T2) until the ACK, then ends after Timer I', () => {
    const { clock, transport, stack, current } = setup();
    const ended: string[] = [];
    transport.inject(INVITE);
    current()?.onTerminated((r) => ended.push(r));
    transport.take();
    current()?.reply(486, 'Busy Here');
    const times: number[] = [];
    for (let t = 0; t <= 12000; t += 50) {
      for (const s of transport.take()) {
        assert.equal(s.msg.kind === 'response' && s.msg.status, 486);
        times.push(clock.now());
      }
      clock.advance(50);
    }
    assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 11500]);
    transport.inject(ACK);
    assert.deepEqual(ended, ['completed']);
    clock.advance(10000);
    assert.deepEqual(statuses(transport), [], 'no retransmission after ACK');
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('retransmitted INVITE in Completed resends the final; Timer H ends it with timeout', () => {
    const { clock, transport, stack, current } = setup();
    const ended: string[] = [];
    transport.inject(INVITE);
    current()?.onTerminated((r) => ended.push(r));
    current()?.reply(603, 'Decline');
    transport.take();
    transport.inject(INVITE);
    assert.deepEqual(statuses(transport), [603]);
    clock.advance(32000);
    assert.deepEqual(ended, ['timeout']);
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('Accepted absorbs retransmitted INVITEs, sends TU 2xx retransmissions, gives the ACK to the TU, ends after Timer L', () => {
    const { clock, transport, stack, current } = setup();
    const acks: SipRequest[] = [];
    stack.handle('ACK', (req) => acks.push(req));
    transport.inject(INVITE);
    const ok = current()?.reply(200, 'OK');
    assert.ok(ok);
    transport.take();
    transport.inject(INVITE);
    assert.deepEqual(statuses(transport), [], 'RFC 6026: INVITE retransmission absorbed in Accepted');
    current()?.respond(ok);
    assert.deepEqual(statuses(transport), [200], '2xx retransmission by the TU goes out');
    clock.advance(1000);
    assert.deepEqual(statuses(transport), [], 'the transaction itself does not retransmit 2xx');
    transport.inject(ACK);
    assert.equal(acks.length, 1);
    clock.advance(31000);
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('CANCEL: 200 for the CANCEL, onCancel for the TU, 487 for the INVITE; its ACK ends it', () => {
    const { clock, transport, stack, current } = setup();
    transport.inject(INVITE);
    current()?.reply(180, 'Ringing');
    const cancelled: SipRequest[] = [];
    current()?.onCancel((c) => cancelled.push(c));
    transport.take();
    transport.inject(requestText({ method: 'CANCEL', branch: 'z9hG4bK-inv-1' }));
    const sent = transport.take();
    assert.deepEqual(sent.map((s) => (s.msg.kind === 'response' ? `${s.msg.status} ${s.msg.cseq.method}` : '')), ['200 CANCEL', '487 INVITE']);
    assert.equal(cancelled.length, 1);
    const [ok, terminated] = sent.map((s) => s.msg);
    assert.ok(ok && terminated);
    assert.equal(ok.toTag, terminated.toTag, '§9.2: same To tag on both');
    transport.inject(requestText({ method: 'ACK', branch: 'z9hG4bK-inv-1', toTag: terminated.toTag ?? '' }));
    clock.advance(60000);
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('CANCEL after the TU answered in its onCancel handler: no 487 from the stack', () => {
    const { transport, current } = setup();
    transport.inject(INVITE);
    const tx = current();
    tx?.onCancel(() => tx.reply(486, 'Busy Here'));
    transport.take();
    transport.inject(requestText({ method: 'CANCEL', branch: 'z9hG4bK-inv-1' }));
    assert.deepEqual(statuses(transport), [200, 486]);
  });

  it('CANCEL matching nothing gets 481', () => {
    const { transport } = setup();
    transport.inject(requestText({ method: 'CANCEL', branch: 'z9hG4bK-nothing' }));
    assert.deepEqual(statuses(transport), [481]);
  });

  it('reports a transport error to the TU', () => {
    const { clock, transport, stack, current } = setup();
    const ended: string[] = [];
    transport.inject(INVITE);
    current()?.onTerminated((r) => ended.push(r));
    current()?.reply(486, 'Busy Here');
    transport.sent.at(-1)?.onError?.(new Error('unreachable'));
    assert.deepEqual(ended, ['transport-error']);
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('matches RFC 2543 peers (no magic cookie) by Request-URI, From tag, Call-ID, CSeq and top Via', () => {
    const { clock, transport, stack, current } = setup();
    const acks: SipRequest[] = [];
    stack.handle('ACK', (req) => acks.push(req));
    const old = requestText({ method: 'INVITE', branch: 'oldstyle-1' });
    transport.inject(old);
    current()?.reply(486, 'Busy Here');
    transport.take();
    transport.inject(old);
    assert.deepEqual(statuses(transport), [486], 'retransmission matched');
    transport.inject(requestText({ method: 'ACK', branch: 'oldstyle-1', toTag: 'x' }));
    assert.equal(acks.length, 0, 'ACK matched the INVITE transaction');
    clock.advance(10000);
    assert.equal(stack.stats().serverTransactions, 0);
  });

  it('adds its To tag to a TU-built final response that lacks one', () => {
    const { transport, current } = setup();
    transport.inject(INVITE);
    const tx = current();
    assert.ok(tx);
    transport.take();
    tx.respond(createResponse(tx.request, 480, 'Temporarily Unavailable'));
    const [sent] = transport.take();
    assert.ok(sent?.msg.toTag);
  });

  it('on TCP: no Timer G retransmissions, Timer I is zero', () => {
    const { clock, transport, stack, current } = setup();
    const src = { proto: 'TCP' as const, address: '192.0.2.9', port: 40000 };
    transport.inject(INVITE.replace('SIP/2.0/UDP', 'SIP/2.0/TCP'), src, 'tcp-3');
    current()?.reply(486, 'Busy Here');
    transport.take();
    clock.advance(10000);
    assert.deepEqual(statuses(transport), []);
    transport.inject(ACK.replace('SIP/2.0/UDP', 'SIP/2.0/TCP'), src, 'tcp-3');
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
  });
});
