#!/usr/bin/env node
// Seed 000's missed-call notification, end to end: latency from the caller's CANCEL leaving
// the caller to the "… just tried to call 555" chat message arriving at bob's own XMPP client.
//
// The real `herald` process runs seed 000 (jabber.conf with local host/port/JIDs, the restored
// extensions.conf: [Local] 555 → Macro(DialVM) → Dial(SIP/555,30,wg) → h → Macro(XMPPSend) →
// Jabberstatus + GotoIf + Jabbersend) against a real Prosody on 127.0.0.1 (STARTTLS). 555 is a
// SIPp UAS that rings until CANCELed. The caller is a small UDP client in this process, so the
// CANCEL's send time and the message's arrival are read from the same clock (performance.now()).
// Calls run one after the other: WARMUP, then COUNT measured. Prints p50/p99/max, the load
// average and the date. Target: p50 <= 20 ms, p99 <= 50 ms.
//
// Usage: node bench/missed-call-xmpp.mjs [--calls 200] [--warmup 20] [--verbose]
// Uses the compiled tree: dist/ by default, or HERALD_BUILD_DIR (e.g. /tmp/hb-h16).
// --verbose runs herald with -vvv (every dialplan step printed to its console) instead of quiet.
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { argv, loaderFor, opt, root } from './lib/args.mjs';

const COUNT = Number(opt('--calls', '200'));
const WARMUP = Number(opt('--warmup', '20'));
const VERBOSE = argv.includes('--verbose');

const build = process.env.HERALD_BUILD_DIR ?? join(root, 'dist');
const load = loaderFor(build);
const { startProsody } = await load('test/helpers/prosody.js');
const { freePort, startHerald } = await load('test/helpers/server.js');
const { killAllSipp } = await load('test/helpers/sipp.js');
const { startPerson } = await load('test/xmpp/harness.js');
const e2e = await load('test/e2e/harness.js');

const MISSED_TEXT = '"Alice" <1000> just tried to call 555';

/** A minimal RFC 3261 UAC over UDP: INVITE, wait for 180, CANCEL, ACK the 487. */
class Caller {
  constructor(sock, target) {
    this.sock = sock;
    this.host = '127.0.0.1';
    this.target = target;
    this.waiters = new Set();
    sock.on('message', (buf) => {
      const text = buf.toString('latin1');
      for (const w of [...this.waiters]) w(text);
    });
  }

  static async open(targetPort) {
    const sock = createSocket('udp4');
    await new Promise((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', resolve);
    });
    return new Caller(sock, targetPort);
  }

  get port() {
    return this.sock.address().port;
  }

  send(text) {
    return new Promise((resolve, reject) => this.sock.send(Buffer.from(text, 'latin1'), this.target, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
  }

  /** Resolve with the first response of this call whose status and CSeq method match. */
  response(callId, method, statusPred, timeoutMs = 5000) {
    return new Promise((resolve, reject) => {
      const check = (text) => {
        const status = /^SIP\/2\.0 (\d{3})/.exec(text);
        if (!status || !statusPred(Number(status[1]))) return;
        if (header(text, 'Call-ID') !== callId) return;
        if (!new RegExp(`^\\d+ ${method}$`).test(header(text, 'CSeq') ?? '')) return;
        done();
        resolve(text);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${method} response for ${callId} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
    });
  }

  /** One missed call; resolves { cancelSentAt } (performance.now() as the CANCEL is handed to the socket) and the final status. */
  async missedCall() {
    const callId = `${randomBytes(8).toString('hex')}@127.0.0.1`;
    const branch = `z9hG4bK${randomBytes(8).toString('hex')}`;
    const tag = randomBytes(4).toString('hex');
    const via = `Via: SIP/2.0/UDP ${this.host}:${this.port};branch=${branch};rport`;
    const from = `From: <sip:1000@${this.host}>;tag=${tag}`;
    const to = `To: <sip:555@${this.host}>`;
    const ruri = `sip:555@${this.host}:${this.target}`;
    const sdp = [
      'v=0',
      `o=caller 1 1 IN IP4 ${this.host}`,
      's=-',
      `c=IN IP4 ${this.host}`,
      't=0 0',
      'm=audio 40000 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      '',
    ].join('\r\n');
    const ringing = this.response(callId, 'INVITE', (s) => s === 180);
    const final = this.response(callId, 'INVITE', (s) => s >= 300);
    await this.send(
      [
        `INVITE ${ruri} SIP/2.0`, via, 'Max-Forwards: 70', from, to, `Call-ID: ${callId}`, 'CSeq: 1 INVITE',
        `Contact: <sip:1000@${this.host}:${this.port}>`, 'Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(sdp)}`, '', sdp,
      ].join('\r\n'),
    );
    await ringing;
    const cancelOk = this.response(callId, 'CANCEL', (s) => s === 200);
    // RFC 3261 §9.1: the CANCEL copies the INVITE's Request-URI, Call-ID, To, From, CSeq number and top Via.
    // Timed just before the send: the CANCEL cannot reach herald earlier, while the send
    // callback can run after herald has already acted on it.
    const cancelSentAt = performance.now();
    await this.send([`CANCEL ${ruri} SIP/2.0`, via, 'Max-Forwards: 70', from, to, `Call-ID: ${callId}`, 'CSeq: 1 CANCEL', 'Content-Length: 0', '', ''].join('\r\n'));
    const resp = await final;
    await cancelOk;
    // §17.1.1.3: the ACK for a non-2xx final response has the INVITE's branch and the response's To.
    await this.send([`ACK ${ruri} SIP/2.0`, via, 'Max-Forwards: 70', from, `To: ${header(resp, 'To')}`, `Call-ID: ${callId}`, 'CSeq: 1 ACK', 'Content-Length: 0', '', ''].join('\r\n'));
    return { cancelSentAt, status: Number(/^SIP\/2\.0 (\d{3})/.exec(resp)[1]) };
  }

  close() {
    this.sock.close();
  }
}

function header(text, name) {
  const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(text);
  return m ? m[1].trim() : undefined;
}

const pct = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

const prosody = await startProsody({ users: e2e.XMPP_USERS });
let rig;
let bob;
let caller;
let uas;
try {
  const sipPort = await freePort();
  const herald = await startHerald({
    files: {
      'sip.conf': e2e.sipConf(sipPort),
      'jabber.conf': e2e.seedJabberConf(prosody),
      'extensions.conf': e2e.seedExtensions('restored'),
    },
    args: VERBOSE ? ['-vvv'] : [],
  });
  rig = { herald, target: `127.0.0.1:${sipPort}`, sipPort, stop: () => herald.stop() };
  bob = await startPerson(prosody, 'bob', 'bobpass');
  await e2e.waitConnected(herald, 2);
  await e2e.waitStatus(herald, 'bob@localhost', 1);
  // One SIPp phone as 555 for every call (each rings until CANCELed).
  uas = await e2e.startCallee(rig, 'uas_ring.xml', WARMUP + COUNT, 120);
  caller = await Caller.open(sipPort);

  const samples = [];
  for (let i = 0; i < WARMUP + COUNT; i++) {
    const seen = bob.messages.length;
    const arrived = bob.waitMessage((b, el) => bob.messages.indexOf(el) >= seen && b === MISSED_TEXT, 5000).then(() => performance.now());
    const { cancelSentAt, status } = await caller.missedCall();
    if (status !== 487) throw new Error(`call ${i}: final response ${status}, expected 487`);
    const at = await arrived;
    if (i >= WARMUP) samples.push(at - cancelSentAt);
  }
  samples.sort((a, b) => a - b);
  const [l1, l5, l15] = loadavg();
  console.log(`Seed 000 missed call → XMPP, ${COUNT} calls (after ${WARMUP} warm-up), herald ${VERBOSE ? '-vvv' : 'quiet'}, Prosody STARTTLS on 127.0.0.1`);
  console.log(`  CANCEL sent → message at bob's client: p50 ${pct(samples, 0.5).toFixed(2)} ms   p99 ${pct(samples, 0.99).toFixed(2)} ms   max ${samples.at(-1).toFixed(2)} ms   min ${samples[0].toFixed(2)} ms   (target p50 <= 20, p99 <= 50)`);
  console.log(`  load average ${l1.toFixed(2)} ${l5.toFixed(2)} ${l15.toFixed(2)} on ${cpus().length} CPUs; ${new Date().toISOString()}; node ${process.version}`);
} finally {
  caller?.close();
  uas?.kill();
  killAllSipp();
  await bob?.stop();
  await rig?.stop();
  await prosody.stop();
}

