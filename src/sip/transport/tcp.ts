/**
 * SIP over TCP (RFC 3261 §18.3): a StreamFramer per connection cuts the byte stream into
 * messages by Content-Length. Connections are reused both ways (§18.2.2: responses go back on
 * the connection the request came on; requests to a peer with an open connection use it), limited
 * in number, closed when idle, and closed on their own when their stream cannot be framed.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { serializeMessage, StreamFramer, type SipMessage } from '../message/index.js';
import { endpointKey, ipFamily, normalizeAddress, type TransportSink } from './sink.js';
import type { Endpoint, TransportLimits } from './types.js';

interface Connection {
  id: string;
  socket: Socket;
  framer: StreamFramer;
  remote: Endpoint;
  local: Endpoint;
  key: string;
  /** Send callbacks waiting for an outbound connect to finish or fail. */
  pendingErrors: Array<(err: Error) => void>;
  connected: boolean;
}

const CRLF = Buffer.from('\r\n');

export class TcpTransport {
  private readonly servers: Array<{ server: Server; local: Endpoint }> = [];
  private readonly connections = new Map<string, Connection>();
  /** Remote address|port → connection ids, newest last. */
  private readonly byRemote = new Map<string, string[]>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly sink: TransportSink,
    private readonly limits: TransportLimits,
  ) {}

  /** Listen on address:port (port 0 picks a free one). */
  listen(address: string, port: number): Promise<Endpoint> {
    const server = createServer({ allowHalfOpen: false }, (socket) => this.onInbound(socket));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen({ host: address, port, ipv6Only: ipFamily(address) === 6 }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.sink.log.warn({ err }, 'TCP server error'));
        const a = server.address();
        const local: Endpoint =
          a && typeof a === 'object' ? { proto: 'TCP', address: a.address, port: a.port } : { proto: 'TCP', address, port };
        this.servers.push({ server, local });
        resolve(local);
      });
    });
  }

  listeners(): Endpoint[] {
    return this.servers.map((s) => s.local);
  }

  connectionCount(): number {
    return this.connections.size;
  }

  /** Is this connection open? */
  hasConnection(id: string): boolean {
    return this.connections.has(id);
  }

  send(msg: SipMessage, dest: Endpoint, connectionId: string | null | undefined, onError?: (err: Error) => void): void {
    let buf: Buffer;
    try {
      buf = serializeMessage(msg);
    } catch (err) {
      onError?.(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    this.sendBytes(buf, dest, connectionId, onError);
  }

  /** Bytes already serialized (see SipTransport.sendBytes). */
  sendBytes(buf: Buffer, dest: Endpoint, connectionId: string | null | undefined, onError?: (err: Error) => void): void {
    if (buf.length > this.limits.maxMessageBytes) {
      onError?.(new Error(`message of ${buf.length} bytes exceeds the ${this.limits.maxMessageBytes}-byte limit`));
      return;
    }
    const conn = this.pickConnection(dest, connectionId) ?? this.openOutbound(dest, onError);
    if (!conn) return;
    this.write(conn, buf, onError);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.connections.values()) c.socket.destroy();
    this.connections.clear();
    this.byRemote.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.server.close(() => resolve()))));
  }

  private pickConnection(dest: Endpoint, connectionId: string | null | undefined): Connection | undefined {
    if (connectionId) {
      const c = this.connections.get(connectionId);
      if (c && !c.socket.destroyed) return c;
    }
    const ids = this.byRemote.get(endpointKey(dest.address, dest.port));
    if (!ids) return undefined;
    for (let i = ids.length - 1; i >= 0; i--) {
      const c = this.connections.get(ids[i] ?? '');
      if (c && !c.socket.destroyed) return c;
    }
    return undefined;
  }

  private openOutbound(dest: Endpoint, onError?: (err: Error) => void): Connection | undefined {
    if (this.closed) {
      onError?.(new Error('TCP transport closed'));
      return undefined;
    }
    if (this.connections.size >= this.limits.maxConnections) {
      onError?.(new Error(`TCP connection limit (${this.limits.maxConnections}) reached`));
      return undefined;
    }
    let socket: Socket;
    try {
      socket = connect({ host: dest.address, port: dest.port, family: ipFamily(dest.address) });
    } catch (err) {
      onError?.(err instanceof Error ? err : new Error(String(err)));
      return undefined;
    }
    const conn = this.register(socket, { proto: 'TCP', address: normalizeAddress(dest.address), port: dest.port }, false);
    socket.once('connect', () => {
      conn.connected = true;
      conn.local = { proto: 'TCP', address: normalizeAddress(socket.localAddress ?? ''), port: socket.localPort ?? 0 };
      conn.pendingErrors = [];
    });
    return conn;
  }

  private onInbound(socket: Socket): void {
    try {
      if (this.closed || this.connections.size >= this.limits.maxConnections) {
        this.sink.log.warn({ peer: socket.remoteAddress, limit: this.limits.maxConnections }, 'TCP connection refused: limit reached');
        socket.destroy();
        return;
      }
      const remote: Endpoint = { proto: 'TCP', address: normalizeAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
      const conn = this.register(socket, remote, true);
      conn.local = { proto: 'TCP', address: normalizeAddress(socket.localAddress ?? ''), port: socket.localPort ?? 0 };
    } catch (err) {
      this.sink.log.warn({ err }, 'TCP accept failed');
      socket.destroy();
    }
  }

  private register(socket: Socket, remote: Endpoint, connected: boolean): Connection {
    const id = `tcp-${this.nextId++}`;
    const conn: Connection = {
      id,
      socket,
      framer: new StreamFramer(this.limits.maxMessageBytes),
      remote,
      local: { proto: 'TCP', address: '', port: 0 },
      key: endpointKey(remote.address, remote.port),
      pendingErrors: [],
      connected,
    };
    // RFC 5626 §4.4.1: a CRLFCRLF "ping" is answered with a CRLF "pong".
    conn.framer.onPing = () => {
      if (!socket.destroyed) socket.write(CRLF);
    };
    this.connections.set(id, conn);
    const ids = this.byRemote.get(conn.key) ?? [];
    ids.push(id);
    this.byRemote.set(conn.key, ids);
    socket.setNoDelay(true);
    // Idle timeout: Node resets it on every read and write, so an RFC 5626 ping keeps it alive.
    socket.setTimeout(this.limits.tcpIdleTimeoutMs);
    socket.on('timeout', () => {
      this.sink.log.debug({ conn: id }, 'idle TCP connection closed');
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('error', (err) => {
      this.sink.log.debug({ err, conn: id }, 'TCP connection error');
      const waiting = conn.pendingErrors;
      conn.pendingErrors = [];
      for (const cb of waiting) safeCall(() => cb(err));
    });
    socket.on('close', () => this.forget(conn));
    return conn;
  }

  private forget(conn: Connection): void {
    this.connections.delete(conn.id);
    const ids = this.byRemote.get(conn.key);
    if (!ids) return;
    const rest = ids.filter((x) => x !== conn.id);
    if (rest.length === 0) this.byRemote.delete(conn.key);
    else this.byRemote.set(conn.key, rest);
  }

  private write(conn: Connection, buf: Buffer, onError?: (err: Error) => void): void {
    if (!conn.connected && onError) conn.pendingErrors.push(onError);
    this.sink.trace('out', buf, conn.remote, conn.local);
    try {
      conn.socket.write(buf, (err) => {
        if (err) {
          this.sink.log.debug({ err, conn: conn.id }, 'TCP write failed');
          if (conn.connected) onError?.(err);
        }
      });
    } catch (err) {
      onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private onData(conn: Connection, chunk: Buffer): void {
    try {
      let messages: Buffer[];
      try {
        messages = conn.framer.push(chunk);
      } catch (err) {
        // Unframeable stream (garbage, oversized message): drop only this connection, answer nothing.
        this.sink.log.debug({ err, conn: conn.id, peer: conn.remote }, 'TCP stream cannot be framed; connection closed');
        conn.socket.destroy();
        return;
      }
      for (const raw of messages) {
        if (conn.socket.destroyed) return;
        this.sink.deliver(raw, conn.remote, conn.local, conn.id);
      }
    } catch (err) {
      this.sink.log.warn({ err, conn: conn.id }, 'TCP data handling failed');
    }
  }
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch {
    // a send-error callback must not break the socket's error handling
  }
}
