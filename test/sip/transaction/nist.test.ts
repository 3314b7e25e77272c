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

describe('completed non-INVITE server transaction: only the response bytes are kept', () => {
  it('resends the very bytes first sent for every retransmission, without the TU', () => {
    const { transport, stack, current, calls } = setup();
    transport.inject(REGISTER);
    const tx = current();
    tx?.reply(200, 'OK', [['Expires', '60']]);
    const [first] = transport.take();
    assert.ok(first?.bytes, 'a final response on UDP goes out as bytes the stack keeps');
    transport.inject(REGISTER);
    transport.inject(REGISTER);
    const again = transport.take();
    assert.equal(again.length, 2);
    for (const r of again) {
      assert.ok(r.bytes);
      assert.equal(r.bytes.equals(first.bytes), true, 'identical bytes');
      assert.deepEqual(r.dest, first.dest);
    }
    assert.equal(calls(), 1);
    assert.equal(stack.stats().serverTransactions, 1);
    // The TU's object still has its request.
    assert.equal(tx?.request.method, 'REGISTER');
    assert.equal(tx?.request.callId, 'call-1@192.0.2.9');
  });

  it('a forked copy (another branch) of a completed request still gets 482 until Timer J (§8.2.2.2)', () => {
    const { clock, transport, current } = setup();
    transport.inject(REGISTER);
    current()?.reply(200, 'OK');
    transport.take();
    transport.inject(requestText({ method: 'REGISTER', branch: 'z9hG4bK-reg-fork' }));
    assert.deepEqual(statuses(transport), [482]);
    clock.advance(32000);
    transport.inject(requestText({ method: 'REGISTER', branch: 'z9hG4bK-reg-late' }));
    assert.deepEqual(statuses(transport), [], 'after Timer J it is a new request for the TU');
  });

  it('stack.close() forgets completed transactions and leaves no timers', async () => {
    const { clock, transport, stack, current } = setup();
    transport.inject(REGISTER);
    current()?.reply(200, 'OK');
    await stack.close();
    assert.equal(stack.stats().serverTransactions, 0);
    assert.equal(clock.pending(), 0);
  });
});

describe('stateless final responses (RFC 3261 §8.2.7)', () => {
  function challenger() {
    const clock = new FakeClock();
    const transport = new FakeTransport();
    const stack = createSipStack({ transport, clock, log: silentLogger(), userAgent: 'herald-test' });
    let calls = 0;
    const challenge = (_req: unknown, ctx: { tx: ServerTransaction | null }): void => {
      calls++;
      ctx.tx?.replyStateless?.(401, 'Unauthorized', [['WWW-Authenticate', `Digest realm="asterisk", nonce="n${calls}"`]]);
    };
    stack.handle('SUBSCRIBE', challenge);
    stack.handle('INVITE', challenge);
    return { clock, transport, stack, calls: () => calls };
  }

  it('leaves no transaction; a retransmission is challenged again with the same To tag', () => {
    const { clock, transport, stack, calls } = challenger();
    const subscribe = requestText({ method: 'SUBSCRIBE', branch: 'z9hG4bK-sub-1', extra: ['Event: presence'] });
    transport.inject(subscribe);
    assert.equal(stack.stats().serverTransactions, 0, 'nothing kept for Timer J');
    assert.equal(clock.pending(), 0);
    transport.inject(subscribe);
    const [a, b] = transport.responses();
    assert.equal(calls(), 2, 'the retransmission is a new request');
    assert.equal(a?.status, 401);
    assert.equal(b?.status, 401);
    assert.equal(a?.headers.get('Server'), 'herald-test');
    assert.ok(a?.toTag);
    assert.equal(a?.toTag, b?.toTag, 'same To tag for the same request');
    assert.equal(a?.headers.get('WWW-Authenticate'), 'Digest realm="asterisk", nonce="n1"');
    assert.equal(b?.headers.get('WWW-Authenticate'), 'Digest realm="asterisk", nonce="n2"', 'a fresh challenge');
    transport.take();
    // Another request (new branch and CSeq) gets another tag.
    transport.inject(requestText({ method: 'SUBSCRIBE', branch: 'z9hG4bK-sub-2', cseq: 2, extra: ['Event: presence'] }));
    const [c] = transport.responses();
    assert.equal(c?.status, 401);
    assert.notEqual(c?.toTag, a?.toTag);
    assert.equal(stack.stats().serverTransactions, 0);
  });

  it('keeps the To tag of an in-dialog request', () => {
    const { transport } = challenger();
    transport.inject(requestText({ method: 'SUBSCRIBE', toTag: 'dialog-tag', extra: ['Event: presence'] }));
    assert.equal(transport.responses()[0]?.toTag, 'dialog-tag');
  });

  it('an INVITE stays in its transaction to absorb the ACK', () => {
    const { transport, stack } = challenger();
    transport.inject(requestText({ method: 'INVITE', branch: 'z9hG4bK-inv-1' }));
    assert.deepEqual(statuses(transport), [100, 401]);
    assert.equal(stack.stats().serverTransactions, 1);
  });
});
