/**
 * Seed 000's macro-DialVM on a real call: 1000 calls 555 in [Local], 555 (a SIPp phone) rings,
 * the caller CANCELs → Dial ends with DIALSTATUS=CANCEL, h runs in macro-DialVM and enters
 * Macro(XMPPSend, …) with "<callerid> just tried to call 555". Jabberstatus/Jabbersend come from
 * the XMPP module; when they are not registered the test puts recorders in their place.
 * Also: parallel legs to every contact of a peer — the first 200 wins and the other phone's
 * CANCEL says "Call completed elsewhere".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from '../helpers/paths.js';
import { runSipp } from '../helpers/sipp.js';
import type { DialplanApplication } from '../../src/pbx/types.js';
import { callee, callScenario, callServerHooks, csv, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
[general]
udpbindaddr = 127.0.0.1:0
allowguest = no
timert1 = 50

[1000]
type = friend
host = dynamic
context = Local
callerid = "Alice" <1000>

[555]
type = friend
host = dynamic
context = Local

[twophones]
type = friend
host = dynamic
context = Local
maxcontacts = 2
`;

const EXTRA = `
[Local](+)
exten => 600,1,Dial(SIP/twophones,10)
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS})
`;

let h: CallServer;
const sent: string[] = [];
let recorders = false;

function recorder(name: string, run: (args: string[], call: Parameters<DialplanApplication['exec']>[0]) => void): DialplanApplication {
  return {
    name,
    synopsis: 'test recorder',
    syntax: `${name}(...)`,
    description: 'records its arguments for the test',
    exec(call) {
      run(call.data.split(','), call);
      return { kind: 'continue' };
    },
  };
}

const skip = callServerHooks(
  () => ({ 'sip.conf': SIP_CONF, 'extensions.conf': readFileSync(fixture('calls', 'seed000', 'extensions.conf'), 'utf8') + EXTRA }),
  (server) => {
    h = server;
    recorders = !h.pbx.apps.get('Jabberstatus') && !h.pbx.apps.get('Jabbersend');
    if (recorders) h.pbx.apps.register(recorder('JabberStatus', (_a, call) => call.channel.setVar('STATUS', '1')));
    if (recorders) h.pbx.apps.register(recorder('JabberSend', (a) => sent.push(a.slice(2).join(','))));
  },
);

test('seed 000: ringing then CANCEL → h in macro-DialVM with DIALSTATUS=CANCEL → Macro(XMPPSend) with the missed-call text', { skip }, async () => {
  const { uas } = await callee(h, '555', 'uas_ring.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_cancel.xml'), target: h.target, inf: csv(h.dir, 'c555.csv', [['1000', '555']]), calls: 1, timeoutSec: 20, args: ['-d', '300'] });
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  await waitUntil(() => h.verbose.some((l) => l.includes('Macro(') && l.includes('XMPPSend')), 5000, 'Macro(XMPPSend) entered');
  const macroLine = h.verbose.find((l) => l.includes('Macro(') && l.includes('XMPPSend')) ?? '';
  assert.match(macroLine, /Executing \[h@macro-DialVM:4\] Macro\("SIP\/1000-[0-9a-f]{8}", "XMPPSend,youraccountreceivingnotifications@gmail\.com,"Alice" <1000> just tried to call 555"\)/);
  assert.ok(h.verbose.some((l) => /Executing \[s@macro-XMPPSend:1\] (Jabberstatus|JabberStatus)/.test(l)));
  if (recorders) assert.deepEqual(sent, ['"Alice" <1000> just tried to call 555']);
  const cdr = h.calls.cdr?.last(1)[0];
  assert.equal(cdr?.dst, '555');
  assert.equal(cdr?.disposition, 'NO ANSWER');
});

test('parallel legs: both contacts ring, the first 200 wins, the other gets CANCEL "Call completed elsewhere"', { skip }, async () => {
  const loser = await callee(h, 'twophones', 'uas_ring_elsewhere.xml', 1);
  const winner = await callee(h, 'twophones', 'uas_answer.xml', 1);
  assert.equal(h.sip.contactsOf('twophones').length, 2);
  const r = await runSipp({ scenario: callScenario('uac_answer.xml'), target: h.target, inf: csv(h.dir, 'c600.csv', [['1000', '600']]), calls: 1, timeoutSec: 20, args: ['-d', '300'] });
  assert.equal(r.successful, 1, summary(r));
  const w = await winner.uas.result;
  assert.equal(w.successful, 1, summary(w));
  const l = await loser.uas.result;
  assert.equal(l.successful, 1, summary(l));
  await waitUntil(() => h.pbx.channels.list().length === 0, 5000, 'channels gone');
  const hs = h.server.context.store.entries('h').map((e) => e.value);
  assert.ok(hs.includes('ANSWER'), JSON.stringify(hs));
});
