/** A ServerContext for driving the SIP module directly in tests, and a raw UDP SIP client. */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../src/core/bus.js';
import { RealClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { HeraldModule, ServerContext } from '../../src/core/module.js';
import type { CliCommand, CliRegistry } from '../../src/cli/types.js';
import type { KvStore } from '../../src/store/types.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { createResponse, parseMessage, serializeMessage, type SipResponse } from '../../src/sip/message/index.js';
import { computeDigestResponse, type DigestAlgorithm } from '../../src/sip/auth/digest.js';

export class TestCli implements CliRegistry {
  readonly commands = new Map<string, CliCommand>();
  register(cmd: CliCommand): void {
    this.commands.set(cmd.words.join(' '), cmd);
  }
  unregister(words: string[]): void {
    this.commands.delete(words.join(' '));
  }
  /** Run "sip show peer 6002": the longest registered prefix wins. */
  async run(line: string): Promise<string> {
    const words = line.trim().split(/\s+/);
    for (let n = words.length; n > 0; n--) {
      const cmd = this.commands.get(words.slice(0, n).join(' '));
      if (cmd) return cmd.handler({ args: words.slice(n), line });
    }
    throw new Error(`no command: ${line}`);
  }
}

export interface TestServer {
  ctx: ServerContext;
  cli: TestCli;
  dir: string;
  cleanup(): void;
}

/** A temp config dir with the given sip.conf and a context around it. */
export function makeContext(sipConf: string, store: KvStore = new MemoryStore(), dir?: string): TestServer {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'herald-reg-'));
  writeFileSync(join(d, 'sip.conf'), sipConf);
  const cli = new TestCli();
  const modules = new Map<string, HeraldModule>();
  const ctx: ServerContext = {
    dirs: { config: d, varlib: d, run: d, log: d, spool: d },
    store,
    bus: new EventBus(),
    log: silentLogger(),
    cli,
    clock: new RealClock(),
    getModule: <T extends HeraldModule>(name: string) => modules.get(name) as T | undefined,
  };
  return { ctx, cli, dir: d, cleanup: () => rmSync(d, { recursive: true, force: true }) };
}

/** A UDP SIP user agent that sends requests and waits for responses by CSeq. */
export class UdpClient {
  private readonly sock: Socket;
  private readonly waiting: Array<{ match: (r: SipResponse) => boolean; resolve: (r: SipResponse) => void }> = [];
  readonly received: SipResponse[] = [];
  /** Methods of requests received (qualify OPTIONS). */
  readonly requests: string[] = [];
  /** Answer requests (OPTIONS) with 200. */
  answerRequests = true;
  port = 0;

  private constructor() {
    this.sock = createSocket('udp4');
    this.sock.on('message', (buf, rinfo) => {
      let msg;
      try {
        msg = parseMessage(buf);
      } catch {
        return;
      }
      if (msg.kind !== 'response') {
        this.requests.push(msg.method);
        if (this.answerRequests) {
          const res = createResponse(msg, 200, 'OK', { toTag: 'uatag' });
          res.headers.set('Content-Length', '0');
          this.sock.send(serializeMessage(res), rinfo.port, rinfo.address);
        }
        return;
      }
      this.received.push(msg);
      const i = this.waiting.findIndex((w) => w.match(msg));
      if (i >= 0) this.waiting.splice(i, 1)[0].resolve(msg);
    });
  }

  static async open(): Promise<UdpClient> {
    const c = new UdpClient();
    await new Promise<void>((resolve) => c.sock.bind(0, '127.0.0.1', () => resolve()));
    c.port = c.sock.address().port;
    return c;
  }

  /** Send raw text (lines joined with CRLF) and wait for the final response to `cseq`. */
  request(text: string, serverPort: number, cseq: number, timeoutMs = 3000): Promise<SipResponse> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response to CSeq ${cseq}`)), timeoutMs);
      this.waiting.push({
        match: (r) => r.cseq.seq === cseq && r.status >= 200,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
      });
      this.sock.send(Buffer.from(text.replace(/\n/g, '\r\n')), serverPort, '127.0.0.1');
    });
  }

  close(): void {
    this.sock.close();
  }
}

let branchSeq = 0;

export interface RegisterOpts {
  user: string;
  serverPort: number;
  clientPort: number;
  callId: string;
  cseq: number;
  expires?: number | null;
  contact?: string;
  authorization?: string;
  extra?: string[];
}

export function registerText(o: RegisterOpts): string {
  const lines = [
    `REGISTER sip:127.0.0.1:${o.serverPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${o.clientPort};branch=z9hG4bKtest${++branchSeq};rport`,
    `From: <sip:${o.user}@127.0.0.1>;tag=t${o.callId}`,
    `To: <sip:${o.user}@127.0.0.1>`,
    `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} REGISTER`,
    `Contact: ${o.contact ?? `<sip:${o.user}@127.0.0.1:${o.clientPort}>`}`,
    'Max-Forwards: 70',
    'User-Agent: herald-test',
  ];
  if (o.expires !== null) lines.push(`Expires: ${o.expires ?? 3600}`);
  if (o.authorization) lines.push(`Authorization: ${o.authorization}`);
  lines.push(...(o.extra ?? []), 'Content-Length: 0', '', '');
  return lines.join('\n');
}

/** Parse `Digest a="b", c=d` loosely (test side). */
export function challengeParams(h: string): Map<string, string> {
  const m = new Map<string, string>();
  const re = /([a-zA-Z-]+)=("([^"]*)"|[^,\s]+)/g;
  for (let x = re.exec(h); x; x = re.exec(h)) m.set(x[1].toLowerCase(), x[3] ?? x[2]);
  return m;
}

export function authorization(challenge: string, user: string, password: string, uri: string, nc = '00000001'): string {
  const ch = challengeParams(challenge);
  const algorithm = (ch.get('algorithm') ?? 'MD5') as DigestAlgorithm;
  const realm = ch.get('realm') ?? '';
  const nonce = ch.get('nonce') ?? '';
  const cnonce = 'c0ffee';
  const response = computeDigestResponse({ algorithm, username: user, realm, password, method: 'REGISTER', uri, nonce, qop: 'auth', nc, cnonce });
  return `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${uri}", response="${response}", algorithm=${algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}", opaque="${ch.get('opaque') ?? ''}"`;
}

/** Resolve with the first event `pick` accepts, or reject after timeoutMs. */
export function waitFor<T>(subscribe: (fn: (e: T) => void) => () => void, pick: (e: T) => boolean, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    let off: () => void = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for event'));
    }, timeoutMs);
    off = subscribe((e) => {
      if (pick(e)) {
        clearTimeout(timer);
        off();
        resolve(e);
      }
    });
  });
}
