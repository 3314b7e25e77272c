#!/usr/bin/env node
// CPU cost of one REGISTER inside herald, without the network and without SIPp sharing the CPU:
// a fake SipTransport hands pre-built datagrams to the real parser → stack → registrar → store
// (MemoryStore, or SQLite with --store sqlite) and serializes every response as the UDP transport
// would. The digest run answers each 401 like a UA (MD5 of the nonce it got): that client work is
// timed separately and subtracted. Prints µs per REGISTER call and the single-core ceiling.
// Usage: node bench/sip-register-cpu.mjs [--calls N] [--peers N] [--build dist] [--store memory|sqlite]
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildDir, loaderFor, opt } from './lib/args.mjs';
import { FakeTransport } from './lib/fake-transport.mjs';

const calls = Number(opt('--calls', '100000'));
const peerCount = Number(opt('--peers', '10000'));
const storeKind = opt('--store', 'memory');
const load = loaderFor(buildDir());

const message = await load('src/sip/message/index.js');
const { createSipStack } = await load('src/sip/stack.js');
const { loadSipConf } = await load('src/sip/config/sip-conf.js');
const { parseConfText } = await load('src/config/lexer.js');
const { EventBus } = await load('src/core/bus.js');
const { RealClock } = await load('src/core/clock.js');
const { silentLogger } = await load('src/core/log.js');
const { MemoryStore } = await load('src/store/memory-store.js');
const { SqliteStore } = await load('src/store/sqlite-store.js');
const { DigestAuthenticator } = await load('src/sip/auth/digest.js');
const { LocationService } = await load('src/registrar/location.js');
const { PeerRegistry } = await load('src/registrar/peers.js');
const { Registrar } = await load('src/registrar/register.js');

let conf = '[general]\nrealm = asterisk\nauth_algorithms = MD5\n[s](!)\ntype=friend\nhost=dynamic\nsecret=perfpass\n[o](!)\ntype=friend\nhost=dynamic\n';
for (let i = 0; i < peerCount; i++) conf += `[${30000 + i}](s)\n[${50000 + i}](o)\n`;
const sipConf = loadSipConf(parseConfText(conf, 'sip.conf'));
const dir = mkdtempSync(join(tmpdir(), 'herald-cpu-'));
const store = storeKind === 'sqlite' ? SqliteStore.open(join(dir, 'db.sqlite3')) : new MemoryStore();
const clock = new RealClock();
const bus = new EventBus();
const log = silentLogger();
const transport = new FakeTransport(message);
const stack = createSipStack({ transport, clock, log, userAgent: 'herald' });
const peers = new PeerRegistry(sipConf);
const location = new LocationService({ store, clock, bus, log });
const auth = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 300000, now: () => clock.wallNow() });
const registrar = new Registrar({ peers, location, bus, log, clock, general: () => sipConf.general, auth: () => auth });
stack.handle('REGISTER', registrar.handle);

const md5 = (s) => createHash('md5').update(s).digest('hex');
function register(user, port, callId, cseq, authz) {
  return Buffer.from(
    `REGISTER sip:127.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${callId}-${cseq}\r\nMax-Forwards: 70\r\n` +
      `From: <sip:${user}@127.0.0.1>;tag=${callId}\r\nTo: <sip:${user}@127.0.0.1>\r\nCall-ID: ${callId}@127.0.0.1\r\nCSeq: ${cseq} REGISTER\r\n` +
      `Contact: <sip:${user}@127.0.0.1:${port}>\r\nExpires: 3600\r\nUser-Agent: sipp-lab\r\n${authz ? `Authorization: ${authz}\r\n` : ''}Content-Length: 0\r\n\r\n`,
  );
}
function answer(user, challenge, nc) {
  const nonce = /nonce="([^"]+)"/.exec(challenge)[1];
  const opaque = /opaque="([^"]+)"/.exec(challenge)[1];
  const ha1 = md5(`${user}:asterisk:perfpass`);
  const ha2 = md5('REGISTER:sip:127.0.0.1:5060');
  const response = md5(`${ha1}:${nonce}:${nc}:c0ffee:auth:${ha2}`);
  return `Digest username="${user}",realm="asterisk",cnonce="c0ffee",nc=${nc},qop=auth,uri="sip:127.0.0.1:5060",nonce="${nonce}",response="${response}",algorithm=MD5,opaque="${opaque}"`;
}
const flush = () => new Promise((r) => setImmediate(r));

async function runNoAuth(n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    transport.inject(register(50000 + (i % peerCount), 10000 + (i % 50000), `na${i}`, 1), 10000 + (i % 50000));
    if (i % 512 === 511) await flush();
  }
  await flush();
  return performance.now() - t0;
}

async function runDigest(n) {
  let clientMs = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const user = 30000 + (i % peerCount);
    const port = 10000 + (i % 50000);
    transport.inject(register(user, port, `dg${i}`, 1), port);
    const c0 = performance.now();
    const text = transport.last.toString('latin1');
    const authz = answer(user, text, '00000001');
    const req = register(user, port, `dg${i}`, 2, authz);
    clientMs += performance.now() - c0;
    transport.inject(req, port);
    if (i % 512 === 511) await flush();
  }
  await flush();
  return { total: performance.now() - t0, clientMs };
}

const ok = (text) => text.startsWith('SIP/2.0 200');
await runNoAuth(Math.min(20000, calls)); // warm up
const na = await runNoAuth(calls);
console.log(`REGISTER without auth: ${(na * 1000 / calls).toFixed(1)} µs per call → ${Math.round(calls / (na / 1000))} calls/s on one core (${storeKind} store)`);
await runDigest(Math.min(20000, calls)); // warm up
const dg = await runDigest(calls);
const server = dg.total - dg.clientMs;
console.log(`REGISTER with digest: ${(server * 1000 / calls).toFixed(1)} µs per call (2 transactions; UA-side MD5 and message building, ${(dg.clientMs * 1000 / calls).toFixed(1)} µs, subtracted) → ${Math.round(calls / (server / 1000))} calls/s on one core`);
console.log(`last response: ${ok(transport.last.toString('latin1')) ? '200 OK' : transport.last.toString('latin1').split('\r\n')[0]}; contacts ${location.contactCount()}; transactions alive ${JSON.stringify(stack.stats())}; RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`);
await stack.close();
await location.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
