import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSipModule, type SipModule } from '../../src/registrar/module.js';
import { createLogger } from '../../src/core/log.js';
import type { ServerContext } from '../../src/core/module.js';
import type { SipResponse } from '../../src/sip/message/index.js';
import { authorization, makeContext, registerText, UdpClient, waitFor, type TestServer } from './harness.js';

const CONF = `
[general]
udpbindaddr = 127.0.0.1:0
realm = asterisk
useragent = herald-test-server
minexpiry = 60
maxexpiry = 3600
defaultexpiry = 120

[6002]
type = friend
host = dynamic
secret = 6002pass
context = from-internal
mailbox = 6002@default
callerid = "Bob" <6002>

[open]
type = friend
host = dynamic

[office]
type = friend
host = dynamic
secret = officepass
deny = 0.0.0.0/0
permit = 10.0.0.0/8

[justuser]
type = user
secret = userpass

[multi]
type = friend
host = dynamic
maxcontacts = 3
`;

interface Env {
  server: TestServer;
  mod: SipModule;
  port: number;
  ua: UdpClient;
}

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function startEnv(conf = CONF, tweak?: (ctx: ServerContext) => void): Promise<Env> {
  const server = makeContext(conf);
  tweak?.(server.ctx);
  const mod = createSipModule();
  await mod.start(server.ctx);
  const ua = await UdpClient.open();
  cleanups.push(async () => {
    ua.close();
    await mod.stop();
    server.cleanup();
  });
  const port = mod.boundEndpoints()[0].port;
  return { server, mod, port, ua };
}

let callSeq = 0;

/** REGISTER → 401 → REGISTER with credentials; returns both responses. */
async function registerWithAuth(env: Env, user: string, password: string, opts: { pick?: 'SHA-256' | 'MD5'; expires?: number; callId?: string } = {}): Promise<[SipResponse, SipResponse]> {
  const callId = opts.callId ?? `call-${++callSeq}`;
  const base = { user, serverPort: env.port, clientPort: env.ua.port, callId, expires: opts.expires };
  const first = await env.ua.request(registerText({ ...base, cseq: 1 }), env.port, 1);
  if (first.status !== 401) return [first, first];
  const challenges = first.headers.getAll('WWW-Authenticate');
  const ch = challenges.find((c) => c.includes(`algorithm=${opts.pick ?? 'MD5'}`)) ?? challenges[0];
  const auth = authorization(ch, user, password, `sip:127.0.0.1:${env.port}`);
  const second = await env.ua.request(registerText({ ...base, cseq: 2, authorization: auth }), env.port, 2);
  return [first, second];
}

test('REGISTER with MD5 digest: 401 (SHA-256 then MD5), then 200 with contacts, Date, store entry, event', async () => {
  const env = await startEnv();
  const ev = waitFor<{ peer: string; reason: string }>((fn) => env.server.ctx.bus.on('PeerRegistration', fn), (e) => e.peer === '6002');
  const [c, ok] = await registerWithAuth(env, '6002', '6002pass');
  assert.equal(c.status, 401);
  const www = c.headers.getAll('WWW-Authenticate');
  assert.equal(www.length, 2);
  assert.match(www[0], /algorithm=SHA-256/);
  assert.match(www[1], /algorithm=MD5/);
  assert.match(www[0], /realm="asterisk"/);
  assert.ok(c.toTag, '401 carries a To tag');
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.headers.getAll('Contact'), [`<sip:6002@127.0.0.1:${env.ua.port}>;expires=3600`]);
  assert.equal(ok.headers.get('Expires'), '3600');
  assert.match(ok.headers.get('Date') ?? '', /GMT$/);
  assert.equal(ok.headers.get('Server'), 'herald-test-server');
  assert.deepEqual(await ev, { peer: '6002', contacts: 1, reason: 'register' });
  const stored = env.server.ctx.store.get('SIP/Registry', '6002') ?? '';
  assert.ok(stored.startsWith(`127.0.0.1:${env.ua.port}:3600:6002:sip:6002@127.0.0.1:${env.ua.port}|`), stored);
  assert.equal(env.mod.contactsOf('6002').length, 1);
});

test('REGISTER with SHA-256 digest → 200', async () => {
  const env = await startEnv();
  const [c, ok] = await registerWithAuth(env, '6002', '6002pass', { pick: 'SHA-256' });
  assert.equal(c.status, 401);
  assert.equal(ok.status, 200);
});

test('wrong password → 403; unknown user gets the same 401 and the same 403', async () => {
  const lines: string[] = [];
  const env = await startEnv(CONF, (ctx) => {
    ctx.log = createLogger({ level: 'info', destination: { write: (l: string) => lines.push(l) } });
  });
  const [c1, bad] = await registerWithAuth(env, '6002', 'nope');
  assert.equal(c1.status, 401);
  assert.equal(bad.status, 403);
  assert.equal(bad.reason, 'Forbidden');
  const [c2, unknown] = await registerWithAuth(env, 'ghost', 'whatever');
  assert.equal(c2.status, 401);
  assert.equal(unknown.status, 403);
  assert.equal(unknown.reason, 'Forbidden');
  const shape = (r: SipResponse): string[] =>
    r.headers.entries().map(([n, v]) => `${n}: ${v.replace(/nonce="[^"]*"/, 'nonce=X').replace(/tag=[^;>]*/, 'tag=X').replace(/[0-9a-z]+@|call-\d+/g, '')}`).filter((l) => !/^(Via|From|To|Call-ID)/.test(l));
  assert.deepEqual(shape(c2), shape(c1));
  // type=user and an ACL refusal look the same too.
  const [c3, user] = await registerWithAuth(env, 'justuser', 'userpass');
  assert.deepEqual([c3.status, user.status], [401, 403]);
  const [c4, acl] = await registerWithAuth(env, 'office', 'officepass');
  assert.deepEqual([c4.status, acl.status], [401, 403]);
  assert.equal(env.mod.contactsOf('office').length, 0);
  // chan_sip's NOTICE wording, for fail2ban filters.
  const msgs = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
  assert.ok(msgs.includes(`Registration from '<sip:6002@127.0.0.1>' failed for '127.0.0.1:${env.ua.port}' - Wrong password`), msgs.join('\n'));
  assert.ok(msgs.includes(`Registration from '<sip:ghost@127.0.0.1>' failed for '127.0.0.1:${env.ua.port}' - No matching peer found`));
  assert.ok(msgs.includes(`Registration from '<sip:office@127.0.0.1>' failed for '127.0.0.1:${env.ua.port}' - Device does not match ACL`));
});

test('alwaysauthreject=no: unknown user → 404, ACL refusal → 403', async () => {
  const env = await startEnv(CONF.replace('[general]', '[general]\nalwaysauthreject = no'));
  const [nf] = await registerWithAuth(env, 'ghost', 'x');
  assert.equal(nf.status, 404);
  const [acl] = await registerWithAuth(env, 'office', 'officepass');
  assert.equal(acl.status, 403);
});

test('peer without secret registers without challenge; Expires 0 removes; * with Expires 0 removes all', async () => {
  const env = await startEnv();
  const base = { user: 'open', serverPort: env.port, clientPort: env.ua.port, callId: 'open-1' };
  const r1 = await env.ua.request(registerText({ ...base, cseq: 1, expires: 7200 }), env.port, 1);
  assert.equal(r1.status, 200);
  assert.equal(r1.headers.get('Expires'), '3600', 'maxexpiry clamps');
  assert.equal(env.mod.contactsOf('OPEN').length, 1, 'peer lookup is case-insensitive');
  const brief = await env.ua.request(registerText({ ...base, cseq: 2, expires: 30 }), env.port, 2);
  assert.equal(brief.status, 423);
  assert.equal(brief.headers.get('Min-Expires'), '60');
  const r2 = await env.ua.request(registerText({ ...base, cseq: 3, expires: 0 }), env.port, 3);
  assert.equal(r2.status, 200);
  assert.deepEqual(r2.headers.getAll('Contact'), []);
  assert.equal(env.mod.contactsOf('open').length, 0);
  assert.equal(env.server.ctx.store.get('SIP/Registry', 'open'), undefined);
  await env.ua.request(registerText({ ...base, cseq: 4, expires: null }), env.port, 4);
  assert.equal(env.mod.contactsOf('open')[0].expiresSec, 120, 'defaultexpiry');
  const bad = await env.ua.request(registerText({ ...base, cseq: 5, contact: '*', expires: 60 }), env.port, 5);
  assert.equal(bad.status, 400);
  const star = await env.ua.request(registerText({ ...base, cseq: 6, contact: '*', expires: 0 }), env.port, 6);
  assert.equal(star.status, 200);
  assert.equal(env.mod.contactsOf('open').length, 0);
});

test('several contacts, query, and out-of-order CSeq', async () => {
  const env = await startEnv();
  const base = { user: 'multi', serverPort: env.port, clientPort: env.ua.port, callId: 'multi-1' };
  const two = `<sip:multi@127.0.0.1:5001>;expires=600, <sip:multi@127.0.0.1:5002>;q=0.5`;
  const r = await env.ua.request(registerText({ ...base, cseq: 10, contact: two }), env.port, 10);
  assert.equal(r.status, 200);
  assert.deepEqual(r.headers.getAll('Contact'), ['<sip:multi@127.0.0.1:5001>;expires=600', '<sip:multi@127.0.0.1:5002>;expires=3600']);
  const old = await env.ua.request(registerText({ ...base, cseq: 9, contact: '<sip:multi@127.0.0.1:5001>' }), env.port, 9);
  assert.equal(old.status, 500);
  const lines = registerText({ ...base, cseq: 11 }).split('\n').filter((l) => !l.startsWith('Contact:')).join('\n');
  const q = await env.ua.request(lines, env.port, 11);
  assert.equal(q.status, 200);
  assert.equal(q.headers.getAll('Contact').length, 2);
  const third = await env.ua.request(registerText({ ...base, callId: 'multi-2', cseq: 1, contact: '<sip:multi@127.0.0.1:5003>' }), env.port, 1);
  assert.equal(third.headers.getAll('Contact').length, 3);
  const withPath = await env.ua.request(
    registerText({ ...base, callId: 'multi-p', cseq: 1, contact: '<sip:multi@127.0.0.1:5009>', extra: ['Supported: path', 'Path: <sip:edge1.example;lr>, <sip:edge2.example;lr>'] }),
    env.port,
    1,
  );
  assert.deepEqual(withPath.headers.getAll('Path'), ['<sip:edge1.example;lr>', '<sip:edge2.example;lr>']);
  assert.deepEqual(env.mod.contactsOf('multi').find((b) => b.uri.endsWith(':5009'))?.path, ['<sip:edge1.example;lr>', '<sip:edge2.example;lr>']);
  const fourth = await env.ua.request(registerText({ ...base, callId: 'multi-3', cseq: 1, contact: '<sip:multi@127.0.0.1:5004>' }), env.port, 1);
  assert.deepEqual(fourth.headers.getAll('Contact').map((c) => c.replace(/;.*/, '')), ['<sip:multi@127.0.0.1:5003>', '<sip:multi@127.0.0.1:5009>', '<sip:multi@127.0.0.1:5004>']);
});

test('OPTIONS to herald → 200 with Allow and Accept', async () => {
  const env = await startEnv();
  const text = [
    `OPTIONS sip:nobody@127.0.0.1:${env.port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${env.ua.port};branch=z9hG4bKopt1`,
    'From: <sip:probe@127.0.0.1>;tag=p1',
    'To: <sip:nobody@127.0.0.1>',
    'Call-ID: opt-1',
    'CSeq: 7 OPTIONS',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\n');
  const r = await env.ua.request(text, env.port, 7);
  assert.equal(r.status, 200);
  assert.deepEqual(r.headers.getAll('Allow'), ['OPTIONS', 'REGISTER']);
  assert.match(r.headers.get('Accept') ?? '', /application\/sdp/);
});

test('CLI: sip show peers / peer / registrations, sip set debug', async () => {
  const env = await startEnv();
  await registerWithAuth(env, '6002', '6002pass');
  const peers = await env.server.cli.run('sip show peers');
  const lines = peers.split('\n');
  assert.equal(lines[0], 'Name/username             Host                                    Dyn Forcerport Comedia    ACL Port     Status      Description                      ');
  const row = lines.find((l) => l.startsWith('6002/6002'));
  assert.equal(row, `6002/6002                 127.0.0.1                                D  Auto (No)  No             ${String(env.ua.port).padEnd(8)} Unmonitored                                  `);
  assert.equal(lines.find((l) => l.startsWith('open')), 'open                      (Unspecified)                            D  Auto (No)  No             0        Unmonitored                                  ');
  assert.match(peers, /\n4 sip peers \[Monitored: 0 online, 0 offline Unmonitored: 1 online, 3 offline\]\n$/);
  const peer = await env.server.cli.run('sip show peer 6002');
  assert.match(peer, /^\n\n {2}\* Name {7}: 6002\n/);
  assert.match(peer, /\n {2}Secret {7}: <Set>\n/);
  assert.ok(!peer.includes('6002pass'));
  assert.match(peer, /\n {2}Callerid {5}: "Bob" <6002>\n/);
  assert.match(peer, new RegExp(`\\n  Addr->IP     : 127\\.0\\.0\\.1:${env.ua.port}\\n`));
  assert.match(peer, /\n {2}Useragent {4}: herald-test\n/);
  assert.equal(await env.server.cli.run('sip show peer nobody'), 'Peer nobody not found.\n');
  const regs = await env.server.cli.run('sip show registrations');
  assert.match(regs, /^Peer +Contact +Expires +Source +Transp +User agent\n6002 +sip:6002@127\.0\.0\.1:\d+ +36\d\d +127\.0\.0\.1:\d+ +UDP +herald-test\n1 contacts registered for 1 sip peers\n$/);
  const traces: string[] = [];
  env.server.ctx.bus.on('SipTrace', (e) => traces.push(e.text));
  assert.equal(await env.server.cli.run('sip set debug on'), 'SIP Debugging enabled\n');
  await registerWithAuth(env, '6002', '6002pass');
  assert.match(traces[0], new RegExp(`^\\n<--- SIP read from UDP:127\\.0\\.0\\.1:${env.ua.port} --->\\nREGISTER sip:`));
  assert.match(traces[1], new RegExp(`^\\n<--- Transmitting \\(no NAT\\) to 127\\.0\\.0\\.1:${env.ua.port} --->\\nSIP/2\\.0 401 Unauthorized`));
  assert.match(traces[1], /\n<------------>$/);
  await env.server.cli.run('sip set debug off');
  const n = traces.length;
  await registerWithAuth(env, '6002', '6002pass');
  assert.equal(traces.length, n);
  assert.equal(await env.server.cli.run('sip unregister 6002'), "Unregistered peer '6002'\n\n");
  assert.equal(env.mod.contactsOf('6002').length, 0);
  assert.equal(env.server.ctx.store.get('SIP/Registry', '6002'), undefined);
  assert.equal(await env.server.cli.run('sip unregister 6002'), 'Peer 6002 not registered\n');
  assert.equal(await env.server.cli.run('sip unregister nobody'), "Peer unknown: 'nobody'. Not unregistered.\n");
});

test('qualify: Reachable when the contact answers OPTIONS, UNREACHABLE when it stops', async () => {
  const env = await startEnv(CONF.replace('[open]\ntype = friend', '[open]\nqualify = 1000\nqualifyfreq = 1\ntype = friend'));
  const reach = (status: string) =>
    waitFor<{ peer: string; status: string; rttMs: number | null }>((fn) => env.server.ctx.bus.on('PeerReachability', fn), (e) => e.peer === 'open' && e.status === status, 10000);
  const ok = reach('Reachable');
  await env.ua.request(registerText({ user: 'open', serverPort: env.port, clientPort: env.ua.port, callId: 'q1', cseq: 1 }), env.port, 1);
  const e = await ok;
  assert.ok(e.rttMs !== null && e.rttMs < 1000);
  assert.match(await env.server.cli.run('sip show peers'), /open\/open .* OK \(\d+ ms\) /);
  const down = reach('Unreachable');
  env.ua.answerRequests = false;
  await down;
  assert.match(await env.server.cli.run('sip show peers'), /open\/open .* UNREACHABLE /);
  assert.match(await env.server.cli.run('sip show peers'), /Monitored: 0 online, 1 offline/);
});

test('reload: removed peer loses its contacts; a broken sip.conf keeps the running config', async () => {
  const env = await startEnv();
  await env.ua.request(registerText({ user: 'open', serverPort: env.port, clientPort: env.ua.port, callId: 'r1', cseq: 1 }), env.port, 1);
  assert.equal(env.mod.contactsOf('open').length, 1);
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  writeFileSync(join(env.server.dir, 'sip.conf'), CONF.replace('[open]\ntype = friend\nhost = dynamic\n', '[newpeer]\ntype = friend\nhost = dynamic\n'));
  const r = await env.mod.reload(env.server.ctx);
  assert.equal(r.ok, true, r.message);
  assert.equal(env.mod.getPeer('open'), undefined);
  assert.ok(env.mod.getPeer('newpeer'));
  assert.equal(env.mod.contactsOf('open').length, 0);
  assert.equal(env.server.ctx.store.get('SIP/Registry', 'open'), undefined);
  assert.equal(env.mod.boundEndpoints()[0].port, env.port, 'no rebind when the address did not change');
  writeFileSync(join(env.server.dir, 'sip.conf'), '[general]\n#include missing-file.conf\n[6002\n');
  const bad = await env.mod.reload(env.server.ctx);
  assert.equal(bad.ok, false);
  assert.match(bad.message, /^sip\.conf:\d+: /);
  assert.ok(env.mod.getPeer('newpeer'), 'running config kept');
  const [, ok] = await registerWithAuth(env, '6002', '6002pass');
  assert.equal(ok.status, 200);
});

test('REGISTER over TCP: the binding keeps the connection for reuse', async () => {
  const env = await startEnv(CONF.replace('[general]', '[general]\ntcpenable = yes\ntcpbindaddr = 127.0.0.1:0'));
  const tcp = env.mod.boundEndpoints().find((e) => e.proto === 'TCP');
  assert.ok(tcp, 'TCP bound');
  const { connect } = await import('node:net');
  const sock = connect(tcp.port, '127.0.0.1');
  await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
  cleanups.push(() => {
    sock.destroy();
  });
  const localPort = sock.localPort ?? 0;
  const text = registerText({ user: 'open', serverPort: tcp.port, clientPort: localPort, callId: 'tcp-1', cseq: 1 })
    .replace('SIP/2.0/UDP', 'SIP/2.0/TCP')
    .replace(/\n/g, '\r\n');
  const reply = new Promise<string>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('no TCP response')), 3000);
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\r\n\r\n')) {
        clearTimeout(timer);
        resolve(buf);
      }
    });
  });
  sock.write(text);
  assert.match(await reply, /^SIP\/2\.0 200 OK\r\n/);
  const b = env.mod.contactsOf('open')[0];
  assert.equal(b.source.proto, 'TCP');
  assert.equal(b.source.port, localPort);
  assert.ok(b.connectionId);
  assert.match(env.server.ctx.store.get('SIP/Registry', 'open') ?? '', /tr=TCP&conn=/);
});

test('reload to a new port rebinds; handlers other modules put on getStack() carry over', async () => {
  const env = await startEnv();
  const stack = env.mod.getStack();
  assert.ok(stack);
  stack.handle('MESSAGE', (_req, ctx) => ctx.tx?.reply(202, 'Accepted'));
  const message = (port: number, cseq: number): string =>
    [
      `MESSAGE sip:6002@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${env.ua.port};branch=z9hG4bKmsg${cseq}`,
      'From: <sip:probe@127.0.0.1>;tag=m1',
      'To: <sip:6002@127.0.0.1>',
      `Call-ID: msg-${cseq}`,
      `CSeq: ${cseq} MESSAGE`,
      'Max-Forwards: 70',
      'Content-Length: 0',
      '',
      '',
    ].join('\n');
  assert.equal((await env.ua.request(message(env.port, 1), env.port, 1)).status, 202);
  const { writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { createSocket } = await import('node:dgram');
  const probe = createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', () => resolve()));
  const newPort = probe.address().port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  writeFileSync(join(env.server.dir, 'sip.conf'), CONF.replace('udpbindaddr = 127.0.0.1:0', `udpbindaddr = 127.0.0.1:${newPort}`));
  const r = await env.mod.reload(env.server.ctx);
  assert.equal(r.ok, true, r.message);
  assert.equal(env.mod.boundEndpoints()[0].port, newPort);
  assert.equal(env.mod.getStack(), stack, 'the same handle');
  assert.equal((await env.ua.request(message(newPort, 2), newPort, 2)).status, 202);
  const [, ok] = await registerWithAuth({ ...env, port: newPort }, '6002', '6002pass');
  assert.equal(ok.status, 200);
  assert.deepEqual(stack.allowedMethods(), ['OPTIONS', 'REGISTER', 'MESSAGE']);
});

test('start fails cleanly when the SIP port is taken; no sip.conf means SIP stays off', async () => {
  const { createSocket } = await import('node:dgram');
  const holder = createSocket('udp4');
  await new Promise<void>((resolve) => holder.bind(0, '127.0.0.1', () => resolve()));
  const port = holder.address().port;
  const server = makeContext(CONF.replace('udpbindaddr = 127.0.0.1:0', `udpbindaddr = 127.0.0.1:${port}`));
  const mod = createSipModule();
  await assert.rejects(mod.start(server.ctx), /EADDRINUSE/);
  assert.equal(mod.isRunning(), false);
  await mod.stop();
  holder.close();
  server.cleanup();
  const { rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const empty = makeContext('');
  rmSync(join(empty.dir, 'sip.conf'));
  const off = createSipModule();
  await off.start(empty.ctx);
  assert.equal(off.isRunning(), false);
  assert.equal(off.getStack(), null);
  assert.deepEqual(off.contactsOf('6002'), []);
  await off.stop();
  empty.cleanup();
});
