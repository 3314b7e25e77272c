import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import type { SipRequest, SipResponse } from '../../../src/sip/message/index.js';
import { createSipStack, type SipStackOptions } from '../../../src/sip/stack.js';
import { FakeTransport, outgoingRequest, PEER_UDP, requestText, responseText, sipText } from '../transaction/fake-transport.js';

function setup(extra: Partial<SipStackOptions> = {}) {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const stack = createSipStack({ transport, clock, log: silentLogger(), ...extra });
  return { clock, transport, stack };
}

function answered(t: FakeTransport): SipResponse[] {
  return t.take().map((s) => s.msg).filter((m): m is SipResponse => m.kind === 'response');
}

describe('SIP stack request dispatch', () => {
  it('routes requests to the method handler and answers through the transaction', () => {
    const { transport, stack } = setup({ userAgent: 'herald-test' });
    stack.handle('OPTIONS', (_req, ctx) => ctx.tx?.reply(200, 'OK', [['Accept', 'application/sdp']]));
    transport.inject(requestText({ method: 'OPTIONS' }));
    const [res] = answered(transport);
    assert.ok(res);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Accept'), 'application/sdp');
    assert.equal(res.headers.get('Server'), 'herald-test');
    assert.ok(res.toTag, 'a To tag is added to final responses');
    assert.equal(res.callId, 'call-1@192.0.2.9');
  });

  it('answers unhandled methods 501 with Allow', () => {
    const { transport, stack } = setup();
    stack.handle('INVITE', () => {});
    stack.handle('OPTIONS', () => {});
    transport.inject(requestText({ method: 'PUBLISH' }));
    const [res] = answered(transport);
    assert.equal(res?.status, 501);
    assert.deepEqual(res?.headers.getAll('Allow'), ['INVITE', 'ACK', 'CANCEL', 'OPTIONS']);
    assert.deepEqual(stack.allowedMethods(), ['INVITE', 'ACK', 'CANCEL', 'OPTIONS']);
  });

  it('processes requests with Max-Forwards 0 (herald is a UAS, never a proxy)', () => {
    const { transport, stack } = setup();
    stack.handle('OPTIONS', (_req, ctx) => ctx.tx?.reply(200));
    stack.handle('MESSAGE', (_req, ctx) => ctx.tx?.reply(200));
    transport.inject(requestText({ method: 'OPTIONS', maxForwards: 0 }));
    transport.inject(requestText({ method: 'MESSAGE', maxForwards: 0, branch: 'z9hG4bK-m2', callId: 'c2' }));
    assert.deepEqual(answered(transport).map((r) => r.status), [200, 200]);
  });

  it('482 for a merged request: same From tag, Call-ID and CSeq on another branch (§8.2.2.2)', () => {
    const { transport, stack } = setup();
    stack.handle('INVITE', () => {});
    transport.inject(requestText({ method: 'INVITE', branch: 'z9hG4bK-a' }));
    assert.deepEqual(answered(transport).map((r) => r.status), [100]);
    transport.inject(requestText({ method: 'INVITE', branch: 'z9hG4bK-b' }));
    assert.deepEqual(answered(transport).map((r) => r.status), [100, 482]);
  });

  it('420 with Unsupported for unknown Require options; supported ones pass', () => {
    const { transport, stack } = setup({ supportedExtensions: ['path'] });
    stack.handle('REGISTER', (_req, ctx) => ctx.tx?.reply(200));
    transport.inject(requestText({ method: 'REGISTER', extra: ['Require: path, foo'] }));
    const [res] = answered(transport);
    assert.equal(res?.status, 420);
    assert.equal(res?.headers.get('Unsupported'), 'foo');
    transport.inject(requestText({ method: 'REGISTER', branch: 'z9hG4bK-2', cseq: 2, extra: ['Require: path'] }));
    assert.equal(answered(transport)[0]?.status, 200);
  });

  it('400 with the parser reason for a malformed request that still has the needed headers', () => {
    const { transport, stack } = setup();
    stack.handle('OPTIONS', () => assert.fail('must not reach the handler'));
    // CSeq method differs from the request method (RFC 4475 §3.1.2.17 style).
    transport.inject(requestText({ method: 'OPTIONS', cseqMethod: 'INVITE' }));
    const [res] = answered(transport);
    assert.equal(res?.status, 400);
    assert.match(res?.reason ?? '', /CSeq/);
    // A framing-level failure (negative Content-Length) answered from the partial headers.
    const bad = requestText({ method: 'OPTIONS', branch: 'z9hG4bK-bad' }).replace('Content-Length: 0', 'Content-Length: -5');
    transport.inject(bad);
    const [res2] = answered(transport);
    assert.equal(res2?.status, 400);
    assert.equal(res2?.callId, 'call-1@192.0.2.9');
    assert.equal(stack.stats().serverTransactions, 0);
  });

  it('sends nothing for garbage or a malformed request without enough headers', () => {
    const { transport } = setup();
    transport.inject('\x00\x01garbage that is not SIP\r\n\r\n');
    transport.inject(sipText(['OPTIONS sip:x@y SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bK-q']));
    transport.inject(sipText(['SIP/2.0 200 OK', 'Via: garbage']));
    assert.equal(transport.sent.length, 0);
  });

  it('fills rport and received (RFC 3581) and sends the response to the source address and port', () => {
    const { transport, stack } = setup();
    let seen: SipRequest | null = null;
    stack.handle('REGISTER', (req, ctx) => {
      seen = req;
      ctx.tx?.reply(200);
    });
    const via = 'SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bK-nat';
    transport.inject(requestText({ method: 'REGISTER', via }), { proto: 'UDP', address: '198.51.100.7', port: 31000 });
    const top = (seen as SipRequest | null)?.vias[0];
    assert.equal(top?.params.get('rport'), '31000');
    assert.equal(top?.params.get('received'), '198.51.100.7');
    const [sent] = transport.take();
    assert.deepEqual(sent?.dest, { proto: 'UDP', address: '198.51.100.7', port: 31000 });
    const resVia = (sent?.msg as SipResponse).vias[0];
    assert.equal(resVia?.params.get('rport'), '31000');
  });

  it('without rport: received added when the host differs, response to received at the Via port', () => {
    const { transport, stack } = setup();
    stack.handle('OPTIONS', (_req, ctx) => ctx.tx?.reply(200));
    transport.inject(requestText({ method: 'OPTIONS', via: 'SIP/2.0/UDP phone.example.com:5062;branch=z9hG4bK-h' }), {
      proto: 'UDP',
      address: '198.51.100.8',
      port: 40000,
    });
    const [sent] = transport.take();
    assert.deepEqual(sent?.dest, { proto: 'UDP', address: '198.51.100.8', port: 5062 });
    assert.equal((sent?.msg as SipResponse).vias[0]?.params.get('received'), '198.51.100.8');
    transport.inject(requestText({ method: 'OPTIONS', branch: 'z9hG4bK-same', callId: 'c9' }));
    const [same] = transport.take();
    assert.deepEqual(same?.dest, PEER_UDP);
    assert.equal((same?.msg as SipResponse).vias[0]?.params.has('received'), false, 'host equal to source: no received');
  });

  it('passes stray ACKs to the ACK handler and drops stray responses', () => {
    const { transport, stack } = setup();
    const acks: SipRequest[] = [];
    stack.handle('ACK', (req, ctx) => {
      assert.equal(ctx.tx, null);
      acks.push(req);
    });
    transport.inject(requestText({ method: 'ACK', branch: 'z9hG4bK-2xx-ack', toTag: 'x' }));
    assert.equal(acks.length, 1);
    transport.inject(responseText(outgoingRequest('OPTIONS'), 200, 'OK').replace('Call-ID', 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnone\r\nCall-ID'));
    assert.equal(transport.sent.length, 0);
  });

  it('discards responses with more than one Via (§8.1.3.3)', () => {
    const { transport, stack } = setup();
    let finals = 0;
    const tx = stack.request(outgoingRequest('OPTIONS'), PEER_UDP, { onFinal: () => finals++ });
    transport.inject(responseText(tx.request, 200, 'OK').replace('Via:', 'Via: SIP/2.0/UDP 203.0.113.1;branch=z9hG4bKextra\r\nVia:'));
    assert.equal(finals, 0);
    transport.inject(responseText(tx.request, 200, 'OK'));
    assert.equal(finals, 1);
  });

  it('a handler that throws gets the request answered 500', () => {
    const { transport, stack } = setup();
    stack.handle('OPTIONS', () => {
      throw new Error('boom');
    });
    transport.inject(requestText({ method: 'OPTIONS' }));
    assert.deepEqual(answered(transport).map((r) => r.status), [500]);
  });

  it('User-Agent on requests we originate', () => {
    const { transport, stack } = setup({ userAgent: 'herald-test' });
    stack.request(outgoingRequest('OPTIONS'), PEER_UDP, { onFinal: () => {} });
    assert.equal(transport.requests()[0]?.headers.get('User-Agent'), 'herald-test');
  });

  it('leaves no transaction and no timer behind after mixed traffic (leak check)', () => {
    const { clock, transport, stack } = setup();
    stack.handle('OPTIONS', (_req, ctx) => ctx.tx?.reply(200));
    stack.handle('INVITE', (req, ctx) => {
      if (req.callId.endsWith('busy')) ctx.tx?.reply(486);
      else if (req.callId.endsWith('ok')) ctx.tx?.reply(200);
    });
    stack.handle('REGISTER', () => {});
    for (let i = 0; i < 200; i++) {
      const k = i % 5;
      const callId = `leak-${i}-${['opt', 'busy', 'ok', 'ring', 'reg'][k]}`;
      const method = k === 0 ? 'OPTIONS' : k === 4 ? 'REGISTER' : 'INVITE';
      transport.inject(requestText({ method, branch: `z9hG4bK-l${i}`, callId }));
      if (k === 3) transport.inject(requestText({ method: 'CANCEL', branch: `z9hG4bK-l${i}`, callId }));
      if (k === 1 || k === 3) transport.inject(requestText({ method: 'ACK', branch: `z9hG4bK-l${i}`, callId, toTag: 't' }));
      const out = stack.request(outgoingRequest(i % 2 ? 'INVITE' : 'OPTIONS', i), PEER_UDP, { onFinal: () => {} });
      if (i % 3 === 0) transport.inject(responseText(out.request, i % 2 ? 180 : 200, 'x'));
      // A ringing INVITE has no timer in Proceeding (§17.1.1.2); ending it is the TU's job: CANCEL.
      if (i % 3 === 0 && i % 2) out.cancel();
      if (i % 3 === 1) transport.inject(responseText(out.request, 486, 'Busy Here'));
    }
    assert.ok(stack.stats().serverTransactions > 0 && stack.stats().clientTransactions > 0);
    clock.advance(5 * 60 * 1000);
    assert.deepEqual(stack.stats(), { serverTransactions: 0, clientTransactions: 0 });
    assert.equal(clock.pending(), 0);
  });

  it('close() ends every transaction and closes the transport', async () => {
    const { clock, transport, stack } = setup();
    stack.handle('INVITE', () => {});
    transport.inject(requestText({ method: 'INVITE' }));
    stack.request(outgoingRequest('OPTIONS'), PEER_UDP, { onFinal: () => {} });
    await stack.close();
    assert.deepEqual(stack.stats(), { serverTransactions: 0, clientTransactions: 0 });
    assert.equal(clock.pending(), 0);
    assert.equal(transport.closed, true);
  });
});
