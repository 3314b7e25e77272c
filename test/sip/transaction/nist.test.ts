import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { createSipStack } from '../../../src/sip/stack.js';
import type { ServerTransaction } from '../../../src/sip/transaction/types.js';
import type { Endpoint } from '../../../src/sip/transport/types.js';
import { FakeTransport, PEER_UDP, requestText } from './fake-transport.js';

function statuses(t: FakeTransport): number[] {
  return t.take().map((s) => (s.msg.kind === 'response' ? s.msg.status : -1));
}

function setup() {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const stack = createSipStack({ transport, clock, log: silentLogger() });
  let tx: ServerTransaction | null = null;
  let calls = 0;
  stack.handle('REGISTER', (_req, ctx) => {
    calls++;
    tx = ctx.tx;
  });
  return { clock, transport, stack, current: () => tx, calls: () => calls };
}

const REGISTER = requestText({ method: 'REGISTER', branch: 'z9hG4bK-reg-1' });

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  it('absorbs retransmissions: silent in Trying, last response in Proceeding and Completed', () => {
    const { transport, current, calls } = setup();
    transport.inject(REGISTER);
    transport.inject(REGISTER);
    assert.deepEqual(statuses(transport), [], 'Trying: retransmission discarded');
    current()?.reply(100, 'Trying');
    transport.inject(REGISTER);
    assert.deepEqual(statuses(transport), [100, 100]);
    current()?.reply(200, 'OK');
    transport.inject(REGISTER);
    transport.inject(REGISTER);
    assert.deepEqual(statuses(transport), [200, 200, 200]);
    assert.equal(calls(), 1);
  });

  it('ends after Timer J (64*T1) on UDP, leaving no timers', () => {
    const { clock, transport, stack, current } = setup();
    transport.inject(REGISTER);
    current()?.reply(200, 'OK');
    clock.advance(31999);
    assert.equal(stack.stats().serverTransactions, 1);
    clock.advance(1);
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
    // A late retransmission is a new request again.
    transport.take();
    transport.inject(REGISTER);
    assert.equal(stack.stats().serverTransactions, 1);
  });

  it('ends at once on TCP (Timer J = 0) and answers on the request connection', () => {
    const { clock, transport, stack, current } = setup();
    const src: Endpoint = { ...PEER_UDP, proto: 'TCP', port: 40001 };
    transport.inject(REGISTER.replace('SIP/2.0/UDP', 'SIP/2.0/TCP'), src, 'tcp-7');
    current()?.reply(200, 'OK');
    const sent = transport.take();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.opts?.connectionId, 'tcp-7');
    assert.equal(sent[0]?.dest.proto, 'TCP');
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
  });

  it('drops a transaction the TU never answers after 64*T1', () => {
    const { clock, transport, stack } = setup();
    transport.inject(REGISTER);
    clock.advance(32000);
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
  });
});
