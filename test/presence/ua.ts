/**
 * A small SIP user agent over UDP or TCP on 127.0.0.1 for presence tests: SUBSCRIBE (answering
 * digest challenges), REGISTER, and a NOTIFY inbox (each NOTIFY is answered, 200 by default).
 * Every wait is bounded by a timeout.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { computeDigestResponse } from '../../src/sip/auth/digest.js';
import { createResponse, parseAuthHeader, parseMessage, serializeMessage, SipHeaders, SipRequest, StreamFramer, type SipResponse } from '../../src/sip/message/index.js';

const rand = (): string => randomBytes(6).toString('hex');

export interface SubscribeOptions {
  /** The extension (Request-URI and To user). */
  to: string;
  event?: string;
  /** Accept header values; [] sends none. */
  accept?: string[];
  expires?: number | null;
  userAgent?: string;
  /** In-dialog: use this dialog. */
  dialog?: UaDialog;
  /** Send credentials for this password instead of the UA's (wrong-password tests). */
  password?: string;
}

export interface UaDialog {
  callId: string;
  fromTag: string;
  toTag: string | null;
  cseq: number;
  to: string;
}

export class TestUa {
  readonly notifies: SipRequest[] = [];
  /** Call-ID + CSeq of every NOTIFY seen (retransmissions are answered but not stored twice). */
  private readonly seen = new Set<string>();
  /** Status to answer the next NOTIFYs with (200 by default); null = do not answer. */
  notifyStatus: (req: SipRequest) => number | null = () => 200;
  private readonly waiters: Array<() => void> = [];
  private readonly pending = new Map<string, (res: SipResponse) => void>();

  private constructor(
    private readonly sendRaw: (buf: Buffer) => void,
    private readonly closeTransport: () => void,
    readonly port: number,
    readonly user: string,
    private readonly password: string,
    private readonly serverPort: number,
    readonly proto: 'UDP' | 'TCP',
  ) {}

  static async open(user: string, password: string, serverPort: number, proto: 'UDP' | 'TCP' = 'UDP'): Promise<TestUa> {
    if (proto === 'TCP') {
      const conn = connect({ host: '127.0.0.1', port: serverPort });
      await new Promise<void>((resolve, reject) => {
        conn.once('error', reject);
        conn.once('connect', () => resolve());
      });
      const framer = new StreamFramer(65535);
      const ua = new TestUa((b) => conn.write(b), () => conn.destroy(), conn.localPort ?? 0, user, password, serverPort, 'TCP');
      conn.on('data', (chunk: Buffer) => {
        for (const m of framer.push(chunk)) ua.onMessage(m);
      });
      conn.on('error', () => undefined);
      return ua;
    }
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve());
    });
    try {
      // Bursts of NOTIFYs (fan-out measurements) must not overflow the default buffer.
      sock.setRecvBufferSize(8 * 1024 * 1024);
    } catch {
      // the system limit applies
    }
    const close = (): void => {
      try {
        sock.close();
      } catch {
        // already closed
      }
    };
    const ua = new TestUa((b) => sock.send(b, serverPort, '127.0.0.1'), close, sock.address().port, user, password, serverPort, 'UDP');
    sock.on('message', (buf) => ua.onMessage(buf));
    return ua;
  }

  close(): void {
    this.closeTransport();
  }

  private onMessage(buf: Buffer): void {
    let msg;
    try {
      msg = parseMessage(buf);
    } catch {
      return;
    }
    if (msg.kind === 'response') {
      if (msg.status < 200) return;
      const key = `${msg.callId} ${msg.cseq.seq} ${msg.cseq.method}`;
      const cb = this.pending.get(key);
      if (cb) {
        this.pending.delete(key);
        cb(msg);
      }
      return;
    }
    if (msg.method === 'NOTIFY') {
      const id = `${msg.callId} ${msg.cseq.seq}`;
      const status = this.notifyStatus(msg);
      if (status !== null) this.send(createResponse(msg, status));
      if (!this.seen.has(id) && status !== null) {
        this.seen.add(id);
        this.notifies.push(msg);
        for (const w of this.waiters.splice(0)) w();
      }
    }
  }

  private send(msg: SipRequest | SipResponse): void {
    this.sendRaw(serializeMessage(msg));
  }

  /** Send a request and wait for its final response (retransmitting every 500 ms, 8 tries). */
  private transact(req: SipRequest): Promise<SipResponse> {
    const key = `${req.callId} ${req.cseq.seq} ${req.cseq.method}`;
    return new Promise((resolve, reject) => {
      let tries = 0;
      const timer = setInterval(() => {
        // TCP is reliable: no retransmissions, just the overall limit.
        if (++tries >= 8) {
          clearInterval(timer);
          this.pending.delete(key);
          reject(new Error(`no final response to ${req.method} ${req.cseq.seq}`));
          return;
        }
        if (this.proto === 'UDP') this.send(req);
      }, 500);
      this.pending.set(key, (res) => {
        clearInterval(timer);
        resolve(res);
      });
      this.send(req);
    });
  }

  private build(method: string, ruri: string, d: UaDialog, extra: Array<[string, string]>): SipRequest {
    const h = new SipHeaders();
    h.add('Via', `SIP/2.0/${this.proto} 127.0.0.1:${this.port};branch=z9hG4bK${rand()};rport`);
    h.add('Max-Forwards', '70');
    h.add('From', `<sip:${this.user}@127.0.0.1>;tag=${d.fromTag}`);
    h.add('To', `<sip:${d.to}@127.0.0.1>${d.toTag ? `;tag=${d.toTag}` : ''}`);
    h.add('Call-ID', d.callId);
    h.add('CSeq', `${d.cseq} ${method}`);
    h.add('Contact', `<sip:${this.user}@127.0.0.1:${this.port}${this.proto === 'TCP' ? ';transport=tcp' : ''}>`);
    for (const [n, v] of extra) h.add(n, v);
    return new SipRequest(method, ruri, h);
  }

  /** Send, answer one 401 with MD5 digest, return the final response. */
  private async withAuth(method: string, ruri: string, d: UaDialog, extra: Array<[string, string]>, password: string): Promise<SipResponse> {
    const first = await this.transact(this.build(method, ruri, d, extra));
    if (first.status !== 401) return first;
    const challenge = first.headers
      .getAll('WWW-Authenticate')
      .map(parseAuthHeader)
      .find((c) => (c.params.get('algorithm') ?? 'MD5').toUpperCase() === 'MD5');
    if (!challenge) return first;
    const realm = challenge.params.get('realm') ?? '';
    const nonce = challenge.params.get('nonce') ?? '';
    const qop = challenge.params.has('qop') ? 'auth' : undefined;
    const cnonce = rand();
    const response = computeDigestResponse({ algorithm: 'MD5', username: this.user, realm, password, method, uri: ruri, nonce, qop, nc: '00000001', cnonce });
    let auth = `Digest username="${this.user}", realm="${realm}", nonce="${nonce}", uri="${ruri}", response="${response}", algorithm=MD5`;
    if (qop) auth += `, qop=auth, nc=00000001, cnonce="${cnonce}"`;
    const opaque = challenge.params.get('opaque');
    if (opaque !== undefined) auth += `, opaque="${opaque}"`;
    d.cseq += 1;
    return this.transact(this.build(method, ruri, d, [...extra, ['Authorization', auth]]));
  }

  newDialog(to: string): UaDialog {
    return { callId: `${rand()}@127.0.0.1`, fromTag: rand(), toTag: null, cseq: 1, to };
  }

  /** SUBSCRIBE (initial unless opts.dialog has a To tag); the dialog learns the To tag from a 2xx. */
  async subscribe(opts: SubscribeOptions): Promise<{ res: SipResponse; dialog: UaDialog }> {
    const d = opts.dialog ?? this.newDialog(opts.to);
    if (opts.dialog) d.cseq += 1;
    const extra: Array<[string, string]> = [];
    if (opts.event !== undefined) extra.push(['Event', opts.event]);
    for (const a of opts.accept ?? []) extra.push(['Accept', a]);
    if (opts.expires !== null && opts.expires !== undefined) extra.push(['Expires', String(opts.expires)]);
    extra.push(['User-Agent', opts.userAgent ?? 'herald-test-ua']);
    const res = await this.withAuth('SUBSCRIBE', `sip:${opts.to}@127.0.0.1:${this.serverPort}`, d, extra, opts.password ?? this.password);
    if (res.status < 300 && d.toTag === null) d.toTag = res.toTag;
    return { res, dialog: d };
  }

  async register(expires: number): Promise<SipResponse> {
    const d = this.newDialog(this.user);
    return this.withAuth('REGISTER', `sip:127.0.0.1:${this.serverPort}`, d, [['Expires', String(expires)]], this.password);
  }

  /** The first NOTIFY (received from index `from` on) that matches, within timeoutMs. */
  async waitNotify(match: (n: SipRequest) => boolean, timeoutMs = 5000, from = 0): Promise<SipRequest> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.notifies.slice(from).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.notifies.map((n) => `${n.cseq.seq} ${n.headers.get('Subscription-State')}\n${n.body.toString()}`).join('\n---\n');
        throw new Error(`no matching NOTIFY within ${timeoutMs} ms; received:\n${seen}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** The NOTIFYs of one dialog. */
export function inDialog(d: UaDialog): (n: SipRequest) => boolean {
  return (n) => n.callId === d.callId && n.toTag === d.fromTag;
}
