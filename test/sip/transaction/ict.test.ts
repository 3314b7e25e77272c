import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.js';
import { createSipStack } from '../../../src/sip/stack.js';
import { FakeTransport, outgoingRequest, PEER_UDP, responseText } from './fake-transport.js';

function setup() {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const stack = createSipStack({ transport, clock, log: silentLogger() });
  return { clock, transport, stack };
}

describe('INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  it('retransmits with Timer A doubling and times out with Timer B', () => {
    const { clock, transport, stack } = setup();
    let timedOut = 0;
    stack.request(outgoingRequest('INVITE'), PEER_UDP, { onFinal: () => assert.fail('no final'), onTimeout: () => timedOut++ });
    const times: number[] = [];
    for (let t = 0; t < 33000; t += 50) {
      while (times.length < transport.sent.length) times.push(clock.now());
      clock.advance(50);
    }
    assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert.equal(timedOut, 1);
    assert.equal(stack.stats().clientTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('ACKs a non-2xx final with the INVITE branch, re-ACKs retransmissions, ends after Timer D', () => {
    const { clock, transport, stack } = setup();
    const finals: SipResponse[] = [];
    const tx = stack.request(outgoingRequest('INVITE'), PEER_UDP, { onFinal: (r) => finals.push(r) });
    transport.inject(responseText(tx.request, 180, 'Ringing'));
    transport.take();
    transport.inject(responseText(tx.request, 486, 'Busy Here'));
    assert.equal(finals.length, 1);
    const sent = transport.take();
    assert.equal(sent.length, 1);
    const ack = sent[0]?.msg as SipRequest;
    assert.equal(ack.method, 'ACK');
    assert.equal(ack.uri, tx.request.uri);
    assert.deepEqual(ack.headers.getAll('Via'), [tx.request.headers.getAll('Via')[0]]);
    assert.equal(ack.cseq.seq, 1);
    assert.equal(ack.cseq.method, 'ACK');
    assert.equal(ack.toTag, 'remote-tag');
    assert.equal(ack.fromTag, 'ourtag');
    assert.equal(ack.callId, tx.request.callId);
    transport.inject(responseText(tx.request, 486, 'Busy Here'));
    assert.equal(finals.length, 1, 'retransmitted final not passed up');
    assert.equal((transport.take()[0]?.msg as SipRequest).method, 'ACK');
    clock.advance(31999);
    assert.equal(stack.stats().clientTransactions, 1);
    clock.advance(1);
    assert.equal(stack.stats().clientTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('passes every 2xx to the TU in Accepted and ends after Timer M', () => {
    const { clock, transport, stack } = setup();
    const finals: SipResponse[] = [];
    const tx = stack.request(outgoingRequest('INVITE'), PEER_UDP, { onFinal: (r) => finals.push(r) });
    transport.inject(responseText(tx.request, 200, 'OK'));
    transport.inject(responseText(tx.request, 200, 'OK'));
    transport.inject(responseText(tx.request, 200, 'OK', 'forked-tag'));
    assert.equal(finals.length, 3);
    assert.equal(transport.requests().length, 1, 'the transaction never ACKs a 2xx');
    clock.advance(2000);
    assert.equal(transport.requests().length, 1, 'no INVITE retransmission once answered');
    clock.advance(30000); // Timer M = 64*T1
    assert.equal(stack.stats().clientTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('cancel() waits for a provisional, then sends CANCEL with the same branch', () => {
    const { clock, transport, stack } = setup();
    const finals: SipResponse[] = [];
    const tx = stack.request(outgoingRequest('INVITE'), PEER_UDP, { onFinal: (r) => finals.push(r) });
    tx.cancel();
    assert.equal(transport.requests().filter((r) => r.method === 'CANCEL').length, 0, '§9.1: no CANCEL before a provisional');
    transport.inject(responseText(tx.request, 180, 'Ringing'));
    const cancel = transport.requests().find((r) => r.method === 'CANCEL');
    assert.ok(cancel);
    assert.deepEqual(cancel.headers.getAll('Via'), [tx.request.headers.getAll('Via')[0]]);
    assert.equal(cancel.cseq.seq, 1);
    assert.equal(cancel.cseq.method, 'CANCEL');
    assert.equal(cancel.uri, tx.request.uri);
    assert.equal(stack.stats().clientTransactions, 2);
    transport.inject(responseText(cancel, 200, 'OK'));
    transport.inject(responseText(tx.request, 487, 'Request Terminated'));
    assert.deepEqual(finals.map((r) => r.status), [487]);
    clock.advance(40000);
    assert.equal(stack.stats().clientTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('on TCP: no Timer A retransmissions, Timer D is zero', () => {
    const { clock, transport, stack } = setup();
    const dest = { ...PEER_UDP, proto: 'TCP' as const };
    const tx = stack.request(outgoingRequest('INVITE'), dest, { onFinal: () => {} });
    clock.advance(10000);
    assert.equal(transport.take().length, 1);
    transport.inject(responseText(tx.request, 486, 'Busy Here'), dest, 'tcp-1');
    assert.equal((transport.take()[0]?.msg as SipRequest).method, 'ACK');
    assert.equal(stack.stats().clientTransactions, 0);
    assert.equal(clock.pending(), 0);
  });
});
