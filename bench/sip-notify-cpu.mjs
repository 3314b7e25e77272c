#!/usr/bin/env node
// CPU of the SIP core's client side for one fan-out: --notifies NOTIFYs sent through the real
// stack (non-INVITE client transactions, serialization) to a fake transport, then the 200 for
// each parsed and handed back in (parse, validation, matching, transaction completion), with GC.
// No sockets and no SIPp: a repeatable A/B figure for the NOTIFY+200 part of bench/presence-fanout.
// Prints µs per NOTIFY+200 (send phase and 200 phase apart), best and median of --rounds rounds.
// Usage: node --max-semi-space-size=32 bench/sip-notify-cpu.mjs [--notifies 10000] [--rounds 9] [--build dist]
import { cpuUsage } from 'node:process';
import { buildDir, loaderFor, opt } from './lib/args.mjs';
import { FakeTransport } from './lib/fake-transport.mjs';

const n = Number(opt('--notifies', '10000'));
const rounds = Number(opt('--rounds', '9'));
const load = loaderFor(buildDir());
const message = await load('src/sip/message/index.js');
const { SipHeaders, SipRequest } = message;
const { createSipStack } = await load('src/sip/stack.js');
const { RealClock } = await load('src/core/clock.js');
const { silentLogger } = await load('src/core/log.js');

const transport = new FakeTransport(message, { keepAll: true });
const stack = createSipStack({ transport, clock: new RealClock(), log: silentLogger(), userAgent: 'herald' });
const body = Buffer.from('<?xml version="1.0"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:lamp@127.0.0.1"><tuple id="lamp"><status><basic>open</basic></status></tuple></presence>\n');
let finals = 0;
const handlers = { onFinal: () => void finals++ };
let cseq = 1;

function notify(i) {
  const h = new SipHeaders();
  h.add('Max-Forwards', '70');
  h.add('From', `<sip:lamp@127.0.0.1>;tag=t${i}`);
  h.add('To', `<sip:watcher@127.0.0.1>;tag=w${i}`);
  h.add('Contact', '<sip:lamp@127.0.0.1:5060>');
  h.add('Call-ID', `c${i}@127.0.0.1`);
  h.add('CSeq', `${cseq} NOTIFY`);
  h.add('Event', 'presence');
  h.add('Subscription-State', 'active;expires=3600');
  h.add('Content-Type', 'application/pidf+xml');
  return new SipRequest('NOTIFY', `sip:watcher@127.0.0.1:${20000 + (i % 16)}`, h, body);
}

/** A UA's 200: the request's Via, From, To, Call-ID and CSeq lines. */
function okFor(wire) {
  const text = wire.toString('latin1');
  const keep = text.split('\r\n').filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
  return Buffer.from(`SIP/2.0 200 OK\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, 'latin1');
}

function round() {
  cseq++;
  transport.sent = [];
  finals = 0;
  const c0 = cpuUsage();
  for (let i = 0; i < n; i++) stack.request(notify(i), { proto: 'UDP', address: '127.0.0.1', port: 20000 + (i % 16) }, handlers);
  const c1 = cpuUsage(c0);
  const oks = transport.sent.map(okFor); // the UA's work: not timed
  const c2 = cpuUsage();
  for (let i = 0; i < n; i++) {
    transport.inject(oks[i], 20000 + (i % 16));
  }
  const c3 = cpuUsage(c2);
  if (finals !== n) throw new Error(`only ${finals} of ${n} NOTIFYs answered`);
  return { send: (c1.user + c1.system) / n, ok: (c3.user + c3.system) / n };
}

const results = [];
round(); // warm up
for (let r = 0; r < rounds; r++) {
  // Let Timer K (T4) end the previous round's transactions between rounds, as in the real fan-out.
  await new Promise((res) => setTimeout(res, 5200));
  const x = round();
  results.push(x);
  console.log(`round ${r + 1}: send ${x.send.toFixed(2)} µs, 200 ${x.ok.toFixed(2)} µs, total ${(x.send + x.ok).toFixed(2)} µs per NOTIFY+200`);
}
const med = (k) => results.map((x) => x[k]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
const best = (k) => Math.min(...results.map((x) => x[k]));
console.log(`median: send ${med('send').toFixed(2)} µs + 200 ${med('ok').toFixed(2)} µs; best total ${Math.min(...results.map((x) => x.send + x.ok)).toFixed(2)} µs (best send ${best('send').toFixed(2)}, best 200 ${best('ok').toFixed(2)}); transactions alive ${JSON.stringify(stack.stats())}`);
await stack.close();
