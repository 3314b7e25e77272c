import { strict as assert } from 'node:assert';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { SipHeaders, SipRequest, type SipResponse } from '../../../src/sip/message/index.js';
import { createSipStack } from '../../../src/sip/stack.js';
import type { SipStack } from '../../../src/sip/transaction/types.js';
import { TransportLayer } from '../../../src/sip/transport/layer.js';
import type { Endpoint } from '../../../src/sip/transport/types.js';
import { sipRequest, UdpPeer, within } from './net-helpers.js';

const hasIpv6Loopback = Object.values(networkInterfaces()).some((l) => (l ?? []).some((n) => n.address === '::1'));

describe('UDP transport on real sockets', () => {
  let layer: TransportLayer;
  let stack: SipStack;
  let v4: Endpoint;
  let v6: Endpoint | undefined;
  const traces: Array<'in' | 'out'> = [];

  before(async () => {
    layer = await TransportLayer.create({
      udp: [{ address: '127.0.0.1', port: 0 }, ...(hasIpv6Loopback ? [{ address: '::1', port: 0 }] : [])],
      limits: { maxMessageBytes: 2000 },
      log: silentLogger(),
    });
    layer.onTrace((dir) => traces.push(dir));
    stack = createSipStack({ transport: layer, clock: new RealClock(), log: silentLogger() });
    stack.handle('OPTIONS', (_req, ctx) => ctx.tx?.reply(200, 'OK'));
    const eps = layer.boundEndpoints();
    const found4 = eps.find((e) => e.address === '127.0.0.1');
    assert.ok(found4);
    v4 = found4;
    v6 = eps.find((e) => e.address === '::1');
  });
  after(async () => {
    await stack.close();
  });

  it('binds port 0 and reports the real port', () => {
    assert.equal(v4.proto, 'UDP');
    assert.ok(v4.port > 0);
    if (hasIpv6Loopback) assert.ok(v6 && v6.port > 0);
  });

  it('answers an OPTIONS with rport to the source port, filling rport and received', async () => {
    const peer = await UdpPeer.open();
    try {
      // The Via names a port nobody listens on: only rport brings the answer back to us.
      peer.send(sipRequest('OPTIONS', { via: 'SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-u1', callId: 'udp-1' }), v4.port);
      const res = (await peer.inbox.next()) as SipResponse;
      assert.equal(res.status, 200);
      assert.equal(res.vias[0]?.params.get('rport'), String(peer.port));
      assert.equal(res.vias[0]?.params.get('received'), '127.0.0.1');
      assert.ok(traces.includes('in') && traces.includes('out'), 'onTrace sees both directions');
    } finally {
      peer.close();
    }
  });

  it('without rport answers the Via sent-by port (RFC 3261 §18.2.2)', async () => {
    const peer = await UdpPeer.open();
    try {
      peer.send(sipRequest('OPTIONS', { via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-u2`, callId: 'udp-2' }), v4.port);
      const res = (await peer.inbox.next()) as SipResponse;
      assert.equal(res.status, 200);
      assert.equal(res.vias[0]?.params.has('received'), false);
    } finally {
      peer.close();
    }
  });

  it('ignores CRLF keep-alives and drops oversized datagrams', async () => {
    const peer = await UdpPeer.open();
    try {
      peer.send('\r\n\r\n', v4.port);
      const big = sipRequest('OPTIONS', { via: 'SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-big', callId: 'udp-big', body: 'x'.repeat(3000), extra: ['Content-Type: text/plain'] });
      peer.send(big, v4.port);
      peer.send(sipRequest('OPTIONS', { via: 'SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-small', callId: 'udp-small' }), v4.port);
      const res = (await peer.inbox.next()) as SipResponse;
      assert.equal(res.callId, 'udp-small', 'the oversized datagram got no answer');
    } finally {
      peer.close();
    }
  });

  it('answers 400 to a malformed request with enough headers, nothing to garbage', async () => {
    const peer = await UdpPeer.open();
    try {
      peer.send(Buffer.from([0, 1, 2, 3, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]), v4.port);
      peer.send(sipRequest('OPTIONS', { via: 'SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bK-bad', callId: 'udp-bad', cseq: 1 }).replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'), v4.port);
      const res = (await peer.inbox.next()) as SipResponse;
      assert.equal(res.status, 400);
      assert.equal(res.callId, 'udp-bad');
    } finally {
      peer.close();
    }
  });

  it('client transaction over UDP: request out, response matched', async () => {
    const peer = await UdpPeer.open();
    try {
      const got = new Promise<SipResponse>((resolve) => {
        const req = new SipRequest(
          'OPTIONS',
          `sip:peer@127.0.0.1:${peer.port}`,
          new SipHeaders([
            ['From', '<sip:herald@127.0.0.1>;tag=h1'],
            ['To', '<sip:peer@127.0.0.1>'],
            ['Call-ID', 'udp-out-1'],
            ['CSeq', '1 OPTIONS'],
          ]),
        );
        stack.request(req, { proto: 'UDP', address: '127.0.0.1', port: peer.port }, { onFinal: resolve });
      });
      const req = await peer.inbox.next();
      assert.equal(req.kind, 'request');
      const via = req.headers.getAll('Via')[0] ?? '';
      assert.match(via, new RegExp(`^SIP/2.0/UDP 127\\.0\\.0\\.1:${v4.port};branch=z9hG4bK`));
      peer.send(
        ['SIP/2.0 200 OK', `Via: ${via}`, `From: ${req.headers.get('From')}`, `To: ${req.headers.get('To')};tag=p1`, 'Call-ID: udp-out-1', 'CSeq: 1 OPTIONS', 'Content-Length: 0', '', ''].join('\r\n'),
        v4.port,
      );
      const res = await within<SipResponse>(3000, 'final response', (resolve) => void got.then(resolve));
      assert.equal(res.status, 200);
    } finally {
      peer.close();
    }
  });

  it('a retransmitted request gets the very bytes of the first response (Completed, §17.2.2)', async () => {
    const peer = await UdpPeer.open();
    const raw: Buffer[] = [];
    peer.socket.on('message', (buf) => raw.push(buf));
    try {
      const text = sipRequest('OPTIONS', { via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-rtx`, callId: 'udp-rtx' });
      peer.send(text, v4.port);
      const first = (await peer.inbox.next()) as SipResponse;
      assert.equal(first.status, 200);
      peer.send(text, v4.port);
      const second = (await peer.inbox.next()) as SipResponse;
      assert.equal(second.toTag, first.toTag);
      assert.equal(raw.length, 2);
      assert.equal(raw[0]?.equals(raw[1] as Buffer), true, 'byte for byte the same');
    } finally {
      peer.close();
    }
  });

  it('reports a send error to the caller (the literal-address lookup answers at once)', async () => {
    const to: Endpoint = { proto: 'UDP', address: '255.255.255.255', port: 9 };
    const req = new SipRequest('OPTIONS', 'sip:x@255.255.255.255', new SipHeaders([['Call-ID', 'udp-err']]));
    // A broadcast address without SO_BROADCAST: the kernel refuses the datagram (EACCES).
    const viaSend = await within<Error>(3000, 'send error', (resolve) => layer.send(req, to, undefined, resolve));
    assert.ok(viaSend instanceof Error);
    const viaBytes = await within<Error>(3000, 'sendBytes error', (resolve) => layer.sendBytes(Buffer.from('OPTIONS x SIP/2.0\r\n\r\n'), to, undefined, resolve));
    assert.ok(viaBytes instanceof Error);
  });

  it('IPv6 loopback request/response', { skip: !hasIpv6Loopback }, async () => {
    assert.ok(v6);
    const peer = await UdpPeer.open('::1');
    try {
      peer.send(sipRequest('OPTIONS', { via: 'SIP/2.0/UDP [::1]:9;rport;branch=z9hG4bK-v6', callId: 'udp-v6' }), v6.port, '::1');
      const res = (await peer.inbox.next()) as SipResponse;
      assert.equal(res.status, 200);
      assert.equal(res.vias[0]?.params.get('rport'), String(peer.port));
    } finally {
      peer.close();
    }
  });
});
