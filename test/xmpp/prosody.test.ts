/**
 * The XMPP gateway against a real Prosody on 127.0.0.1: login, roster and subscriptions, buddy
 * status 1–7 per resource, JabberSend to a real client, JabberNotify holding a message until
 * the buddy is back (also across a restart on the same store), Prosody restarting under us, and
 * bad credentials / TLS / ports. Each test uses its own accounts (subscription state persists).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProsody, type ProsodyServer } from '../helpers/prosody.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { jabberConf, startPerson, startStack, waitFor, type Stack } from './harness.js';

let p: ProsodyServer;
before(async () => {
  p = await startProsody();
});
after(async () => {
  await p?.stop();
});

const DIALPLAN = `
[from-internal]
exten => 8000,1,JabberSend(asterisk,\${BUDDY},Missed call from \${CALLERID(num)} to 6002 (BUSY))
 same => n,Hangup()
exten => 8001,1,JabberNotify(asterisk,\${BUDDY},Missed call from \${CALLERID(num)}, nothing lost)
 same => n,Hangup()
exten => 8002,1,Set(S=\${JABBER_STATUS(asterisk,\${BUDDY})})
 same => n,Jabberstatus(asterisk,\${BUDDY},S2)
 same => n,Set(S3=\${JABBER_STATUS(asterisk,nobody@localhost)})
exten => 8003,1,JabberSend(nosuch,bob@localhost,hi)
 same => n,Set(AFTER=yes)
exten => 8004,1,JabberSend(asterisk,\${BUDDY},while down)
 same => n,Set(AFTER=yes)
`;

function dialplan(buddy: string): string {
  return `[globals]\nBUDDY=${buddy}\n${DIALPLAN}`;
}

async function connected(s: Stack): Promise<void> {
  await waitFor('Connected', async () => /\[asterisk\] .* - Connected/.test(await s.rx('xmpp show connections')), 15000);
}

async function statusVia(s: Stack): Promise<{ s: string; s2: string; s3: string }> {
  const c = await s.run('from-internal', '8002');
  return { s: c.getVar('S') ?? '', s2: c.getVar('S2') ?? '', s3: c.getVar('S3') ?? '' };
}

test('login, roster, subscription; status 1..7 per resource with priority; JabberSend arrives; CLI', async (t) => {
  await p.register('pbx1', 'pbxpass1');
  await p.register('bob1', 'bobpass1');
  const bob = await startPerson(p, 'bob1', 'bobpass1', { resource: 'phone' });
  t.after(() => bob.stop());
  const s = await startStack({ 'jabber.conf': jabberConf(p, { user: 'pbx1', secret: 'pbxpass1', buddies: ['bob1@localhost'] }), 'extensions.conf': dialplan('bob1@localhost') });
  t.after(() => s.stop());
  await connected(s);
  assert.equal(
    await s.rx('xmpp show connections'),
    'Jabber Users and their status:\n       [asterisk] pbx1@localhost/pbx     - Connected\n----\n   Number of clients: 1\n',
  );
  const acct = s.xmpp.account('asterisk')!;
  // autoregister: herald subscribed, bob approved, bob's presence arrives.
  await waitFor('bob online', () => acct.status('bob1@localhost') === 1);
  assert.deepEqual(await statusVia(s), { s: '1', s2: '1', s3: '7' });
  for (const [show, want] of [['chat', 2], ['away', 3], ['xa', 4], ['dnd', 5]] as const) {
    await bob.presence({ show });
    await waitFor(`status ${want}`, () => acct.status('bob1@localhost') === want);
    assert.equal((await statusVia(s)).s, String(want));
  }
  await bob.presence({ unavailable: true });
  await waitFor('status 6', () => acct.status('bob1@localhost') === 6);
  assert.deepEqual(await statusVia(s), { s: '6', s2: '6', s3: '7' });
  await bob.presence({});
  await waitFor('status 1 again', () => acct.status('bob1@localhost') === 1);

  // A second resource with a higher priority decides; when it leaves, the first decides again.
  const bobDesk = await startPerson(p, 'bob1', 'bobpass1', { resource: 'desk', show: 'dnd', priority: 10 });
  t.after(() => bobDesk.stop());
  await waitFor('desk (prio 10, dnd) decides', () => acct.status('bob1@localhost') === 5);
  assert.equal(acct.status('bob1@localhost/phone'), 1);
  assert.equal(acct.status('bob1@localhost/laptop'), 6);
  const buddies = await s.rx('xmpp show buddies');
  assert.match(buddies, /^XMPP buddy lists\nClient: asterisk\n\tBuddy:\tbob1@localhost\n\t\tResource: (phone|desk)\n\t\tResource: (phone|desk)\n$/);
  assert.match(await s.rx('jabber test'), /\tBuddy:\tbob1@localhost\tStatus: 5 \(DND\)\tSubscription: (to|both)\n/);
  await bobDesk.presence({ unavailable: true });
  await waitFor('phone decides again', () => acct.status('bob1@localhost') === 1);

  // JabberSend: the application returns at once; bob gets the chat message.
  const t0 = performance.now();
  await s.run('from-internal', '8000');
  const ran = performance.now() - t0;
  const m = await bob.waitMessage((b) => b === 'Missed call from 2000 to 6002 (BUSY)');
  assert.equal(m.attrs.type, 'chat');
  assert.equal(m.attrs.from, 'pbx1@localhost/pbx');
  assert.ok(ran < 1000, `JabberSend run took ${ran} ms`);

  // An unknown account ends the call, as in Asterisk, with a clear log line.
  const bad = await s.run('from-internal', '8003');
  assert.equal(bad.getVar('AFTER'), undefined);
  assert.ok(s.logs.some((l) => l.includes("Could not find sender connection: 'nosuch'")), s.logs.join('\n'));

  assert.equal(await s.rx('xmpp set debug on'), 'XMPP Debugging Enabled.\n');
  const traced: string[] = [];
  const off = s.bus.on('XmppTrace', (v) => traced.push(v.text));
  await s.run('from-internal', '8000');
  await waitFor('trace', () => traced.some((x) => x.startsWith("<--- XMPP sent to 'asterisk' --->\n<message")));
  off();
  assert.equal(await s.rx('xmpp set debug off'), 'XMPP Debugging Disabled.\n');
});

test('JabberNotify: bob away → kept in the store → bob online → delivered with the original time; also after a restart', async (t) => {
  await p.register('pbx2', 'pbxpass2');
  await p.register('bob2', 'bobpass2');
  const varlib = mkdtempSync(join(tmpdir(), 'herald-xmpp-store-'));
  t.after(() => rmSync(varlib, { recursive: true, force: true }));
  const files = { 'jabber.conf': jabberConf(p, { user: 'pbx2', secret: 'pbxpass2', buddies: ['bob2@localhost'] }), 'extensions.conf': dialplan('bob2@localhost') };
  const bob = await startPerson(p, 'bob2', 'bobpass2', { show: 'away' });
  t.after(() => bob.stop());
  let store = SqliteStore.open(join(varlib, 'herald.db'));
  let s = await startStack(files, { store });
  t.after(() => s.stop());
  await connected(s);
  const acct = s.xmpp.account('asterisk')!;
  await waitFor('bob away', () => acct.status('bob2@localhost') === 3);

  const c = await s.run('from-internal', '8001');
  assert.equal(c.getVar('JABBERNOTIFYSTATUS'), 'QUEUED');
  const queuedAt = s.xmpp.queue.list()[0]!.queuedAt;
  assert.match(await s.rx('xmpp show queue'), /asterisk\s+bob2@localhost\s+.*Missed call from 2000, nothing lost\n1 queued message\n$/);
  assert.equal(bob.messages.length, 0);

  await bob.presence({});
  const m = await bob.waitMessage((b) => b.startsWith('Missed call from 2000, nothing lost (sent at '));
  const delay = m.getChild('delay', 'urn:xmpp:delay');
  assert.equal(delay?.attrs.stamp, new Date(queuedAt).toISOString());
  await waitFor('queue empty', () => s.xmpp.queue.list().length === 0);

  // While bob is online JabberNotify sends at once.
  const now = await s.run('from-internal', '8001');
  assert.equal(now.getVar('JABBERNOTIFYSTATUS'), 'SENT');
  await bob.waitMessage((b) => b === 'Missed call from 2000, nothing lost');

  // Restart: bob goes DND, a message is queued, herald stops; it comes back on the same store.
  await bob.presence({ show: 'dnd' });
  await waitFor('bob dnd', () => acct.status('bob2@localhost') === 5);
  await s.run('from-internal', '8001', '3000');
  assert.equal(s.xmpp.queue.list().length, 1);
  await s.stop();
  await store.close();
  store = SqliteStore.open(join(varlib, 'herald.db'));
  s = await startStack(files, { store });
  t.after(async () => {
    await s.stop();
    await store.close();
  });
  assert.equal(s.xmpp.queue.list().length, 1, 'the queue survived the restart');
  await connected(s);
  await bob.presence({ show: 'chat' });
  const m2 = await bob.waitMessage((b) => b.startsWith('Missed call from 3000, nothing lost (sent at '));
  assert.ok(m2.getChild('delay', 'urn:xmpp:delay'));
  await waitFor('queue empty after restart', () => s.xmpp.queue.list().length === 0);
});

test('Prosody restarts under a connected account: herald reconnects and later messages arrive', async (t) => {
  await p.register('pbx3', 'pbxpass3');
  await p.register('bob3', 'bobpass3');
  const s = await startStack({ 'jabber.conf': jabberConf(p, { user: 'pbx3', secret: 'pbxpass3', buddies: ['bob3@localhost'] }), 'extensions.conf': dialplan('bob3@localhost') });
  t.after(() => s.stop());
  await connected(s);
  await p.restart();
  await waitFor('noticed the drop', async () => !/ - Connected/.test(await s.rx('xmpp show connections')) || s.logs.some((l) => l.includes('lost')), 10000);
  // A send while the server is away neither blocks nor throws.
  const down = await s.run('from-internal', '8004');
  assert.equal(down.getVar('AFTER'), 'yes');
  await connected(s);
  // How the drop shows depends on who moves first: the server's close read as a lost connection
  // or a stream error, or herald's next write on the dead socket failing (ECONNRESET, EPIPE).
  assert.ok(s.logs.some((l) => /connection to .* lost|stream error from server|: write E[A-Z]+$/.test(l)), s.logs.join('\n'));
  const bob = await startPerson(p, 'bob3', 'bobpass3');
  t.after(() => bob.stop());
  await s.run('from-internal', '8000');
  await bob.waitMessage((b) => b === 'Missed call from 2000 to 6002 (BUSY)');
});

test('wrong password, TLS without the CA, a closed port: clear state, no crash, the dialplan goes on', async (t) => {
  await p.register('pbx4', 'pbxpass4');
  const closedPort = await (async () => {
    const { createServer } = await import('node:net');
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    return port;
  })();
  const conf = [
    jabberConf(p, { user: 'pbx4', secret: 'wrong', buddies: ['bob4@localhost', 'not a jid'] }),
    '[notrust]',
    'type=client',
    'serverhost=127.0.0.1',
    `port=${p.port}`,
    'username=pbx4@localhost/x',
    'secret=pbxpass4',
    '',
    '[closed]',
    'type=client',
    `service=xmpp://127.0.0.1:${closedPort}`,
    'username=pbx4@localhost/y',
    'secret=pbxpass4',
    '',
  ].join('\n');
  const s = await startStack({ 'jabber.conf': conf, 'extensions.conf': dialplan('bob4@localhost') });
  t.after(() => s.stop());
  assert.ok(s.logs.some((l) => /jabber\.conf:\d+: account 'asterisk': buddy 'not a jid' is not a bare JID/.test(l)), s.logs.join('\n'));
  const out = await waitFor('three failures', async () => {
    const o = await s.rx('xmpp show connections');
    return (o.match(/Last error:/g) ?? []).length === 3 ? o : null;
  }, 15000);
  assert.match(out, /\[asterisk\] pbx4@localhost\/pbx {5}- (Disconnected|Connecting|Authenticating)\n {11}Last error: authentication failed \(not-authorized\): check username and secret; next attempt in \d+ s\n/);
  assert.match(out, /\[notrust\] pbx4@localhost\/x {5}- \w+\n {11}Last error: TLS failure: .*cafile=/);
  assert.match(out, /\[closed\] pbx4@localhost\/y {5}- \w+\n {11}Last error: connection refused/);
  // JABBER_STATUS answers 6 for a configured buddy while disconnected; JabberSend drops and goes on.
  assert.deepEqual(await statusVia(s), { s: '6', s2: '6', s3: '7' });
  const c = await s.run('from-internal', '8004');
  assert.equal(c.getVar('AFTER'), 'yes');
  assert.ok(s.logs.some((l) => /JabberSend: account 'asterisk' is \w+; message to bob4@localhost dropped/.test(l)), s.logs.join('\n'));
});

test('status_from_hint: our presence follows the hint (on the phone while in use, back when idle)', async (t) => {
  await p.register('pbx5', 'pbxpass5');
  await p.register('bob5', 'bobpass5');
  const conf = jabberConf(p, { user: 'pbx5', secret: 'pbxpass5', buddies: ['bob5@localhost'], extra: ['status_from_hint=6002@from-internal'] });
  const s = await startStack({ 'jabber.conf': conf, 'extensions.conf': `${dialplan('bob5@localhost')}\nexten => 6002,hint,Custom:6002\n` });
  t.after(() => s.stop());
  await connected(s);
  const bob = await startPerson(p, 'bob5', 'bobpass5');
  t.after(() => bob.stop());
  // bob asks to see herald's presence; autoregister approves.
  const { xml } = await import('@xmpp/client');
  await bob.client.send(xml('presence', { to: 'pbx5@localhost', type: 'subscribe' }));
  const from = 'pbx5@localhost/pbx';
  await bob.waitPresence((el) => el.attrs.from === from && el.attrs.type === undefined && el.getChildText('show') === null);
  assert.equal((await s.cli.execute('devstate change Custom:6002 INUSE')).ok, true);
  await bob.waitPresence((el) => el.attrs.from === from && el.getChildText('show') === 'dnd' && el.getChildText('status') === 'On the phone');
  await s.cli.execute('devstate change Custom:6002 NOT_INUSE');
  const back = await bob.waitPresence((el) => el.attrs.from === from && el.getChildText('show') === null && bob.presences.indexOf(el) > bob.presences.findIndex((x) => x.getChildText('show') === 'dnd'));
  assert.equal(back.getChildText('status'), "Asterisk XMPP bot. Don't talk to me, your messages would be lost forever.");
});

test('autoprune=yes removes roster contacts that are not buddies; autoregister=no leaves requests unanswered', async (t) => {
  await p.register('pbx6', 'pbxpass6');
  await p.register('carol6', 'carolpass6');
  await p.register('bob6', 'bobpass6');
  // First run: carol6 is a buddy, so autoregister puts her on the roster.
  const first = await startStack({ 'jabber.conf': jabberConf(p, { user: 'pbx6', secret: 'pbxpass6', buddies: ['carol6@localhost'] }), 'extensions.conf': dialplan('carol6@localhost') });
  await connected(first);
  await waitFor('carol6 subscribed', () => first.xmpp.account('asterisk')!.buddies.get('carol6@localhost')?.subscribeSent);
  await first.stop();
  // Second run: only bob6 is configured, autoprune=yes, autoregister=no.
  const conf = jabberConf(p, { user: 'pbx6', secret: 'pbxpass6', buddies: ['bob6@localhost'] }).replace('autoprune=no', 'autoprune=yes').replace('autoregister=yes', 'autoregister=no');
  const s = await startStack({ 'jabber.conf': conf, 'extensions.conf': dialplan('bob6@localhost') });
  t.after(() => s.stop());
  await connected(s);
  // Look at the server's roster of pbx6 from a second resource.
  const { xml } = await import('@xmpp/client');
  const self = await startPerson(p, 'pbx6', 'pbxpass6', { resource: 'inspect' });
  t.after(() => self.stop());
  const iqCaller = self.client.iqCaller as unknown as { request(el: unknown): Promise<{ getChild(n: string, ns: string): { getChildren(n: string): Array<{ attrs: Record<string, string> }> } | undefined }> };
  const jids = await waitFor('carol6 pruned', async () => {
    const r = await iqCaller.request(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
    const items = r.getChild('query', 'jabber:iq:roster')?.getChildren('item').map((i) => i.attrs.jid) ?? [];
    return items.includes('carol6@localhost') ? null : items;
  });
  assert.ok(!jids.includes('carol6@localhost'));
  assert.match(await s.rx('xmpp show buddies'), /^XMPP buddy lists\nClient: asterisk\n\tBuddy:\tbob6@localhost\n$/);
  // autoregister=no: bob6 asks to subscribe; herald does not approve (the inspecting resource,
  // which approves anything, leaves first).
  await self.stop();
  const bob = await startPerson(p, 'bob6', 'bobpass6');
  t.after(() => bob.stop());
  await bob.client.send(xml('presence', { to: 'pbx6@localhost', type: 'subscribe' }));
  await waitFor('request logged', () => s.logs.some((l) => l.includes('subscription request from bob6@localhost left unanswered (autoregister=no)')));
  assert.ok(!bob.presences.some((el) => el.attrs.type === 'subscribed'));
});

test('xmpps:// (TLS from the first byte) with cafile= trusts the private CA', async (t) => {
  await p.register('pbx7', 'pbxpass7');
  const conf = `[direct]\nservice=xmpps://127.0.0.1:${p.tlsPort}\nusername=pbx7@localhost/tls\nsecret=pbxpass7\ncafile=${p.certFile}\n`;
  const s = await startStack({ 'xmpp.conf': conf, 'extensions.conf': dialplan('bob7@localhost') });
  t.after(() => s.stop());
  await waitFor('Connected over direct TLS', async () => /\[direct\] pbx7@localhost\/tls {5}- Connected/.test(await s.rx('xmpp show connections')), 15000);
});
