/**
 * INVITE authentication as chan_sip does it: a peer with a secret is challenged with 401; the
 * right password gets through to the dialplan (here Busy() → 486 at once), a wrong one gets 403;
 * a peer with insecure=invite is not challenged; an unknown caller is refused with allowguest=no.
 * A sip.conf reload that rebinds the SIP stack keeps calls working on the new one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSipp } from '../helpers/sipp.js';
import { freePort } from '../helpers/server.js';
import { callScenario, callServerHooks, csv, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
[general]
udpbindaddr = 127.0.0.1:0
allowguest = no
auth_algorithms = MD5

[secure]
type = friend
host = dynamic
secret = s3cret
context = from-sip

[trusted]
type = friend
host = dynamic
secret = s3cret
insecure = invite
context = from-sip
`;

const EXTENSIONS = `
[from-sip]
exten => 105,1,Busy()
exten => h,1,Set(DB(h/\${CALLERID(num)})=\${HANGUPCAUSE})
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

test('401 challenge, right password → dialplan runs (Busy → 486, h with cause 17)', { skip }, async () => {
  const r = await runSipp({ scenario: callScenario('uac_auth.xml'), target: h.target, inf: csv(h.dir, 'a.csv', [['secure', '105']]), calls: 1, timeoutSec: 20, authUser: 'secure', authPassword: 's3cret' });
  assert.equal(r.successful, 1, summary(r));
  await waitUntil(() => h.server.context.store.get('h', 'secure') !== undefined, 5000, 'h');
  assert.equal(h.server.context.store.get('h', 'secure'), '17');
  await waitUntil(() => h.pbx.channels.list().length === 0, 5000, 'channel gone');
});

test('wrong password → 403 and no channel', { skip }, async () => {
  const before = h.calls.cdr?.counts().posted ?? 0;
  const r = await runSipp({ scenario: callScenario('uac_auth.xml'), target: h.target, inf: csv(h.dir, 'b.csv', [['secure', '105']]), calls: 1, timeoutSec: 20, authUser: 'secure', authPassword: 'wrong' });
  assert.equal(r.successful, 1, summary(r));
  assert.equal(h.calls.cdr?.counts().posted ?? 0, before);
});

test('insecure=invite: no challenge; unknown caller with allowguest=no: 403', { skip }, async () => {
  const ok = await runSipp({ scenario: callScenario('uac_fail.xml'), target: h.target, inf: csv(h.dir, 'c.csv', [['trusted', '105']]), calls: 1, timeoutSec: 20 });
  assert.equal(ok.successful, 1, summary(ok));
  await waitUntil(() => h.server.context.store.get('h', 'trusted') === '17', 5000, 'h for trusted');
  const r = await runSipp({ scenario: callScenario('uac_fail.xml'), target: h.target, inf: csv(h.dir, 'd.csv', [['stranger', '105']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.failed, 1, 'a 403 is not one of the statuses uac_fail accepts');
  assert.match(r.errors, /403 Forbidden/);
});

test('sip.conf reload onto another port: calls follow the new stack', { skip }, async () => {
  const port = await freePort();
  writeFileSync(join(h.dir, 'sip.conf'), SIP_CONF.replace('udpbindaddr = 127.0.0.1:0', `udpbindaddr = 127.0.0.1:${port}`));
  const results = await h.server.reload('sip');
  assert.ok(results.every((r) => r.ok), JSON.stringify(results));
  assert.equal(h.sip.boundEndpoints()[0]?.port, port);
  const r = await runSipp({ scenario: callScenario('uac_fail.xml'), target: `127.0.0.1:${port}`, inf: csv(h.dir, 'e.csv', [['trusted', '105']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  // SIPp is done once it has sent its ACK; herald ends the channel when that ACK arrives.
  await waitUntil(() => h.pbx.channels.list().length === 0, 5000, 'channel gone');
  assert.match(await h.rx('sip show channels'), /0 active SIP channels/);
});
