#!/usr/bin/env node
// XMPP notification latency: from a dialplan channel reaching JabberSend (the application is
// called through the real engine, pbx and xmpp modules) to the chat message arriving at bob's
// own @xmpp/client, through a real Prosody on 127.0.0.1 (STARTTLS). 200 messages one after the
// other (after 20 warm-up ones); prints p50/p99/max. Target: p50 <= 20 ms, p99 <= 50 ms.
// The full bench from a SIP CANCEL to the message needs SIP calls and comes with them.
// Uses the compiled tree: dist/ by default, or HERALD_BUILD_DIR (e.g. /tmp/hb-h12).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
const build = process.env.HERALD_BUILD_DIR ?? join(root, 'dist');
const load = (p) => import(pathToFileURL(join(build, p)).href);
const { startProsody } = await load('test/helpers/prosody.js');
const { startStack, startPerson, jabberConf, waitFor } = await load('test/xmpp/harness.js');

const COUNT = Number(process.argv[2] ?? 200);
const WARMUP = 20;

const prosody = await startProsody({ users: { pbx: 'pbxpass', bob: 'bobpass' } });
let stack;
let bob;
try {
  bob = await startPerson(prosody, 'bob', 'bobpass');
  stack = await startStack({
    'jabber.conf': jabberConf(prosody, { user: 'pbx', secret: 'pbxpass', buddies: ['bob@localhost'] }),
    'extensions.conf': '[bench]\nexten => _X.,1,JabberSend(asterisk,bob@localhost,Missed call from ${CALLERID(num)} #${EXTEN})\n same => n,Hangup()\n',
  });
  await waitFor('Connected', async () => / - Connected/.test(await stack.rx('xmpp show connections')), 15000);
  const samples = [];
  let appMax = 0;
  for (let i = 0; i < WARMUP + COUNT; i++) {
    const exten = String(100000 + i);
    const want = `Missed call from 2000 #${exten}`;
    const arrived = bob.waitMessage((b) => b === want, 5000);
    const t0 = performance.now();
    await stack.run('bench', exten);
    const tApp = performance.now() - t0;
    await arrived;
    const t1 = performance.now();
    if (i >= WARMUP) {
      samples.push(t1 - t0);
      appMax = Math.max(appMax, tApp);
    }
  }
  samples.sort((a, b) => a - b);
  const pct = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  console.log(`JabberSend -> bob's client, ${COUNT} messages via Prosody (STARTTLS) on 127.0.0.1:`);
  console.log(`  p50 ${pct(0.5).toFixed(2)} ms   p99 ${pct(0.99).toFixed(2)} ms   max ${samples.at(-1).toFixed(2)} ms   (target p50 <= 20, p99 <= 50)`);
  console.log(`  dialplan run incl. JabberSend (returns without waiting for the network): max ${appMax.toFixed(2)} ms`);
} finally {
  await stack?.stop();
  await bob?.stop();
  await prosody.stop();
}
