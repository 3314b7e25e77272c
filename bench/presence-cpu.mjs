#!/usr/bin/env node
// CPU of herald's presence notifier alone, without sockets, SQLite or SIPp: SUBSCRIBEs parsed
// from text (the SIP parser is part of the cost), the SubscriptionServer answering them with a
// stand-in stack that records each 200 and NOTIFY and answers the NOTIFY 200 at once, and an
// in-memory store. Reports CPU microseconds per subscription (SUBSCRIBE→200 + NOTIFY→200) and per
// NOTIFY of a fan-out, best of --rounds rounds: a repeatable A/B figure on a busy machine where
// the SIPp rates of presence-subscribe.mjs move by ±30 %.
// Usage: node bench/presence-cpu.mjs [--build dist] [--subs 20000] [--rounds 5]
import { cpuUsage } from 'node:process';
import { loaderFor, opt, buildDir } from './lib/args.mjs';

const load = loaderFor(buildDir());
const subs = Number(opt('--subs', '20000'));
const rounds = Number(opt('--rounds', '5'));

const { FakeClock } = await load('src/core/clock.js');
const { silentLogger } = await load('src/core/log.js');
const { parseConfText } = await load('src/config/lexer.js');
const { loadSipConf } = await load('src/sip/config/sip-conf.js');
const { DigestAuthenticator } = await load('src/sip/auth/digest.js');
const { parseMessage, SipResponse } = await load('src/sip/message/index.js');
const { MemoryStore } = await load('src/store/memory-store.js');
const { SubscriptionStore } = await load('src/presence/record.js');
const { SubscriptionServer } = await load('src/presence/subscriptions.js');

const conf = loadSipConf(parseConfText('[general]\n[watcher]\ntype=friend\nhost=dynamic\ncontext=default\n', 'sip.conf'));
const OK = new SipResponse(200, 'OK');

function run(round) {
  const clock = new FakeClock();
  let notifies = 0;
  const stack = {
    request: (req, _dest, h) => {
      notifies++;
      h.onFinal(OK);
      return { id: '', request: req, cancel: () => undefined };
    },
  };
  const watchers = new Set();
  const view = { devices: ['Custom:lamp'], state: 0, presence: { state: 'not_set', subtype: '', message: '' } };
  const hints = {
    find: () => view,
    watch: (_c, _e, cb) => (watchers.add(cb), () => watchers.delete(cb)),
    deviceState: () => 'NOT_INUSE',
  };
  const log = silentLogger();
  const server = new SubscriptionServer({
    stack: () => stack,
    general: () => conf.general,
    getPeer: (n) => conf.peers.get(n.toLowerCase()),
    auth: () => new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 300000, now: () => clock.wallNow() }),
    hints,
    store: new SubscriptionStore(new MemoryStore(), log),
    clock,
    log,
  });
  const texts = [];
  for (let i = 0; i < subs; i++) {
    texts.push(Buffer.from(
      `SUBSCRIBE sip:lamp@127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-${round}-${i}\r\nMax-Forwards: 70\r\n` +
      `From: <sip:watcher@127.0.0.1>;tag=${round}SIPpTag00${i}\r\nTo: <sip:lamp@127.0.0.1>\r\nCall-ID: ${i}-${round}@127.0.0.1\r\nCSeq: 1 SUBSCRIBE\r\n` +
      'Contact: <sip:watcher@127.0.0.1:5999>\r\nEvent: presence\r\nAccept: application/pidf+xml\r\nExpires: 3600\r\nUser-Agent: sipp-bench\r\nContent-Length: 0\r\n\r\n',
      'latin1'));
  }
  const ep = { proto: 'UDP', address: '127.0.0.1', port: 5999 };
  const local = { proto: 'UDP', address: '127.0.0.1', port: 5060 };
  let answered = 0;
  const tx = { respond: () => void answered++, reply: () => OK };
  const t0 = cpuUsage();
  for (const raw of texts) {
    const req = parseMessage(raw);
    server.handle(req, { inbound: { msg: req, source: ep, local, connectionId: null, raw }, tx: { ...tx, request: req } });
  }
  return new Promise((resolve) => setImmediate(() => {
    const t1 = cpuUsage(t0);
    const subUs = (t1.user + t1.system) / subs;
    if (answered !== subs || notifies !== subs) throw new Error(`answered ${answered}, notified ${notifies} of ${subs}`);
    // One change to all of them (the fan-out runs over several event-loop turns).
    view.state = 1;
    const f0 = cpuUsage();
    for (const cb of watchers) cb({ state: 1, reason: 'device' });
    const wait = () => (notifies < 2 * subs ? setImmediate(wait) : done());
    const done = () => {
      const f1 = cpuUsage(f0);
      server.close();
      resolve({ subUs, fanUs: (f1.user + f1.system) / subs });
    };
    wait();
  }));
}

let best = { subUs: Infinity, fanUs: Infinity };
for (let r = 0; r < rounds; r++) {
  const x = await run(r);
  console.log(`round ${r + 1}: ${x.subUs.toFixed(1)} µs CPU per SUBSCRIBE (parse, 200, store, first NOTIFY), ${x.fanUs.toFixed(1)} µs per fan-out NOTIFY`);
  best = { subUs: Math.min(best.subUs, x.subUs), fanUs: Math.min(best.fanUs, x.fanUs) };
}
console.log(`best: ${best.subUs.toFixed(1)} µs per SUBSCRIBE, ${best.fanUs.toFixed(1)} µs per fan-out NOTIFY (${subs} subscriptions, no sockets or SQLite)`);
