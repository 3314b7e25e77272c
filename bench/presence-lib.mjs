// Shared pieces of the presence benches: the server process (bench/presence-server.mjs over IPC),
// free ports, SIPp runs, and a raw UDP client that holds thousands of SUBSCRIBE dialogs on
// loopback and answers every NOTIFY with 200.
import { fork, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, root } from './lib/args.mjs';
import { udpReceiveBufferErrors } from './lib/udp-drops.mjs';

export { freePort, options, root } from './lib/args.mjs';
export { udpReceiveBufferErrors, udpSocketDrops } from './lib/udp-drops.mjs';

export const SIPP = process.env.SIPP ?? '/usr/bin/sipp';
export const epoch = () => performance.timeOrigin + performance.now();

/**
 * sip.conf: `watcher` (no secret) and `authw` (secret benchpass), both allowed to subscribe;
 * extensions.conf: hint `lamp` (Custom:lamp + CustomPresence:lamp) and hints sub1…subN.
 */
export function writeConfig(dir, port, hints = 1) {
  writeFileSync(join(dir, 'sip.conf'), [
    '[general]',
    `udpbindaddr = 127.0.0.1:${port}`,
    'realm = asterisk',
    'auth_algorithms = MD5',
    'minexpiry = 60',
    'maxexpiry = 3600',
    '',
    '[watcher]', 'type = friend', 'host = dynamic', 'context = default', '',
    '[authw]', 'type = friend', 'host = dynamic', 'secret = benchpass', 'context = default', '',
  ].join('\n'));
  const lines = ['[default]', 'exten => lamp,hint,Custom:lamp,CustomPresence:lamp'];
  for (let i = 1; i <= hints; i++) lines.push(`exten => sub${i},hint,Custom:sub${i},CustomPresence:sub${i}`);
  writeFileSync(join(dir, 'extensions.conf'), lines.join('\n') + '\n');
}

/** Start the bench server; resolves with {port, rx(line), mem(), stop()}. */
export async function startBenchServer({ build = 'dist', hints = 1, heapMb = 4096 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'herald-pbench-'));
  const etc = join(dir, 'etc');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(etc, { recursive: true });
  const port = await freePort();
  writeConfig(etc, port, hints);
  const child = fork(join(root, 'bench/presence-server.mjs'), [etc, '--build', build], {
    // HERALD_BENCH_NODE_ARGS: extra node flags for the server (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
    // --max-semi-space-size=32 as bin/herald.js runs herald.
    execArgv: ['--expose-gc', `--max-old-space-size=${heapMb}`, '--max-semi-space-size=32', ...(process.env.HERALD_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let seq = 0;
  const waiting = new Map();
  let readyResolve;
  const ready = new Promise((resolve, reject) => {
    readyResolve = resolve;
    child.once('exit', (code) => reject(new Error(`bench server exited (${code}) before it was ready`)));
  });
  child.on('message', (m) => {
    if (m.type === 'ready') readyResolve(m);
    else waiting.get(m.id)?.(m);
  });
  const call = (msg) => new Promise((resolve) => {
    const id = ++seq;
    waiting.set(id, (m) => { waiting.delete(id); resolve(m); });
    child.send({ ...msg, id });
  });
  const r = await ready;
  return {
    port: r.port,
    pid: child.pid,
    rx: (line) => call({ type: 'rx', line }),
    mem: (opts = {}) => call({ type: 'mem', ...opts }),
    heapSnapshot: (path) => call({ type: 'heapsnapshot', path }),
    stop: async () => {
      const killer = setTimeout(() => child.kill('SIGKILL'), 15000);
      await Promise.race([call({ type: 'stop' }), new Promise((res) => child.once('exit', res))]);
      clearTimeout(killer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Run SIPp bounded in calls and time; returns the final statistics columns. */
export async function runSipp({ scenario, target, rate, calls, csv, limit, timeoutSec = 120, extra = [] }) {
  // A real local port (not -p 0): SIPp writes [local_port] into Contact, where NOTIFYs go.
  const localPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'herald-psipp-'));
  const scen = join(dir, 'scenario.xml');
  copyFileSync(scenario, scen);
  const args = [target, '-sf', scen, '-i', '127.0.0.1', '-p', String(localPort), '-m', String(calls), '-r', String(rate), '-rp', '1000',
    '-timeout', `${timeoutSec}s`, '-timeout_error', '-nostdin', '-trace_stat', '-stf', join(dir, 'stats.csv'), '-fd', '1',
    '-trace_err', '-error_file', join(dir, 'err.log'), '-max_socket', '1',
    // SIPp's own socket buffers default to 64 KB: a burst of 200s and NOTIFYs overflowed them
    // (lost 200s showed up as "NOTIFY while expecting 200" and SUBSCRIBE retransmissions).
    '-buff_size', '4194304', ...extra];
  if (limit) args.push('-l', String(limit));
  if (csv) {
    const p = join(dir, 'users.csv');
    writeFileSync(p, csv);
    args.push('-inf', p);
  }
  const started = epoch();
  const drops0 = udpReceiveBufferErrors();
  return new Promise((resolve) => {
    const c = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    c.stderr.on('data', (d) => { if (stderr.length < 20000) stderr += d; });
    const hard = setTimeout(() => c.kill('SIGKILL'), (timeoutSec + 15) * 1000);
    c.on('exit', (code) => {
      clearTimeout(hard);
      const elapsedMs = epoch() - started;
      const file = join(dir, 'stats.csv');
      const stats = {};
      if (existsSync(file)) {
        const lines = readFileSync(file, 'utf8').trim().split('\n');
        const head = lines[0].split(';');
        const last = lines[lines.length - 1].split(';');
        head.forEach((h, i) => { if (h) stats[h] = last[i]; });
      }
      const errLog = existsSync(join(dir, 'err.log')) ? readFileSync(join(dir, 'err.log'), 'utf8') : '';
      const n = (k) => Number(stats[k] ?? 0) || 0;
      rmSync(dir, { recursive: true, force: true });
      resolve({
        code, elapsedMs, stderr,
        successful: n('SuccessfulCall(C)'), failed: n('FailedCall(C)'), retrans: n('Retransmissions(C)'),
        unexpected: (errLog.match(/unexpected/gi) ?? []).length, errors: errLog.slice(0, 2000), stats,
        udpDrops: udpReceiveBufferErrors() - drops0,
      });
    });
  });
}

const header = (text, name) => {
  const re = new RegExp(`^${name}:[ \\t]*(.*)$`, 'mi');
  const m = re.exec(text);
  return m ? m[1].trim() : '';
};

/**
 * Thousands of SUBSCRIBE dialogs from one process: `sockets` UDP sockets (each with a large
 * receive buffer) share the dialogs; every NOTIFY is answered 200 at once. Records the arrival
 * time of each NOTIFY (epoch ms) and when its 200 went out.
 */
export class RawWatchers {
  constructor(serverPort, sockets = 16) {
    this.serverPort = serverPort;
    this.socks = [];
    this.count = sockets;
    this.pendingSub = new Map();
    /** New NOTIFYs since reset() (a CSeq above the dialog's highest so far); repeats counted apart. */
    this.notifies = 0;
    this.retransmitted = 0;
    this.highestCseq = new Map();
    this.lastNotifyAt = 0;
    this.lastOkSentAt = 0;
    this.onNotify = null;
    this.branch = 0;
  }

  async open() {
    for (let i = 0; i < this.count; i++) {
      const s = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
      await new Promise((r) => s.bind(0, '127.0.0.1', r));
      s.on('message', (buf, rinfo) => this.onMessage(s, buf, rinfo));
      this.socks.push(s);
    }
  }

  onMessage(sock, buf, rinfo) {
    const text = buf.toString('latin1');
    if (text.startsWith('SIP/2.0 ')) {
      const status = Number(text.slice(8, 11));
      if (status < 200) return;
      const callId = header(text, 'Call-ID') || header(text, 'i');
      const done = this.pendingSub.get(callId);
      if (done) {
        this.pendingSub.delete(callId);
        done({ status, toTag: /;tag=([^;\s>]+)/.exec(header(text, 'To') || header(text, 't'))?.[1] ?? '' });
      }
      return;
    }
    if (!text.startsWith('NOTIFY ')) return;
    const now = epoch();
    const end = text.indexOf('\r\n\r\n');
    const head = text.slice(0, end < 0 ? text.length : end);
    const callId = header(head, 'Call-ID') || header(head, 'i');
    const cseq = parseInt(header(head, 'CSeq'), 10);
    if (cseq <= (this.highestCseq.get(callId) ?? -1)) this.retransmitted++;
    else {
      this.highestCseq.set(callId, cseq);
      this.notifies++;
      this.lastNotifyAt = now;
    }
    const keep = head.split('\r\n').filter((l) => /^(Via|v|From|f|To|t|Call-ID|i|CSeq):/i.test(l));
    const ok = `SIP/2.0 200 OK\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`;
    sock.send(ok, rinfo.port, rinfo.address);
    this.lastOkSentAt = epoch();
    this.onNotify?.(now);
  }

  /** Start counting afresh (between rounds). */
  reset() {
    this.notifies = 0;
    this.retransmitted = 0;
  }

  /** One SUBSCRIBE (dialog i) to `exten`; resolves with the final status. */
  subscribe(i, exten, expires = 3600, user = 'watcher') {
    const sock = this.socks[i % this.socks.length];
    const port = sock.address().port;
    const callId = `bench-${i}-${exten}-${process.pid}`;
    const msg =
      `SUBSCRIBE sip:${exten}@127.0.0.1:${this.serverPort} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK${process.pid}x${++this.branch};rport\r\n` +
      `From: <sip:${user}@127.0.0.1>;tag=w${i}\r\n` +
      `To: <sip:${exten}@127.0.0.1>\r\n` +
      `Call-ID: ${callId}\r\n` +
      'CSeq: 1 SUBSCRIBE\r\n' +
      `Contact: <sip:${user}@127.0.0.1:${port}>\r\n` +
      'Event: presence\r\nAccept: application/pidf+xml\r\n' +
      `Expires: ${expires}\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pendingSub.delete(callId);
        resolve({ status: 0 });
      }, 10000);
      this.pendingSub.set(callId, (r) => { clearTimeout(timer); resolve(r); });
      sock.send(msg, this.serverPort, '127.0.0.1');
    });
  }

  /** Subscribe `count` dialogs (i = from…from+count-1) to `extenOf(i)`, at most `window` outstanding at a time. */
  async subscribeMany(count, extenOf, window = 200, from = 0) {
    let next = from;
    let failed = 0;
    const worker = async () => {
      while (next < from + count) {
        const i = next++;
        const r = await this.subscribe(i, extenOf(i));
        if (r.status !== 200 && r.status !== 202) failed++;
      }
    };
    await Promise.all(Array.from({ length: window }, worker));
    return failed;
  }

  close() {
    for (const s of this.socks) s.close();
  }
}

/** Wait until `cond()` holds, polling every `stepMs`, for at most `timeoutMs`. */
export async function waitUntil(cond, timeoutMs, stepMs = 5) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}
