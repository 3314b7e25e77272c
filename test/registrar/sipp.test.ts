/**
 * Integration tests against a real SIPp client (scenarios in test/fixtures/registrar).
 * SIPp 3.6.1 reads only the first WWW-Authenticate and knows MD5 only, so these runs set
 * auth_algorithms = MD5; SHA-256 is covered with a raw UDP client in register.test.ts.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSipModule, type SipModule } from '../../src/registrar/module.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { KvStore } from '../../src/store/types.js';
import { fixture } from '../helpers/paths.js';
import { killAllSipp, runSipp } from '../helpers/sipp.js';
import { makeContext, waitFor, type TestServer } from './harness.js';

const GENERAL = `
[general]
udpbindaddr = 127.0.0.1:0
realm = asterisk
auth_algorithms = MD5
`;

const CONF = `${GENERAL}
[6002]
type = friend
host = dynamic
secret = 6002pass
`;

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  killAllSipp();
  for (const c of cleanups.reverse()) await c();
});

async function start(conf: string, store?: KvStore, dir?: string): Promise<{ server: TestServer; mod: SipModule; target: string }> {
  const server = makeContext(conf, store, dir);
  const mod = createSipModule();
  await mod.start(server.ctx);
  cleanups.push(() => mod.stop());
  if (!dir) cleanups.push(() => server.cleanup());
  return { server, mod, target: `127.0.0.1:${mod.boundEndpoints()[0].port}` };
}

const scen = (name: string): string => fixture('registrar', name);

test('SIPp: REGISTER with MD5 digest → 200', async () => {
  const { mod, target } = await start(CONF);
  const r = await runSipp({ scenario: scen('register_auth.xml'), inf: scen('users_6002.csv'), target, calls: 1, timeoutSec: 20 });
  assert.equal(r.failed, 0, r.errors || r.stderr);
  assert.equal(r.successful, 1);
  assert.equal(r.exitCode, 0);
  assert.equal(mod.contactsOf('6002').length, 1);
  assert.equal(mod.contactsOf('6002')[0].userAgent, 'sipp-lab');
});

test('SIPp: wrong password → 403 after 401; unknown user → the same', async () => {
  const { mod, target } = await start(CONF);
  const r = await runSipp({ scenario: scen('register_rejected.xml'), inf: scen('users_rejected.csv'), target, calls: 2, timeoutSec: 20 });
  assert.equal(r.failed, 0, r.errors || r.stderr);
  assert.equal(r.successful, 2);
  assert.equal(mod.contactsOf('6002').length, 0);
});

test('SIPp: register then unregister (Expires: 0) → contact gone', async () => {
  const { server, mod, target } = await start(CONF);
  const events: string[] = [];
  server.ctx.bus.on('PeerRegistration', (e) => events.push(`${e.peer}:${e.reason}:${e.contacts}`));
  const r = await runSipp({ scenario: scen('unregister.xml'), inf: scen('users_6002.csv'), target, calls: 1, timeoutSec: 20 });
  assert.equal(r.failed, 0, r.errors || r.stderr);
  assert.equal(r.successful, 1);
  assert.equal(mod.contactsOf('6002').length, 0);
  assert.equal(server.ctx.store.get('SIP/Registry', '6002'), undefined);
  assert.deepEqual(events, ['6002:register:1', '6002:unregister:0']);
});

/** sip.conf with `count` template peers 30000…, and the matching SIPp CSV. */
function perfFiles(dir: string, count: number, secret: string | null): { conf: string; csv: string } {
  const lines = [GENERAL, '[perf](!)', 'type = friend', 'host = dynamic', ...(secret ? [`secret = ${secret}`] : []), ''];
  const csv = ['SEQUENTIAL'];
  for (let i = 0; i < count; i++) {
    const user = String(30000 + i);
    lines.push(`[${user}](perf)`);
    csv.push(secret ? `${user};[authentication username=${user} password=${secret}];` : `${user};`);
  }
  const csvPath = join(dir, 'perf-users.csv');
  writeFileSync(csvPath, csv.join('\n') + '\n');
  return { conf: lines.join('\n') + '\n', csv: csvPath };
}

test('SIPp: 1,000 distinct peers register with digest, 0 failed; registrations survive a restart on the same SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-reg1000-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const { conf, csv } = perfFiles(dir, 1000, 'perfpass');
  const dbPath = join(dir, 'astdb.sqlite3');
  const store1 = SqliteStore.open(dbPath);
  const first = await start(conf, store1, dir);
  assert.equal(first.mod.listPeers().length, 1000);
  const r = await runSipp({ scenario: scen('register_auth.xml'), inf: csv, target: first.target, calls: 1000, rate: 250, timeoutSec: 60 });
  assert.equal(r.failed, 0, r.errors.slice(0, 2000) || r.stderr);
  assert.equal(r.successful, 1000);
  let registered = 0;
  for (const p of first.mod.listPeers()) if (first.mod.contactsOf(p.name).length === 1) registered++;
  assert.equal(registered, 1000);
  assert.equal(store1.entries('SIP/Registry').length, 1000);
  const before = first.mod.contactsOf('30123')[0];
  await first.mod.stop();
  await store1.close();

  // A new module instance on the same file: every registration comes back with its expiry.
  const store2 = SqliteStore.open(dbPath);
  cleanups.push(() => store2.close());
  const restored: string[] = [];
  const second = makeContext(conf, store2, dir);
  second.ctx.bus.on('PeerRegistration', (e) => {
    if (e.reason === 'restore') restored.push(e.peer);
  });
  const mod2 = createSipModule();
  await mod2.start(second.ctx);
  cleanups.push(() => mod2.stop());
  assert.equal(restored.length, 1000);
  const after = mod2.contactsOf('30123')[0];
  assert.equal(after.uri, before.uri);
  assert.equal(after.expiresAt, before.expiresAt);
  assert.deepEqual(after.source, before.source);
  assert.match(await second.cli.run('sip show peers'), /\n1000 sip peers \[Monitored: 0 online, 0 offline Unmonitored: 1000 online, 0 offline\]\n$/);
});

test('restore drops expired registrations and peers no longer in sip.conf', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-restore-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store = SqliteStore.open(join(dir, 'db.sqlite3'));
  cleanups.push(() => store.close());
  const now = Date.now();
  await store.put('SIP/Registry', '6002', `127.0.0.1:5093:3600:6002:sip:6002@127.0.0.1:5093|at=${now + 3_600_000}&tr=UDP&cid=a&cs=2`);
  await store.put('SIP/Registry', 'gone', `127.0.0.1:5094:3600:gone:sip:gone@127.0.0.1:5094|at=${now + 3_600_000}&tr=UDP&cid=b&cs=2`);
  await store.put('SIP/Registry', 'old', `127.0.0.1:5095:60:old:sip:old@127.0.0.1:5095|at=${now - 60_000}&tr=UDP&cid=c&cs=2`);
  const conf = `${CONF}\n[old]\ntype=friend\nhost=dynamic\n`;
  const { mod } = await start(conf, store, dir);
  assert.equal(mod.contactsOf('6002').length, 1);
  assert.equal(mod.contactsOf('old').length, 0);
  assert.deepEqual(store.entries('SIP/Registry').map((e) => e.key), ['/SIP/Registry/6002']);
});

test('a restored registration expires on time and its store entry goes', async () => {
  const { server, mod } = await start(`${GENERAL}\n[open]\ntype=friend\nhost=dynamic\n`);
  // A binding whose expiry (+ the 10 s grace) falls half a second after the restart.
  await server.ctx.store.put('SIP/Registry', 'open', `127.0.0.1:5093:1:open:sip:open@127.0.0.1:5093|at=${Date.now() - 9_500}&tr=UDP&cid=a&cs=2`);
  await mod.stop();
  const mod2 = createSipModule();
  const expired = waitFor<{ peer: string; reason: string }>((fn) => server.ctx.bus.on('PeerRegistration', fn), (e) => e.reason === 'expire', 5000);
  await mod2.start(server.ctx);
  cleanups.push(() => mod2.stop());
  assert.equal(mod2.contactsOf('open').length, 1);
  assert.deepEqual(await expired, { peer: 'open', contacts: 0, reason: 'expire' });
  assert.equal(mod2.contactsOf('open').length, 0);
  assert.equal(server.ctx.store.get('SIP/Registry', 'open'), undefined);
});
