/**
 * The XMPP module inside the real server (src/server.ts startServer, SQLite store, module
 * lifecycle) with seed 000's jabber.conf — only host, port, usernames, passwords and buddies
 * changed, plus cafile= — against a real Prosody: both accounts connect, JabberNotify keeps a
 * message across a server restart and delivers it with its original time, `module reload`-style
 * reload adds and removes accounts, and sendtodialplan / JabberReceive / JABBER_RECEIVE / MUC.
 *
 * Until src/modules.ts lists the xmpp module these tests pass the module list themselves; the
 * last test runs the `herald` process itself and is skipped while the entry is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startServer, type RunningServer } from '../../src/server.js';
import { MODULES } from '../../src/modules.js';
import { Channel } from '../../src/channels/channel.js';
import type { DialplanModule } from '../../src/pbx/module.js';
import type { XmppModule } from '../../src/xmpp/module.js';
import { startProsody, type ProsodyServer } from '../helpers/prosody.js';
import { startHerald } from '../helpers/server.js';
import { fixture } from '../helpers/paths.js';
import { startPerson, waitFor } from './harness.js';

let p: ProsodyServer;
before(async () => {
  p = await startProsody();
  for (const [u, pw] of [['pbx', 'pbxpass'], ['another', 'anotherpass'], ['bob', 'bobpass'], ['carol', 'carolpass'], ['dave', 'davepass']]) await p.register(u!, pw!);
});
after(async () => {
  await p?.stop();
});

/** Seed 000's jabber.conf with only the site-specific values replaced. */
function seedConf(): string {
  const seed = readFileSync(fixture('xmpp', 'seed000-jabber.conf'), 'utf8');
  let buddyLine = 0;
  const out = seed.split('\n').map((line) => {
    if (/^serverhost=/.test(line)) return 'serverhost=127.0.0.1';
    if (/^port=/.test(line)) return `port=${p.port}`;
    if (/^secret=/.test(line)) return line; // replaced per account below
    if (/^buddy=/.test(line)) return `buddy=${['bob@localhost', 'carol@localhost', 'dave@localhost'][buddyLine++]}`;
    return line.replace('pbx@example.org/pbx', 'pbx@localhost/pbx').replace('anotheraccount@example.org/pbx', 'another@localhost/pbx');
  });
  // The first secret belongs to [asterisk], the second to [account2].
  let n = 0;
  const withSecrets = out.map((line) => (/^secret=/.test(line) ? (n++ === 0 ? 'secret=pbxpass' : 'secret=anotherpass') : line));
  const text = withSecrets.join('\n');
  return text.replace(/^(usesasl=yes)$/gm, `$1\ncafile=${p.certFile}`);
}

const DIALPLAN = `
[from-internal]
exten => 8001,1,JabberNotify(asterisk,bob@localhost,\${CALLERID(all)} just tried to call 555)
 same => n,Hangup()

[messages]
exten => s,1,Set(GLOBAL(LAST_FROM)=\${XMPP_FROM})
 same => n,Set(GLOBAL(LAST_BODY)=\${XMPP_BODY})
 same => n,JabberSend(\${XMPP_ACCOUNT},\${XMPP_BUDDY},You said: \${XMPP_BODY})

[rx]
exten => 1,1,JabberReceive(asterisk,bob@localhost,GOT,5)
 same => n,Set(GLOBAL(RX_STATUS)=\${JABBERRECEIVESTATUS})
 same => n,Set(GLOBAL(RX_GOT)=\${GOT})
exten => 2,1,Set(GLOBAL(RX_FN)=\${JABBER_RECEIVE(asterisk,bob@localhost)})
`;

function silent(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}

async function boot(dir: string): Promise<RunningServer> {
  return startServer({ configDir: dir, verbosity: 0, foreground: false, processHooks: false, modules: MODULES, logDestination: silent(), consoleWrite: () => {} });
}

async function run(server: RunningServer, context: string, exten: string, num = '2000', name = 'Alice'): Promise<Channel> {
  const pbx = server.context.getModule<DialplanModule>('pbx')!;
  const chan = new Channel({ name: `Test/${exten}-1`, uniqueid: `${Date.now()}.1`, context, exten, priority: 1, callerId: { num, name } });
  await pbx.runChannel(chan);
  return chan;
}

async function bothConnected(server: RunningServer): Promise<string> {
  return waitFor('both accounts Connected', async () => {
    const o = (await server.execute('xmpp show connections')).output;
    return (o.match(/ - Connected/g) ?? []).length === 2 ? o : null;
  }, 15000);
}

test("seed 000's jabber.conf in the real server: both accounts connect; JabberNotify survives a server restart", async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'herald-xmpp-srv-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'etc');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  writeFileSync(join(dir, 'jabber.conf'), seedConf());
  writeFileSync(join(dir, 'extensions.conf'), DIALPLAN);
  let server = await boot(dir);
  t.after(() => server.stop('now'));
  assert.equal(
    await bothConnected(server),
    'Jabber Users and their status:\n       [asterisk] pbx@localhost/pbx     - Connected\n       [account2] another@localhost/pbx     - Connected\n----\n   Number of clients: 2\n',
  );
  const bob = await startPerson(p, 'bob', 'bobpass', { show: 'xa' });
  t.after(() => bob.stop());
  const xmpp = (): XmppModule => server.context.getModule<XmppModule>('xmpp')!;
  await waitFor('bob xa', () => xmpp().account('asterisk')?.status('bob@localhost') === 4);
  const c = await run(server, 'from-internal', '8001');
  assert.equal(c.getVar('JABBERNOTIFYSTATUS'), 'QUEUED');
  const queuedAt = xmpp().queue.list()[0]!.queuedAt;
  await server.stop('now');
  server = await boot(dir);
  assert.match((await server.execute('xmpp show queue')).output, /bob@localhost .*"Alice" <2000> just tried to call 555\n1 queued message/);
  await bothConnected(server);
  await bob.presence({});
  const m = await bob.waitMessage((b) => b.startsWith('"Alice" <2000> just tried to call 555 (sent at '));
  assert.equal(m.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp, new Date(queuedAt).toISOString());
  await waitFor('queue empty', () => xmpp().queue.list().length === 0);

  // Reload: account2 removed, a new one added.
  writeFileSync(
    join(dir, 'jabber.conf'),
    seedConf().replace(/\[account2\][\s\S]*$/, `[third]\ntype=client\nserverhost=127.0.0.1\nport=${p.port}\nusername=dave@localhost/pbx\nsecret=davepass\ncafile=${p.certFile}\n`),
  );
  const results = await server.reload('xmpp');
  assert.match(results.map((r) => r.message).join('\n'), /XMPP reloaded: 2 accounts \(removed account2, added third\)/);
  await waitFor('third connected', async () => /\[third\] dave@localhost\/pbx {5}- Connected/.test((await server.execute('xmpp show connections')).output), 15000);
});

test('sendtodialplan, JabberReceive, JABBER_RECEIVE and a MUC room', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'herald-xmpp-srv-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'etc');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'xmpp.conf'),
    `[general]\n[asterisk]\nserverhost=127.0.0.1\nport=${p.port}\nusername=carol@localhost\nsecret=carolpass\ncafile=${p.certFile}\nbuddy=bob@localhost\nsendtodialplan=yes\ncontext=messages\ntimeout=30\n`,
  );
  writeFileSync(join(dir, 'extensions.conf'), DIALPLAN);
  const server = await boot(dir);
  t.after(() => server.stop('now'));
  await waitFor('Connected', async () => / - Connected/.test((await server.execute('xmpp show connections')).output), 15000);
  const bob = await startPerson(p, 'bob', 'bobpass', { resource: 'chat' });
  t.after(() => bob.stop());
  const { xml } = await import('@xmpp/client');
  const pbx = server.context.getModule<DialplanModule>('pbx')!;

  // An incoming chat message runs [messages] s with the message in XMPP_* variables.
  await bob.client.send(xml('message', { to: 'carol@localhost', type: 'chat' }, xml('body', {}, 'hello, herald')));
  await bob.waitMessage((b) => b === 'You said: hello, herald');
  assert.equal(pbx.services.globals.get('LAST_FROM'), 'bob@localhost/chat');
  assert.equal(pbx.services.globals.get('LAST_BODY'), 'hello, herald');

  // JABBER_RECEIVE reads what is waiting (the message above is still within timeout=30).
  await run(server, 'rx', '2');
  assert.equal(pbx.services.globals.get('RX_FN'), 'hello, herald');
  // JabberReceive waits for the next one.
  const waiting = run(server, 'rx', '1');
  await new Promise((r) => setTimeout(r, 50));
  await bob.client.send(xml('message', { to: 'carol@localhost', type: 'chat' }, xml('body', {}, 'second')));
  await waiting;
  assert.equal(pbx.services.globals.get('RX_STATUS'), 'OK');
  assert.equal(pbx.services.globals.get('RX_GOT'), 'second');

  // MUC: bob creates a room; herald joins, speaks, leaves.
  const joined = new Promise<void>((resolve) => {
    bob.client.on('stanza', (el) => {
      if (el.is('presence') && el.attrs.from === 'ops@conference.localhost/bob') resolve();
    });
  });
  await bob.client.send(xml('presence', { to: 'ops@conference.localhost/bob' }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
  await joined;
  writeFileSync(join(dir, 'extensions.conf'), `${DIALPLAN}\n[muc]\nexten => 1,1,JabberJoin(asterisk,ops@conference.localhost,pbx)\n same => n,JabberSendGroup(asterisk,ops@conference.localhost,Queue 5 is full)\n same => n,JabberLeave(asterisk,ops@conference.localhost)\n`);
  await server.reload('pbx');
  await run(server, 'muc', '1');
  const g = await bob.waitMessage((b, el) => b === 'Queue 5 is full' && el.attrs.type === 'groupchat');
  assert.equal(g.attrs.from, 'ops@conference.localhost/pbx');
});

test('the herald process itself with jabber.conf', async (t) => {
  const h = await startHerald({
    files: {
      'jabber.conf': `[asterisk]\nserverhost=127.0.0.1\nport=${p.port}\nusername=pbx@localhost/proc\nsecret=pbxpass\ncafile=${p.certFile}\nbuddy=bob@localhost\n`,
      'extensions.conf': DIALPLAN,
    },
  });
  t.after(() => h.stop());
  await waitFor('Connected', async () => / - Connected/.test(await h.rx('xmpp show connections')), 15000);
  assert.match(await h.rx('xmpp show buddies'), /^XMPP buddy lists\nClient: asterisk\n\tBuddy:\tbob@localhost\n/);
});
