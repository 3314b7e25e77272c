/**
 * A real SIPp watcher against herald: digest-authenticated SUBSCRIBE, the first NOTIFY, a
 * NOTIFY for a custom presence change (SIPp is not a Digium phone), the challenged
 * unSUBSCRIBE and the terminated NOTIFY. auth_algorithms = MD5 because SIPp 3.6 answers MD5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../helpers/paths.js';
import { freePort } from '../helpers/server.js';
import { haveSipp, killAllSipp, startSipp } from '../helpers/sipp.js';
import { sipConf, EXTENSIONS_CONF } from './config.js';
import { startPresenceServer } from './harness.js';

const scen = (name: string): string => fixture('presence', 'sipp', name);

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('SIPp watcher: SUBSCRIBE with digest, NOTIFYs for presence changes, unSUBSCRIBE', { skip: haveSipp() ? false : 'sipp not installed' }, async (t) => {
  const port = await freePort();
  const h = await startPresenceServer({ 'sip.conf': sipConf(port, 'auth_algorithms=MD5'), 'extensions.conf': EXTENSIONS_CONF });
  t.after(async () => {
    killAllSipp();
    await h.stop();
  });
  const run = startSipp({ scenario: scen('subscribe_presence_auth.xml'), inf: scen('users_2000.csv'), target: `127.0.0.1:${port}`, calls: 1, timeoutSec: 30 });
  let ended = false;
  void run.result.then(() => (ended = true));
  await waitFor(async () => ended || /\n1 active SIP subscription\n$/.test(await h.rx('sip show subscriptions')), 15000, 'the SIPp subscription');
  if (ended) {
    const early = await run.result;
    assert.fail(`SIPp ended before subscribing: ${early.errors}${early.stderr}`);
  }
  assert.match(await h.rx('presencestate change CustomPresence:6002 AWAY'), /Changing 6002 to AWAY/);
  const r = await run.result;
  assert.equal(r.failed, 0, r.errors + r.stderr);
  assert.equal(r.successful, 1, r.errors + r.stderr);
  assert.equal(r.unexpected, 0, r.errors);
  assert.match(await h.rx('sip show subscriptions'), /\n0 active SIP subscriptions\n$/);
});
