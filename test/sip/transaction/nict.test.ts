import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import type { SipResponse } from '../../../src/sip/message/index.js';
import { createSipStack } from '../../../src/sip/stack.js';
import type { Endpoint } from '../../../src/sip/transport/types.js';
import { FakeTransport, outgoingRequest, PEER_UDP, responseText } from './fake-transport.js';

function setup() {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const stack = createSipStack({ transport, clock, log: silentLogger() });
  return { clock, transport, stack };
}

/** Times (ms since start) at which the request was put on the wire, over `until` ms. */
function sendTimes(clock: FakeClock, transport: FakeTransport, until: number, step = 50): number[] {
  const times: number[] = [];
  let seen = 0;
  for (let t = 0; t <= until; t += step) {
    while (seen < transport.sent.length) {
      times.push(clock.now());
      seen++;
    }
    clock.advance(step);
  }
  return times;
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  it('retransmits with Timer E doubling up to T2 and times out with Timer F', () => {
    const { clock, transport, stack } = setup();
    let timedOut = 0;
    stack.request(outgoingRequest('OPTIONS'), PEER_UDP, { onFinal: () => assert.fail('no final expected'), onTimeout: () => timedOut++ });
    const times = sendTimes(clock, transport, 32000);
    // 0, +500, +1000, +2000, +4000, +4000 … (E capped at T2 = 4000) until F = 64*T1 = 32000.
    assert.deepEqual(times, [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    assert.equal(timedOut, 1);
    assert.equal(stack.stats().clientTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('adds Via with branch and rport, and Max-Forwards 70, to a copy of the request', () => {
    const { transport, stack } = setup();
    const original = outgoingRequest('OPTIONS');
    const tx = stack.request(original, PEER_UDP, { onFinal: () => {} });
    const req = transport.requests()[0];
    assert.ok(req);
    assert.equal(req, tx.request);
    assert.equal(original.headers.has('Via'), false, "the caller's request is left unchanged");
    const via = req.vias[0];
    assert.ok(via);
    assert.equal(via.transport, 'UDP');
    assert.equal(via.host, '192.0.2.1');
    assert.equal(via.port, 5060);
    assert.match(via.params.get('branch') ?? '', /^z9hG4bK/);
    assert.equal(via.params.has('rport'), true);
    assert.equal(req.maxForwards, 70);
  });

  it('in Proceeding retransmits every T2; a final ends it after Timer K', () => {
    const { clock, transport, stack } = setup();
    const finals: SipResponse[] = [];
    const provisionals: SipResponse[] = [];
    const tx = stack.request(outgoingRequest('REGISTER'), PEER_UDP, { onProvisional: (r) => provisionals.push(r), onFinal: (r) => finals.push(r) });
    clock.advance(100);
    transport.inject(responseText(tx.request, 100, 'Trying'));
    assert.equal(provisionals.length, 1);
    transport.take();
    clock.advance(400); // first E at 500 (Trying interval) → retransmit, then E = T2
    assert.equal(transport.take().length, 1);
    clock.advance(3999);
    assert.equal(transport.take().length, 0);
    clock.advance(1);
    assert.equal(transport.take().length, 1);
    transport.inject(responseText(tx.request, 200, 'OK'));
    assert.equal(finals.length, 1);
    // Retransmitted final is absorbed.
    transport.inject(responseText(tx.request, 200, 'OK'));
    assert.equal(finals.length, 1);
    assert.equal(stack.stats().clientTransactions, 1);
    clock.advance(5000); // Timer K = T4
    assert.equal(stack.stats().clientTransactions, 0);
    clock.advance(60000);
    assert.equal(transport.take().length, 0, 'no retransmission after completion');
    assert.equal(clock.pending(), 0);
  });

  it('sends once and ends at once on a reliable transport', () => {
    const { clock, transport, stack } = setup();
    const dest: Endpoint = { ...PEER_UDP, proto: 'TCP' };
    let final = 0;
    const tx = stack.request(outgoingRequest('OPTIONS'), dest, { onFinal: () => final++ });
    clock.advance(10000);
    assert.equal(transport.sent.length, 1);
    assert.equal(transport.requests()[0]?.vias[0]?.transport, 'TCP');
    transport.inject(responseText(tx.request, 200, 'OK'), dest, 'tcp-1');
    assert.equal(final, 1);
    assert.equal(stack.stats().clientTransactions, 0, 'Timer K is 0 on TCP');
    assert.equal(clock.pending(), 0);
  });

  it('reports a transport error and ends', () => {
    const { clock, transport, stack } = setup();
    const errors: Error[] = [];
    stack.request(outgoingRequest('OPTIONS'), PEER_UDP, { onFinal: () => {}, onTransportError: (e) => errors.push(e) });
    transport.sent[0]?.onError?.(new Error('ECONNREFUSED'));
    assert.equal(errors.length, 1);
    assert.equal(stack.stats().clientTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('drops stray responses', () => {
    const { transport, stack } = setup();
    const tx = stack.request(outgoingRequest('OPTIONS'), PEER_UDP, { onFinal: () => assert.fail('stray matched') });
    const other = tx.request.headers.get('Via')?.replace(/branch=[^;]+/, 'branch=z9hG4bKother') ?? '';
    transport.inject(responseText(tx.request, 200, 'OK').replace(/^Via: .*$/m, `Via: ${other}`));
    // Same branch, different CSeq method: no match either (§17.1.3).
    transport.inject(responseText(tx.request, 200, 'OK').replace(/CSeq: 1 OPTIONS/, 'CSeq: 1 INFO'));
    assert.equal(stack.stats().clientTransactions, 1);
  });
});
