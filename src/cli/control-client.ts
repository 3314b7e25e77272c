/** The client side of the control socket, used by `herald -rx`, `herald -r` and the tests. */
import { createConnection, type Socket } from 'node:net';
import { HeraldError } from '../core/errors.js';
import { LineDecoder, encode, type CommandResponse, type ControlRequest } from './control-protocol.js';

/** Responses can be large (`database show` of a big store); pushed lines are small. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(err: Error): void;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Asterisk's wording when the server is not there, with herald's socket path. */
export function notRunningMessage(path: string): string {
  return `Unable to connect to remote herald (does ${path} exist?)`;
}

export class ControlClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new LineDecoder(MAX_RESPONSE_BYTES);
  private closed = false;
  /** Called for each pushed console line. */
  onVerbose: (level: number, text: string) => void = () => {};
  /** Called once when the server closes the connection (e.g. it stopped). */
  onClose: () => void = () => {};

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.finish(new HeraldError('HERALD_ERR_CONTROL_CLOSED', 'connection to herald closed')));
  }

  /** Connect; rejects with HERALD_ERR_NOT_RUNNING when no server answers on `path`. */
  static connect(path: string, timeoutMs = 3000): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new HeraldError('HERALD_ERR_NOT_RUNNING', notRunningMessage(path)));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new ControlClient(socket));
      });
      socket.once('error', () => {
        clearTimeout(timer);
        reject(new HeraldError('HERALD_ERR_NOT_RUNNING', notRunningMessage(path)));
      });
    });
  }

  async command(line: string): Promise<Omit<CommandResponse, 'id'>> {
    const r = await this.request({ id: this.nextId++, command: line });
    return { output: typeof r.output === 'string' ? r.output : '', ok: r.ok === true };
  }

  async complete(line: string): Promise<string[]> {
    const r = await this.request({ id: this.nextId++, complete: line });
    return Array.isArray(r.matches) ? r.matches.filter((m): m is string => typeof m === 'string') : [];
  }

  /** Become a console: the server pushes console lines up to this verbosity. */
  async console(verbosity: number): Promise<void> {
    await this.request({ id: this.nextId++, console: verbosity });
  }

  close(): void {
    this.socket.end();
    this.finish(new HeraldError('HERALD_ERR_CONTROL_CLOSED', 'connection to herald closed'));
  }

  private request(req: ControlRequest): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new HeraldError('HERALD_ERR_CONTROL_CLOSED', 'connection to herald closed'));
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.socket.write(encode(req));
    });
  }

  private onData(chunk: string): void {
    let lines: string[];
    try {
      lines = this.decoder.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const line of lines) {
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (!isRecord(msg)) continue;
      if (isRecord(msg.verbose)) {
        const { level, text } = msg.verbose;
        if (typeof level === 'number' && typeof text === 'string') this.onVerbose(level, text);
      } else if (typeof msg.error === 'string') {
        this.finish(new HeraldError('HERALD_ERR_CONTROL_REFUSED', msg.error));
      } else if (typeof msg.id === 'number') {
        const p = this.pending.get(msg.id);
        this.pending.delete(msg.id);
        p?.resolve(msg);
      }
    }
  }

  private finish(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (!this.closed) {
      this.closed = true;
      this.onClose();
    }
  }
}
