/**
 * The server side of the control socket (Asterisk's asterisk.ctl): a UNIX socket, mode 0600,
 * that `herald -rx` and `herald -r` talk to. One bad client never affects the others or the
 * server: malformed or oversized requests get an error and their connection is closed.
 */
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../core/log.js';
import { HeraldError } from '../core/errors.js';
import type { CliSession, CommandRegistry } from './registry.js';
import {
  LineDecoder, MAX_CONNECTIONS, MAX_REQUEST_BYTES, encode, parseRequest,
  type ControlMessage, type ControlRequest,
} from './control-protocol.js';

/** Pushed console lines are dropped for a client that has this much unsent output (it stalled). */
const MAX_PENDING_OUTPUT = 1024 * 1024;

export interface ControlServerOptions {
  path: string;
  registry: CommandRegistry;
  log: Logger;
  /** The session `-rx` commands run in (Asterisk: they act on the root console). */
  rootSession: CliSession;
  maxConnections?: number;
  maxRequestBytes?: number;
}

class Connection implements CliSession {
  /** -1: not a console (no pushed lines). */
  consoleVerbosity = -1;
  private readonly decoder: LineDecoder;

  constructor(
    readonly socket: Socket,
    private readonly opts: ControlServerOptions,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.decoder = new LineDecoder(opts.maxRequestBytes ?? MAX_REQUEST_BYTES);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => opts.log.debug({ err }, 'control connection error'));
    socket.on('close', () => this.onClose(this));
  }

  getVerbosity(): number {
    return Math.max(0, this.consoleVerbosity);
  }

  setVerbosity(level: number): number {
    const was = this.getVerbosity();
    this.consoleVerbosity = level;
    return was;
  }

  send(msg: ControlMessage): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(encode(msg));
  }

  push(level: number, text: string): void {
    if (this.consoleVerbosity < level) return;
    if (this.socket.writableLength > MAX_PENDING_OUTPUT) return;
    this.send({ verbose: { level, text } });
  }

  fail(reason: string): void {
    this.send({ error: reason });
    this.socket.end();
    // A client that keeps the connection half-open after an error is cut off.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onData(chunk: string): void {
    let lines: string[];
    try {
      lines = this.decoder.push(chunk);
    } catch {
      this.opts.log.warn('control socket: request too large, closing the connection');
      this.fail('request too large');
      return;
    }
    for (const line of lines) {
      const req = parseRequest(line);
      if (typeof req === 'string') {
        this.opts.log.warn({ problem: req }, 'control socket: bad request, closing the connection');
        this.fail(req);
        return;
      }
      void this.handle(req);
    }
  }

  private async handle(req: ControlRequest): Promise<void> {
    try {
      if ('command' in req) {
        const session = this.consoleVerbosity >= 0 ? this : this.opts.rootSession;
        const result = await this.opts.registry.execute(req.command, session);
        this.send({ id: req.id, output: result.output, ok: result.ok });
      } else if ('complete' in req) {
        this.send({ id: req.id, matches: this.opts.registry.complete(req.complete) });
      } else {
        this.consoleVerbosity = Math.max(0, req.console);
        this.send({ id: req.id, ok: true });
      }
    } catch (err) {
      this.opts.log.error({ err }, 'control socket: request failed');
      this.send({ id: req.id, output: 'internal error\n', ok: false });
    }
  }
}

/** Is a server answering on this socket path? (A refused connection means a stale socket file.) */
export function probeSocket(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    const timer = setTimeout(() => {
      s.destroy();
      resolve(true); // something holds the socket but does not answer: treat as running
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

export class ControlServer {
  private readonly connections = new Set<Connection>();
  private server: Server | undefined;

  constructor(private readonly opts: ControlServerOptions) {}

  get path(): string {
    return this.opts.path;
  }

  /**
   * Bind the socket. A socket file nobody answers on (left by a crashed run) is replaced;
   * a live one means another server uses this directory, and we refuse.
   */
  async listen(): Promise<void> {
    const { path } = this.opts;
    if (existsSync(path)) {
      if (await probeSocket(path)) {
        throw new HeraldError('HERALD_ERR_ALREADY_RUNNING', `herald already running on ${path}.  Use 'herald -r' to connect.`);
      }
      this.opts.log.warn({ path }, 'removing stale control socket');
      unlinkSync(path);
    }
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.opts.log.error({ err }, 'control socket error'));
    chmodSync(path, 0o600);
    this.server = server;
  }

  /** Send a console line to every remote console whose verbosity is at least `level`. */
  pushVerbose(level: number, text: string): void {
    for (const c of this.connections) c.push(level, text);
  }

  /** The highest verbosity of the remote consoles (-1 with none). */
  maxConsoleVerbosity(): number {
    let max = -1;
    for (const c of this.connections) max = Math.max(max, c.consoleVerbosity);
    return max;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.connections) c.socket.end();
    if (server) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const c of this.connections) c.socket.destroy();
        }, 500);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    try {
      unlinkSync(this.opts.path);
    } catch {
      // already gone
    }
  }

  private accept(socket: Socket): void {
    const limit = this.opts.maxConnections ?? MAX_CONNECTIONS;
    if (this.connections.size >= limit) {
      this.opts.log.warn({ limit }, 'control socket: too many connections');
      socket.on('error', () => {});
      socket.end(encode({ error: 'too many connections' }));
      return;
    }
    this.connections.add(new Connection(socket, this.opts, (c) => this.connections.delete(c)));
  }
}
