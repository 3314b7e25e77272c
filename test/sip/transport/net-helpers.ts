/** Small real-socket clients for transport tests; every wait is bounded by a timeout. */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { parseMessage, StreamFramer, type SipMessage } from '../../../src/sip/message/index.js';

/** Resolve with the value `register` produces, or reject after ms. */
export function within<T>(ms: number, what: string, register: (resolve: (v: T) => void, reject: (e: Error) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    register(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** A queue of items with a bounded wait for the next one. */
class Inbox<T> {
  private items: T[] = [];
  private waiters: Array<(v: T) => void> = [];
  put(v: T): void {
    const w = this.waiters.shift();
    if (w) w(v);
    else this.items.push(v);
  }
  next(ms = 5000, what = 'message'): Promise<T> {
    const v = this.items.shift();
    if (v !== undefined) return Promise.resolve(v);
    return within<T>(ms, what, (resolve) => this.waiters.push(resolve));
  }
  get size(): number {
    return this.items.length;
  }
}

export class UdpPeer {
  readonly inbox = new Inbox<SipMessage>();
  private constructor(readonly socket: UdpSocket, readonly port: number) {}
  static async open(address = '127.0.0.1'): Promise<UdpPeer> {
    const socket = createSocket(address.includes(':') ? 'udp6' : 'udp4');
    await within<void>(2000, 'udp bind', (resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, address, () => resolve());
    });
    const peer = new UdpPeer(socket, socket.address().port);
    socket.on('message', (buf) => {
      try {
        peer.inbox.put(parseMessage(buf));
      } catch {
        // tests only look at well-formed messages
      }
    });
    return peer;
  }
  send(text: string | Buffer, port: number, address = '127.0.0.1'): void {
    this.socket.send(typeof text === 'string' ? Buffer.from(text) : text, port, address);
  }
  close(): void {
    this.socket.close();
  }
}

export class TcpPeer {
  readonly inbox = new Inbox<SipMessage>();
  readonly raw = new Inbox<Buffer>();
  readonly closed: Promise<void>;
  private readonly framer = new StreamFramer(1 << 20);
  private constructor(readonly socket: Socket) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.raw.put(chunk);
      try {
        for (const m of this.framer.push(chunk)) this.inbox.put(parseMessage(m));
      } catch {
        // ignore
      }
    });
  }
  static connect(port: number, host = '127.0.0.1'): Promise<TcpPeer> {
    return within<TcpPeer>(2000, 'tcp connect', (resolve, reject) => {
      const s = connect({ port, host });
      s.once('error', reject);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(new TcpPeer(s));
      });
    });
  }
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }
  waitClosed(ms = 5000): Promise<void> {
    return within<void>(ms, 'connection close', (resolve) => void this.closed.then(resolve));
  }
  destroy(): void {
    this.socket.destroy();
  }
}

export function sipRequest(method: string, opts: { via: string; callId: string; cseq?: number; extra?: string[]; body?: string }): string {
  const body = opts.body ?? '';
  return [
    `${method} sip:herald@127.0.0.1 SIP/2.0`,
    `Via: ${opts.via}`,
    'Max-Forwards: 70',
    'From: <sip:alice@127.0.0.1>;tag=a1',
    'To: <sip:herald@127.0.0.1>',
    `Call-ID: ${opts.callId}`,
    `CSeq: ${opts.cseq ?? 1} ${method}`,
    ...(opts.extra ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}
