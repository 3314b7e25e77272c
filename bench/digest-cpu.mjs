#!/usr/bin/env node
// CPU and allocation of SIP digest authentication alone (src/sip/auth/digest.js and
// src/sip/message/auth.js), the part of an authenticated SUBSCRIBE or REGISTER the 401 round
// costs herald:
//   challenge  DigestAuthenticator.challenge() — the WWW-Authenticate values of one 401
//   verify     findDigestCredentials() of the answer's Authorization header + verify()
// Each round issues --ops challenges, answers them like a UA (untimed: the client's hashes), then
// verifies the answers; every verify must succeed. Prints CPU µs per operation (process CPU time,
// so other processes on a shared machine count less than in wall time) and bytes allocated per
// operation (V8's sampling heap profiler with collected objects included, every ~64 bytes).
// Usage: node bench/digest-cpu.mjs [--build dist] [--ops 20000] [--rounds 5]
//        [--algorithms MD5|MD5,SHA-256] [--answer MD5|SHA-256]
import { createHash } from 'node:crypto';
import { Session } from 'node:inspector';
import { buildDir, loaderFor, opt } from './lib/args.mjs';

const ops = Number(opt('--ops', '20000'));
const rounds = Number(opt('--rounds', '5'));
const algorithms = opt('--algorithms', 'MD5,SHA-256').split(',');
const answerWith = opt('--answer', 'MD5');
const load = loaderFor(buildDir());
const { DigestAuthenticator } = await load('src/sip/auth/digest.js');
const { findDigestCredentials } = await load('src/sip/message/auth.js');

const session = new Session();
session.connect();
const post = (method, params) => new Promise((res, rej) => session.post(method, params, (err, r) => (err ? rej(err) : res(r))));

/** CPU µs per op of `fn` (no profiler running). */
function cpuOf(fn) {
  const cpu0 = process.cpuUsage();
  fn();
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / ops;
}

/** Bytes allocated per op while `fn` runs (sampled; objects collected meanwhile included). */
async function bytesOf(fn) {
  await post('HeapProfiler.startSampling', { samplingInterval: 64, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  fn();
  const { profile } = await post('HeapProfiler.stopSampling');
  let bytes = 0;
  const walk = (node) => {
    bytes += node.selfSize;
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  return bytes / ops;
}

const hex = (alg, s) => createHash(alg === 'MD5' ? 'md5' : 'sha256').update(s).digest('hex');
const realm = 'asterisk';
const user = 'authw';
const password = 'benchpass';
const uri = 'sip:lamp@127.0.0.1:5060';
const peer = { name: user, secret: password, md5secret: null };

/** The Authorization header SIPp 3.6.1 writes for a challenge (its field order). */
function answer(challenge, i) {
  const nonce = /nonce="([^"]+)"/.exec(challenge)[1];
  const opaque = /opaque="([^"]+)"/.exec(challenge)[1];
  const nc = '00000001';
  const cnonce = (0x1000000 + i).toString(16);
  const ha1 = hex(answerWith, `${user}:${realm}:${password}`);
  const ha2 = hex(answerWith, `SUBSCRIBE:${uri}`);
  const response = hex(answerWith, `${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}",realm="${realm}",cnonce="${cnonce}",nc=${nc},qop=auth,uri="${uri}",nonce="${nonce}",response="${response}",algorithm=${answerWith},opaque="${opaque}"`;
}

const auth = new DigestAuthenticator({ realm, algorithms, nonceLifetimeMs: 300_000, now: () => Date.now() });
const pick = algorithms.length > 1 && answerWith === 'MD5' ? 1 : 0;
const rows = [];
let failed = 0;
/** One pass: `ops` challenges, their answers (untimed), their verifies. */
async function pass(measureWith) {
  const challenges = new Array(ops);
  const c = await measureWith(() => {
    for (let i = 0; i < ops; i++) challenges[i] = auth.challenge({ only: ['SHA-256', 'MD5'] });
  });
  // Through a Buffer, like the SIP parser's header values: flat strings, not ropes to flatten.
  const headers = challenges.map((values, i) => [Buffer.from(answer(values[pick], i), 'latin1').toString('latin1')]);
  const v = await measureWith(() => {
    for (let i = 0; i < ops; i++) {
      const cred = findDigestCredentials(headers[i], realm);
      if (cred === null || !auth.verify(cred, 'SUBSCRIBE', peer).ok) failed++;
    }
  });
  return { c, v };
}
await pass(cpuOf); // warm-up
for (let r = 0; r < rounds; r++) {
  const cpu = await pass(cpuOf);
  const mem = await pass(bytesOf);
  if (failed > 0) throw new Error(`${failed} verifies failed`);
  const c = { us: cpu.c, bytes: mem.c };
  const v = { us: cpu.v, bytes: mem.v };
  rows.push({ c, v });
  console.log(
    `round ${r + 1}: challenge ${c.us.toFixed(2)} µs ${c.bytes.toFixed(0)} B   verify ${v.us.toFixed(2)} µs ${v.bytes.toFixed(0)} B`,
  );
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `median (${algorithms.join('+')} offered, ${answerWith} answered, ${ops} ops/round): ` +
    `challenge ${median(rows.map((x) => x.c.us)).toFixed(2)} µs ${median(rows.map((x) => x.c.bytes)).toFixed(0)} B/op, ` +
    `verify ${median(rows.map((x) => x.v.us)).toFixed(2)} µs ${median(rows.map((x) => x.v.bytes)).toFixed(0)} B/op`,
);
session.disconnect();
