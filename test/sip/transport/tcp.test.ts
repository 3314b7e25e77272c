import { strict as assert } from 'node:assert';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { RealClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { parseMessage, SipHeaders, SipRequest, StreamFramer, type SipResponse } from '../../../src/sip/message/index.js';
import { createSipStack } from '../../../src/sip/stack.js';
import type { SipStack } from '../../../src/sip/transaction/types.js';
import { TransportLayer } from '../../../src/sip/transport/layer.js';
import type { TransportLimits } from '../../../src/sip/transport/types.js';
import { sipRequest, TcpPeer, within } from './net-helpers.js';

async function tcpStack(limits: Partial<TransportLimits> = {}): Promise<{ layer: TransportLayer; stack: SipStack; port: number }> {
  const layer = await TransportLayer.create({ tcp: [{ address: '127.0.0.1', port: 0 }], limits, log: silentLogger() });
  const stack = createSipStack({ transport: layer, clock: new RealClock(), log: silentLogger() });
  stack.handle('OPTIONS', (_req, ctx) => ctx.tx?.reply(200, 'OK'));
  const ep = layer.boundEndpoints()[0];
  assert.ok(ep && ep.proto === 'TCP' && ep.port > 0);
  return { layer, stack, port: ep.port };
}

function options(callId: string, branch = `z9hG4bK-${callId}`): string {
  return sipRequest('OPTIONS', { via: `SIP/2.0/TCP 127.0.0.1:9;branch=${branch}`, callId });
}

describe('TCP transport on real sockets', () => {
  it('frames a message split across chunks and several messages in one chunk; answers on the same connection', async () => {
    const { stack, port } = await tcpStack();
    const peer = await TcpPeer.connect(port);
    try {
      const one = Buffer.from(options('tcp-split'));
      await peer.write(one.subarray(0, 10));
      await peer.write(one.subarray(10, 100));
      await peer.write(one.subarray(100));
      const r1 = (await peer.inbox.next()) as SipResponse;
      assert.equal(r1.callId, 'tcp-split');
      assert.equal(r1.status, 200);
      await peer.write(options('tcp-a') + options('tcp-b') + options('tcp-c').slice(0, 40));
      await peer.write(options('tcp-c').slice(40));
      const ids = [(await peer.inbox.next()).callId, (await peer.inbox.next()).callId, (await peer.inbox.next()).callId];
      assert.deepEqual(ids, ['tcp-a', 'tcp-b', 'tcp-c']);
    } finally {
      peer.destroy();
      await stack.close();
    }
  });

  it('garbage closes only that connection', async () => {
    const { stack, port, layer } = await tcpStack();
    const good = await TcpPeer.connect(port);
    const bad = await TcpPeer.connect(port);
    try {
      await bad.write('this is not SIP at all\r\nno: content length\r\n\r\n');
      await bad.waitClosed();
      assert.equal(bad.inbox.size, 0, 'nothing sent on the garbage connection');
      await good.write(options('tcp-still-ok'));
      assert.equal(((await good.inbox.next()) as SipResponse).status, 200);
      assert.equal(layer.tcpConnectionCount(), 1);
    } finally {
      good.destroy();
      bad.destroy();
      await stack.close();
    }
  });

  it('refuses connections over maxConnections', async () => {
    const { stack, port, layer } = await tcpStack({ maxConnections: 2 });
    const a = await TcpPeer.connect(port);
    const b = await TcpPeer.connect(port);
    // Make sure both are registered before the third arrives.
    await a.write(options('mc-a'));
    await a.inbox.next();
    await b.write(options('mc-b'));
    await b.inbox.next();
    const c = await TcpPeer.connect(port);
    try {
      await c.waitClosed();
      assert.equal(layer.tcpConnectionCount(), 2);
      await a.write(options('mc-a2'));
      assert.equal(((await a.inbox.next()) as SipResponse).status, 200);
    } finally {
      a.destroy();
      b.destroy();
      c.destroy();
      await stack.close();
    }
  });

  it('closes a connection whose message exceeds maxMessageBytes, sending nothing', async () => {
    const { stack, port } = await tcpStack({ maxMessageBytes: 1000 });
    const big = await TcpPeer.connect(port);
    const other = await TcpPeer.connect(port);
    try {
      await big.write(sipRequest('OPTIONS', { via: 'SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-big', callId: 'big', body: 'x'.repeat(2000), extra: ['Content-Type: text/plain'] }));
      await big.waitClosed();
      assert.equal(big.inbox.size, 0);
      await other.write(options('after-big'));
      assert.equal(((await other.inbox.next()) as SipResponse).status, 200);
    } finally {
      big.destroy();
      other.destroy();
      await stack.close();
    }
  });

  it('answers a CRLFCRLF ping with CRLF and closes idle connections', async () => {
    const { stack, port } = await tcpStack({ tcpIdleTimeoutMs: 300 });
    const peer = await TcpPeer.connect(port);
    try {
      await peer.write('\r\n\r\n');
      const pong = await peer.raw.next(2000, 'pong');
      assert.equal(pong.toString(), '\r\n');
      await peer.waitClosed(5000);
    } finally {
      peer.destroy();
      await stack.close();
    }
  });

  it('connects on demand for requests and reuses the open connection', async () => {
    const { stack, layer } = await tcpStack();
    const accepted: Socket[] = [];
    const framers = new Map<Socket, StreamFramer>();
    const server = createServer((sock) => {
      accepted.push(sock);
      const framer = new StreamFramer(65535);
      framers.set(sock, framer);
      sock.on('data', (chunk: Buffer) => {
        for (const raw of framer.push(chunk)) {
          const req = parseMessage(raw);
          if (req.kind !== 'request') continue;
          const lines = ['SIP/2.0 200 OK', ...req.headers.getAll('Via').map((v) => `Via: ${v}`), `From: ${req.headers.get('From')}`, `To: ${req.headers.get('To')};tag=srv`, `Call-ID: ${req.callId}`, `CSeq: ${req.headers.get('CSeq')}`, 'Content-Length: 0', '', ''];
          sock.write(lines.join('\r\n'));
        }
      });
    });
    await within<void>(2000, 'listen', (resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const addr = server.address();
    assert.ok(addr && typeof addr === 'object');
    const dest = { proto: 'TCP' as const, address: '127.0.0.1', port: addr.port };
    const send = (n: number): Promise<SipResponse> =>
      within<SipResponse>(3000, `response ${n}`, (resolve, reject) => {
        const req = new SipRequest('OPTIONS', `sip:x@127.0.0.1:${addr.port};transport=tcp`, new SipHeaders([
          ['From', '<sip:herald@127.0.0.1>;tag=h'],
          ['To', '<sip:x@127.0.0.1>'],
          ['Call-ID', `reuse-${n}`],
          ['CSeq', `${n} OPTIONS`],
        ]));
        stack.request(req, dest, { onFinal: resolve, onTimeout: () => reject(new Error('timeout')), onTransportError: reject });
      });
    try {
      assert.equal((await send(1)).status, 200);
      assert.equal((await send(2)).status, 200);
      assert.equal(accepted.length, 1, 'second request reused the connection');
      assert.equal(layer.tcpConnectionCount(), 1);
    } finally {
      for (const s of accepted) s.destroy();
      server.close();
      await stack.close();
    }
  });

  it('reports a refused outbound connection as a transport error', async () => {
    const { stack } = await tcpStack();
    // Find a port with nobody listening: bind, note it, close.
    const probe = createServer();
    await within<void>(2000, 'listen', (resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const addr = probe.address();
    assert.ok(addr && typeof addr === 'object');
    await within<void>(2000, 'close', (resolve) => probe.close(() => resolve()));
    try {
      const err = await within<Error>(3000, 'transport error', (resolve) => {
        const req = new SipRequest('OPTIONS', `sip:x@127.0.0.1:${addr.port}`, new SipHeaders([
          ['From', '<sip:herald@127.0.0.1>;tag=h'],
          ['To', '<sip:x@127.0.0.1>'],
          ['Call-ID', 'refused'],
          ['CSeq', '1 OPTIONS'],
        ]));
        stack.request(req, { proto: 'TCP', address: '127.0.0.1', port: addr.port }, { onFinal: () => {}, onTransportError: resolve });
      });
      assert.match(err.message, /ECONNREFUSED/);
      assert.equal(stack.stats().clientTransactions, 0);
    } finally {
      await stack.close();
    }
  });

  it('IPv6 loopback TCP', async (t) => {
    let layer: TransportLayer;
    try {
      layer = await TransportLayer.create({ tcp: [{ address: '::1', port: 0 }], log: silentLogger() });
    } catch {
      t.skip('no ::1 on this machine');
      return;
    }
    const stack = createSipStack({ transport: layer, clock: new RealClock(), log: silentLogger() });
    stack.handle('OPTIONS', (_req, ctx) => ctx.tx?.reply(200));
    const port = layer.boundEndpoints()[0]?.port ?? 0;
    const peer = await TcpPeer.connect(port, '::1');
    try {
      await peer.write(sipRequest('OPTIONS', { via: 'SIP/2.0/TCP [::1]:9;branch=z9hG4bK-v6t', callId: 'tcp-v6' }));
      assert.equal(((await peer.inbox.next()) as SipResponse).status, 200);
    } finally {
      peer.destroy();
      await stack.close();
    }
  });
});
