/**
 * SIP parser throughput: parse, parse + the accessors a transaction layer reads, and serialize,
 * on a real softphone INVITE with SDP (Zoiper, test/fixtures/sip/real/061_zoiper-v2.10.19.5_INVITE.sip).
 *
 *   node dist/bench/parser-bench.js [--n 300000] [--rounds 5]
 */
import { parseMessage, serializeMessage, type SipMessage } from '../src/sip/message/index.js';

const INVITE = Buffer.from(
  [
  'INVITE sip:1003@192.168.66.113;transport=UDP SIP/2.0',
  'Via: SIP/2.0/UDP 192.168.66.155:59530;branch=z9hG4bK-524287-1---4900d58f2225595c;rport',
  'Max-Forwards: 70',
  'Contact: <sip:1002@192.168.66.155:59530;transport=UDP>',
  'To: <sip:1003@192.168.66.113>',
  'From: <sip:1002@192.168.66.113;transport=UDP>;tag=b3b27614',
  'Call-ID: bDioe0g_lGydVf71NpTBnA..',
  'CSeq: 1 INVITE',
  'Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE',
  'Content-Type: application/sdp',
  'Supported: replaces, norefersub, extended-refer, timer, sec-agree, outbound, path, X-cisco-serviceuri',
  'User-Agent: Zoiper v2.10.19.5',
  'Allow-Events: presence, kpml, talk, as-feature-event',
  'Content-Length: 264',
  '',
  'v=0',
  'o=Z 0 199267607 IN IP4 192.168.66.155',
  's=Z',
  'c=IN IP4 192.168.66.155',
  't=0 0',
  'm=audio 61265 RTP/AVP 3 101 110 97 8 0',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  'a=rtpmap:110 speex/8000',
  'a=rtpmap:97 iLBC/8000',
  'a=fmtp:97 mode=20',
  'a=sendrecv',
  'a=rtcp-mux',
  ''
  ].join('\r\n'),
  'utf8',
);

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

interface Rate {
  /** Messages per second of wall-clock time (best round). */
  wall: number;
  /** Messages per second of this process's CPU time (best round): steadier on a busy machine. */
  cpu: number;
}

/** Best of `rounds` timed runs of `n` iterations. */
function measure(n: number, rounds: number, fn: () => void): Rate {
  for (let i = 0; i < Math.min(n, 20000); i++) fn(); // warm-up so the JIT has optimised fn
  let wall = 0;
  let cpu = 0;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const ns = Number(process.hrtime.bigint() - t0);
    const c = process.cpuUsage(c0);
    wall = Math.max(wall, (n * 1e9) / ns);
    cpu = Math.max(cpu, (n * 1e6) / Math.max(1, c.user + c.system));
  }
  return { wall, cpu };
}

let sink = 0;

function main(): void {
  const n = arg('n', 300000);
  const rounds = arg('rounds', 5);
  const parsed = parseMessage(INVITE);
  const mutated = parseMessage(INVITE);
  mutated.headers.set('Max-Forwards', '69'); // forces the rebuilt-headers serializer path

  const parse = measure(n, rounds, () => {
    sink += parseMessage(INVITE).body.length;
  });
  const access = measure(n, rounds, () => {
    const m: SipMessage = parseMessage(INVITE);
    sink += m.callId.length + m.cseq.seq + (m.vias[0]?.params.get('branch')?.length ?? 0);
    sink += (m.fromTag?.length ?? 0) + (m.toTag?.length ?? 0);
  });
  const serializeRaw = measure(n, rounds, () => {
    sink += serializeMessage(parsed).length;
  });
  const serializeBuilt = measure(n, rounds, () => {
    sink += serializeMessage(mutated).length;
  });
  const num = (x: number): string => Math.round(x).toLocaleString('en-US').padStart(10);
  const fmt = (r: Rate): string => `${num(r.wall)} msgs/s  (${num(r.cpu)} per CPU-second)`;
  console.log(`message: ${INVITE.length} bytes INVITE with SDP (Zoiper), ${n} iterations, best of ${rounds}`);
  console.log(`parse:                                   ${fmt(parse)}`);
  console.log(`parse + callId/cseq/branch/from+to tags: ${fmt(access)}`);
  console.log(`serialize (unmodified, raw headers):     ${fmt(serializeRaw)}`);
  console.log(`serialize (modified, headers rebuilt):   ${fmt(serializeBuilt)}`);
  if (sink === 42) console.log('');
}

main();
