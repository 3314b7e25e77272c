#!/usr/bin/env node
// Allocation and CPU of the SIP message layer for one presence cycle without auth, on the
// messages bench/presence-subscribe.mjs exchanges (captured from a run with SIPp 3.6.1):
//   rx-sub   SUBSCRIBE parsed and read as the stack (validateRequest, transaction keys) and the
//            presence server (dialog from the SUBSCRIBE) read it
//   tx-200   its 200 built (createResponse + Expires, Contact, Server) and serialized to send
//            (the completed server transaction keeps those bytes; no further message work)
//   tx-ntf   the NOTIFY built (in-dialog headers + PIDF body), copied with a new top Via as the
//            stack's request() does, serialized to send
//   rx-200   the watcher's 200 to the NOTIFY parsed and read as the stack matches it
//   ser-ntf  serializeMessage alone, of that NOTIFY (built once)
// No stack, transaction or socket code runs: only src/sip/message, so an A/B of two builds
// shows what the message layer itself costs. Bytes: V8 heap bytes allocated per operation
// (used-heap growth over a batch with a young generation large enough that no GC runs; a
// batch in which a GC ran is thrown away) and external bytes (Buffer pool slabs) per operation.
// CPU: process CPU time per operation, best of --rounds rounds.
// Usage: node --max-semi-space-size=256 --min-semi-space-size=256 bench/message-alloc.mjs [--build dist] [--n 2000] [--rounds 7]
//        [--only rx-sub,tx-200,tx-ntf,rx-200,ser-ntf,cycle] [--profile FILE.heapprofile [--profile-op cycle]] [--repeat N]
import { cpuUsage } from 'node:process';
import { getHeapStatistics } from 'node:v8';
import { buildDir, loaderFor, opt } from './lib/args.mjs';

const batch = Number(opt('--n', '2000'));
const rounds = Number(opt('--rounds', '7'));
const only = opt('--only', '');
const load = loaderFor(buildDir());
const M = await load('src/sip/message/index.js');
const { parseMessage, serializeMessage, createResponse, formatUri, formatVia, validateRequest, validateResponseRouting, SipHeaders, SipRequest } = M;

const crlf = (lines) => Buffer.from(lines.join('\r\n'), 'latin1');

const SUBSCRIBE = crlf([
  'SUBSCRIBE sip:lamp@127.0.0.1:45253 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:35873;branch=z9hG4bK-12834-1-0',
  'Max-Forwards: 70',
  'From: <sip:watcher@127.0.0.1>;tag=12834SIPpTag001',
  'To: <sip:lamp@127.0.0.1>',
  'Call-ID: 1-12834@127.0.0.1',
  'CSeq: 1 SUBSCRIBE',
  'Contact: <sip:watcher@127.0.0.1:35873>',
  'Event: presence',
  'Accept: application/pidf+xml',
  'Expires: 3600',
  'User-Agent: sipp-bench',
  'Content-Length: 0',
  '',
  '',
]);

const NOTIFY_OK = crlf([
  'SIP/2.0 200 OK',
  'Via: SIP/2.0/UDP 127.0.0.1:45253;branch=z9hG4bK2e3df7e7cc56b7866871601a;rport',
  'From: <sip:lamp@127.0.0.1>;tag=73bb7697f7171156',
  'To: <sip:watcher@127.0.0.1>;tag=12834SIPpTag001',
  'Call-ID: 1-12834@127.0.0.1',
  'CSeq: 102 NOTIFY',
  'Contact: <sip:watcher@127.0.0.1:35873>',
  'Content-Length: 0',
  '',
  '',
]);

const PIDF = Buffer.from(
  [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<presence entity="sip:lamp@127.0.0.1" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">',
    ' <tuple id="lamp">',
    '  <status>',
    '   <basic>open</basic>',
    '  </status>',
    '  <contact priority="1">sip:lamp@127.0.0.1</contact>',
    ' </tuple>',
    ' <note>Ready</note>',
    ' <dm:person id="person" />',
    '</presence>',
    '',
  ].join('\n'),
);

let sink = 0;

/** What the stack (validateRequest, keys, Require) and presence (dialogFromSubscribe) read of a SUBSCRIBE. */
function rxSubscribe(buf) {
  const req = parseMessage(buf);
  if (validateRequest(req) !== null) throw new Error('SUBSCRIBE did not validate');
  const via = req.vias[0];
  sink += via.params.get('branch').length + via.host.length + (via.params.has('rport') ? 1 : 0);
  sink += req.fromTag.length + req.callId.length + req.cseq.seq + (req.toTag === null ? 1 : 0);
  sink += req.headers.getAll('Require').length;
  sink += (req.headers.get('Event') ?? '').length + (req.headers.get('Accept') ?? '').length + (req.expires ?? 0);
  sink += (req.headers.get('To') ?? '').length + (req.headers.get('From') ?? '').length;
  sink += formatUri(req.to.uri).length + formatUri(req.from.uri).length + formatUri(req.contacts[0].uri).length;
  sink += req.headers.has('Record-Route') ? 1 : 0;
  return req;
}

/** The 200: built and sent (a completed NIST keeps the bytes sent, no further message work). */
function tx200(req) {
  const res = createResponse(req, 200, 'OK', { toTag: '73bb7697f7171156' });
  res.headers.append('Expires', '3600');
  res.headers.append('Contact', '<sip:lamp@127.0.0.1:45253>;expires=3600');
  if (!res.headers.has('Server')) res.headers.append('Server', 'herald');
  sink += serializeMessage(res).length;
}

let cseq = 101;
/** The NOTIFY as presence builds it and the stack copies it with its Via, then serialized. */
function txNotify() {
  const h = new SipHeaders();
  h.add('Max-Forwards', '70');
  h.add('From', '<sip:lamp@127.0.0.1>;tag=73bb7697f7171156');
  h.add('To', '<sip:watcher@127.0.0.1>;tag=12834SIPpTag001');
  h.add('Contact', '<sip:lamp@127.0.0.1:45253>');
  h.add('Call-ID', '1-12834@127.0.0.1');
  h.add('CSeq', `${++cseq} NOTIFY`);
  const req = new SipRequest('NOTIFY', 'sip:watcher@127.0.0.1:35873', h);
  req.headers.add('Event', 'presence');
  req.headers.add('Subscription-State', 'active;expires=3600');
  req.headers.add('Allow-Events', 'presence, dialog, message-summary');
  req.headers.add('Content-Type', 'application/pidf+xml');
  req.body = PIDF;
  const out = new SipRequest(req.method, req.uri, req.headers.clone(), req.body);
  const via = {
    protocol: 'SIP/2.0',
    transport: 'UDP',
    host: '127.0.0.1',
    port: 45253,
    params: new Map([
      ['branch', 'z9hG4bK2e3df7e7cc56b7866871601a'],
      ['rport', null],
    ]),
  };
  if (!out.headers.has('User-Agent')) out.headers.append('User-Agent', 'herald');
  out.headers.prepend('Via', formatVia(via));
  if (!out.headers.has('Max-Forwards')) out.headers.set('Max-Forwards', '70');
  sink += serializeMessage(out).length;
}

/** The watcher's 200 to the NOTIFY: what the stack reads before handing it to the transaction. */
function rx200(buf) {
  const res = parseMessage(buf);
  if (validateResponseRouting(res) !== null || res.vias.length !== 1) throw new Error('200 did not validate');
  sink += res.vias[0].params.get('branch').length + res.cseq.method.length + res.status;
  sink += (res.headers.get('Retry-After') ?? '').length;
}

/** One NOTIFY as the stack sends it, serialized again and again: serializeMessage alone. */
let builtNotify = null;
function serNotify() {
  if (builtNotify === null) {
    const h = new SipHeaders();
    for (const line of [
      'Via: SIP/2.0/UDP 127.0.0.1:45253;branch=z9hG4bK2e3df7e7cc56b7866871601a;rport',
      'Max-Forwards: 70',
      'From: <sip:lamp@127.0.0.1>;tag=73bb7697f7171156',
      'To: <sip:watcher@127.0.0.1>;tag=12834SIPpTag001',
      'Contact: <sip:lamp@127.0.0.1:45253>',
      'Call-ID: 1-12834@127.0.0.1',
      'CSeq: 102 NOTIFY',
      'Event: presence',
      'Subscription-State: active;expires=3600',
      'Allow-Events: presence, dialog, message-summary',
      'Content-Type: application/pidf+xml',
      'User-Agent: herald',
    ]) {
      const colon = line.indexOf(':');
      h.add(line.slice(0, colon), line.slice(colon + 2));
    }
    builtNotify = new SipRequest('NOTIFY', 'sip:watcher@127.0.0.1:35873', h, PIDF);
  }
  sink += serializeMessage(builtNotify).length;
}

let heldReq = null;
const ops = {
  'rx-sub': () => rxSubscribe(SUBSCRIBE),
  'tx-200': () => tx200(heldReq),
  'tx-ntf': () => txNotify(),
  'rx-200': () => rx200(NOTIFY_OK),
  'ser-ntf': () => serNotify(),
  cycle: () => {
    tx200(rxSubscribe(SUBSCRIBE));
    txNotify();
    rx200(NOTIFY_OK);
  },
};

/** tx-200 needs a fresh parsed SUBSCRIBE per operation: parsed before the measured batch. */
function prepare(name, n) {
  if (name !== 'tx-200') return () => undefined;
  const reqs = [];
  for (let i = 0; i < n; i++) {
    const r = rxSubscribe(SUBSCRIBE);
    reqs.push(r);
  }
  let k = 0;
  return () => {
    heldReq = reqs[k++];
  };
}

function measureBytes(name, fn) {
  const samples = [];
  const ext = [];
  for (let r = 0; r < rounds * 2 && samples.length < rounds; r++) {
    const next = prepare(name, batch);
    const s0 = getHeapStatistics();
    for (let i = 0; i < batch; i++) {
      next();
      fn();
    }
    const s1 = getHeapStatistics();
    const d = s1.used_heap_size - s0.used_heap_size;
    if (d <= 0) continue; // a GC ran during the batch
    samples.push(d / batch);
    ext.push((s1.external_memory - s0.external_memory) / batch);
  }
  samples.sort((a, b) => a - b);
  ext.sort((a, b) => a - b);
  return { heap: samples[samples.length >> 1] ?? NaN, ext: ext[ext.length >> 1] ?? NaN };
}

function measureCpu(name, fn) {
  let best = Infinity;
  const n = batch * 10;
  for (let r = 0; r < rounds; r++) {
    let ns = 0;
    // In slices of `batch` so tx-200's prepared requests are not part of the time.
    for (let done = 0; done < n; done += batch) {
      const next = prepare(name, batch);
      const c0 = cpuUsage();
      for (let i = 0; i < batch; i++) {
        next();
        fn();
      }
      const c = cpuUsage(c0);
      ns += (c.user + c.system) * 1000;
    }
    best = Math.min(best, ns / n);
  }
  return best;
}

// Warm up every path so the JIT has settled before anything is measured.
for (let i = 0; i < 30000; i++) {
  heldReq = rxSubscribe(SUBSCRIBE);
  ops['tx-200']();
  ops['tx-ntf']();
  ops['rx-200']();
}

// --repeat N: only run N of each chosen op after the warm-up (for instruction counts, e.g.
// valgrind --tool=callgrind at two values of N: the difference over the difference in N is per op).
const repeat = Number(opt('--repeat', '0'));
if (repeat > 0) {
  for (const name of Object.keys(ops)) {
    if (only !== '' && !only.split(',').includes(name)) continue;
    const next = prepare(name, repeat);
    for (let i = 0; i < repeat; i++) {
      next();
      ops[name]();
    }
  }
  process.exit(0);
}

const profile = opt('--profile', '');
if (profile !== '') {
  // Sampled allocations of --n cycles (every 64 bytes, collected objects included): read with
  // node bench/lib/alloc-top.mjs FILE.
  const { Session } = await import('node:inspector');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  const post = (method, params) => new Promise((res, rej) => session.post(method, params, (err, r) => (err ? rej(err) : res(r))));
  await post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const op = opt('--profile-op', 'cycle');
  const next = prepare(op, batch);
  for (let i = 0; i < batch; i++) {
    next();
    ops[op]();
  }
  const { profile: p } = await post('HeapProfiler.stopSampling');
  writeFileSync(profile, JSON.stringify(p));
  console.log(`allocation profile of ${batch} × ${op} written to ${profile}`);
}

console.log(`build ${buildDir()}; batch ${batch}, ${rounds} rounds`);
console.log('op        heap B/op   ext B/op   ns/op (best)');
for (const name of Object.keys(ops)) {
  if (only !== '' && !only.split(',').includes(name)) continue;
  const fn = ops[name];
  const b = measureBytes(name, fn);
  const ns = measureCpu(name, fn);
  console.log(`${name.padEnd(8)} ${b.heap.toFixed(0).padStart(10)} ${b.ext.toFixed(0).padStart(10)} ${ns.toFixed(0).padStart(12)}`);
}
if (sink === 42) console.log('');
