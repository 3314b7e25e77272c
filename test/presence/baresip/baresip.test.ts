/**
 * A real softphone (baresip 1.0, headless) against herald:
 *  - PUBLISH: it registers with digest and publishes its own presence (baresip sends only
 *    <basic>open|closed</basic>, and only with pubint > 0); `presence_offline` /
 *    `presence_online` must show up as CustomPresence:<peer> unavailable / available.
 *  - SUBSCRIBE: it watches another extension (contacts with presence=p2p); after
 *    `presencestate change` its `contacts` list must show the new status (baresip shows an
 *    RPID away as "Offline" and busy/on-the-phone as "Busy"). This half needs the 'presence'
 *    module (SUBSCRIBE/NOTIFY server) and is skipped when src/presence/module.js is absent.
 * Skipped as a whole when baresip is not installed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPresenceModule } from '../../../src/presence/module.js';
import { createDialplanModule } from '../../../src/pbx/module.js';
import { freePort } from '../../helpers/server.js';
import { startPublishServer, type PublishServer } from '../publish/server-harness.js';
import { Baresip, haveBaresip } from './baresip.js';

const skip = haveBaresip() ? false : 'baresip is not installed (apt-get install baresip-core)';

const SIP_CONF = `
[general]
udpbindaddr = 127.0.0.1:0
realm = asterisk
auth_algorithms = MD5

[alice]
type = friend
host = dynamic
secret = alicepass
context = default

[bob]
type = friend
host = dynamic
secret = bobpass
context = default
`;

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** Two consecutive free ports (baresip binds UDP on the first and TCP on the next). */
async function portPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = await freePort();
    if (p < 65535) {
      const q = await freePort();
      if (q !== p + 1) {
        // freePort gives random ports; probe p+1 directly by trying the pair the other way.
        const { createServer } = await import('node:net');
        const ok = await new Promise<boolean>((resolve) => {
          const srv = createServer();
          srv.once('error', () => resolve(false));
          srv.listen(p + 1, '127.0.0.1', () => srv.close(() => resolve(true)));
        });
        if (ok) return p;
      } else return p;
    }
  }
  throw new Error('no free port pair');
}

function listState(list: string, name: string): string | null {
  const m = new RegExp(`--- Name: 'CustomPresence:${name}'\\n {4}--- State: '([^']*)'`).exec(list);
  return m ? m[1] : null;
}

async function pollList(s: PublishServer, name: string, want: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (let i = 0; i < 500 && Date.now() < deadline; i++) {
    last = await s.rx('presencestate list');
    if (listState(last, name) === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`CustomPresence:${name} never became ${want}:\n${last}`);
}

test('baresip registers with digest and publishes its own presence → CustomPresence:alice', { skip, timeout: 60_000 }, async () => {
  const s = await startPublishServer(SIP_CONF);
  cleanups.push(() => s.stop());
  const sipPort = await portPair();
  const alice = await Baresip.start({ user: 'alice', password: 'alicepass', serverPort: s.port, sipPort, ctrlPort: await freePort(), pubint: 3600, lifeSec: 50 });
  cleanups.push(() => alice.stop());
  // Registered first (REGISTER with digest through herald's registrar).
  const deadline = Date.now() + 10_000;
  while (s.sip.contactsOf('alice').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.equal(s.sip.contactsOf('alice').length, 1, alice.output().slice(-3000));
  // baresip publishes <basic>open</basic> once registered.
  await pollList(s, 'alice', 'available');
  await alice.command('presence_offline');
  await pollList(s, 'alice', 'unavailable');
  await alice.command('presence_online');
  await pollList(s, 'alice', 'available');
});

const EXTENSIONS = `
[default]
exten => alice,hint,Custom:alice,CustomPresence:alice
exten => bob,hint,Custom:bob,CustomPresence:bob
`;

test('baresip watches bob (presence=p2p): presencestate change and bob\'s own PUBLISH show up in its contacts', { skip, timeout: 90_000 }, async (t) => {
  const s = await startPublishServer(SIP_CONF, { 'extensions.conf': EXTENSIONS }, undefined, {
    beforeSip: [['pbx', createDialplanModule]],
    afterSip: [['presence', createPresenceModule]],
  });
  cleanups.push(() => s.stop());
  assert.match(await s.rx('devstate change Custom:bob NOT_INUSE'), /Changing bob to NOT_INUSE/);
  await s.rx('devstate change Custom:alice NOT_INUSE');
  const alice = await Baresip.start({ user: 'alice', password: 'alicepass', serverPort: s.port, sipPort: await portPair(), ctrlPort: await freePort(), watch: ['bob'], pubint: 0, lifeSec: 80 });
  cleanups.push(() => alice.stop());
  const bobLine = (text: string): string => text.split('\n').find((l) => l.includes('sip:bob@')) ?? '';
  const first = await alice.pollUntil('contacts', (text) => /Online/i.test(bobLine(text)));
  if (process.env.HERALD_TEST_VERBOSE) t.diagnostic(first);
  // presencestate change: dnd goes out as RPID busy, which baresip shows as Busy.
  await s.rx('presencestate change CustomPresence:bob DND');
  await alice.pollUntil('contacts', (text) => /Busy/i.test(bobLine(text)));
  // away goes out as RPID away, which baresip shows as Offline.
  await s.rx('presencestate change CustomPresence:bob AWAY');
  await alice.pollUntil('contacts', (text) => /Offline/i.test(bobLine(text)));
  await s.rx('presencestate change CustomPresence:bob AVAILABLE');
  await alice.pollUntil('contacts', (text) => /Online/i.test(bobLine(text)));
  // bob's own softphone publishes closed (presence_offline) → CustomPresence:bob unavailable →
  // NOTIFY to alice with basic closed → Offline; online again → Online.
  const bob = await Baresip.start({ user: 'bob', password: 'bobpass', serverPort: s.port, sipPort: await portPair(), ctrlPort: await freePort(), pubint: 3600, lifeSec: 60 });
  cleanups.push(() => bob.stop());
  await pollList(s, 'bob', 'available');
  await bob.command('presence_offline');
  await pollList(s, 'bob', 'unavailable');
  await alice.pollUntil('contacts', (text) => /Offline/i.test(bobLine(text)));
  await bob.command('presence_online');
  await alice.pollUntil('contacts', (text) => /Online/i.test(bobLine(text)));
});
