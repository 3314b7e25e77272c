/**
 * A real softphone for presence tests: baresip 1.0 (Debian's baresip-core), headless, on
 * loopback, one config directory per user, driven over its ctrl_tcp socket (netstring-framed
 * JSON). Its life is bounded by `-t` and a hard kill.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BARESIP_BIN = process.env.BARESIP ?? '/usr/bin/baresip';
export const BARESIP_MODULES = '/usr/lib/baresip/modules';

export function haveBaresip(): boolean {
  return existsSync(BARESIP_BIN) && existsSync(join(BARESIP_MODULES, 'presence.so')) && existsSync(join(BARESIP_MODULES, 'ctrl_tcp.so'));
}

export interface BaresipOptions {
  user: string;
  password?: string;
  /** herald's SIP port on 127.0.0.1. */
  serverPort: number;
  /** baresip's SIP port (it also binds port+1 for TCP: keep instances 2 apart). */
  sipPort: number;
  ctrlPort: number;
  /** Contacts whose presence it subscribes to (presence=p2p). */
  watch?: string[];
  /** PUBLISH interval in seconds (0: never publishes). */
  pubint?: number;
  /** Upper bound of its life, seconds. */
  lifeSec?: number;
}

interface CtrlReply {
  response?: boolean;
  ok?: boolean;
  data?: string;
  token?: string;
  event?: boolean;
}

/** Strip ANSI colour codes from baresip's text. */
export function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

export class Baresip {
  private sock: Socket | null = null;
  private buf = Buffer.alloc(0);
  private readonly pending = new Map<string, (r: CtrlReply) => void>();
  private tokens = 0;
  private out = '';
  private exitedFlag = false;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly proc: ChildProcess,
    readonly dir: string,
    private readonly opts: BaresipOptions,
  ) {
    proc.stdout?.on('data', (c: Buffer) => {
      if (this.out.length < 1_000_000) this.out += c.toString();
    });
    proc.stderr?.on('data', (c: Buffer) => {
      if (this.out.length < 1_000_000) this.out += c.toString();
    });
    this.exited = new Promise((resolve) =>
      proc.on('exit', (code) => {
        this.exitedFlag = true;
        resolve(code);
      }),
    );
  }

  static async start(opts: BaresipOptions): Promise<Baresip> {
    const dir = mkdtempSync(join(tmpdir(), `herald-baresip-${opts.user}-`));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'config'),
      [
        `sip_listen\t\t127.0.0.1:${opts.sipPort}`,
        'net_interface\t\t127.0.0.1',
        'dns_server\t\t127.0.0.1:53',
        'audio_player\t\taufile,/dev/null',
        'audio_source\t\tausine,440',
        'audio_alert\t\taufile,/dev/null',
        `module_path\t\t${BARESIP_MODULES}`,
        'module\t\t\tg711.so',
        'module\t\t\tausine.so',
        'module\t\t\taufile.so',
        'module_app\t\taccount.so',
        'module_app\t\tcontact.so',
        'module_app\t\tmenu.so',
        'module_app\t\tpresence.so',
        'module_app\t\tctrl_tcp.so',
        `ctrl_tcp_listen\t\t127.0.0.1:${opts.ctrlPort}`,
        '',
      ].join('\n'),
    );
    const auth = opts.password !== undefined ? `;auth_pass=${opts.password}` : '';
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:${opts.user}@127.0.0.1>;outbound="sip:127.0.0.1:${opts.serverPort}";regint=3600;pubint=${opts.pubint ?? 0};` +
        `answermode=manual;audio_codecs=pcmu;mwi=no${auth}\n`,
    );
    writeFileSync(join(dir, 'contacts'), (opts.watch ?? []).map((u) => `"${u}" <sip:${u}@127.0.0.1>;presence=p2p\n`).join(''));
    const proc = spawn(BARESIP_BIN, ['-f', dir, '-t', String(opts.lifeSec ?? 60)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const b = new Baresip(proc, dir, opts);
    const hardKill = setTimeout(() => proc.kill('SIGKILL'), ((opts.lifeSec ?? 60) + 10) * 1000);
    hardKill.unref();
    void b.exited.then(() => clearTimeout(hardKill));
    await b.connectCtrl(15_000);
    return b;
  }

  /** Everything baresip printed. */
  output(): string {
    return plain(this.out);
  }

  private async connectCtrl(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; attempt < 200; attempt++) {
      if (this.exitedFlag) throw new Error(`baresip exited:\n${this.output()}`);
      try {
        this.sock = await new Promise<Socket>((resolve, reject) => {
          const s = connect(this.opts.ctrlPort, '127.0.0.1');
          s.once('connect', () => resolve(s));
          s.once('error', reject);
        });
        this.sock.on('data', (c: Buffer) => this.onData(c));
        this.sock.on('error', () => {});
        return;
      } catch {
        if (Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`baresip ctrl_tcp did not open on ${this.opts.ctrlPort}:\n${this.output()}`);
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const colon = this.buf.indexOf(0x3a);
      if (colon < 0) return;
      const len = Number(this.buf.subarray(0, colon).toString());
      if (!Number.isInteger(len) || len < 0) {
        this.buf = Buffer.alloc(0);
        return;
      }
      if (this.buf.length < colon + 1 + len + 1) return;
      const text = this.buf.subarray(colon + 1, colon + 1 + len).toString();
      this.buf = this.buf.subarray(colon + 1 + len + 1);
      let msg: CtrlReply;
      try {
        msg = JSON.parse(text) as CtrlReply;
      } catch {
        continue;
      }
      if (msg.response && msg.token !== undefined) {
        const done = this.pending.get(msg.token);
        this.pending.delete(msg.token);
        done?.(msg);
      }
    }
  }

  /** Run a command (`contacts`, `presence_offline`, …) and return its text, colours removed. */
  command(command: string, params = '', timeoutMs = 5000): Promise<string> {
    const sock = this.sock;
    if (!sock) return Promise.reject(new Error('ctrl_tcp not connected'));
    const token = `t${++this.tokens}`;
    const json = JSON.stringify({ command, params, token });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(new Error(`baresip did not answer '${command}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, (r) => {
        clearTimeout(timer);
        // baresip 1.0 sends the text's line breaks as a literal backslash-n.
        resolve(plain(r.data ?? '').replace(/\\n/g, '\n'));
      });
      sock.write(`${Buffer.byteLength(json)}:${json},`);
    });
  }

  /** Poll `command` until `pick` accepts its text (bounded in time and count). */
  async pollUntil(command: string, pick: (text: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (let i = 0; i < 500 && Date.now() < deadline; i++) {
      last = await this.command(command);
      if (pick(last)) return last;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`'${command}' never matched within ${timeoutMs} ms; last:\n${last}\n--- baresip output:\n${this.output().slice(-4000)}`);
  }

  async stop(): Promise<void> {
    this.sock?.destroy();
    if (!this.exitedFlag) {
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
