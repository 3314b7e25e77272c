/**
 * Busy-lamp NOTIFYs name the caller of a ringing peer: the calls module hands the presence module
 * a ringing-caller source, so a dialog-info watcher of the peer's hint sees, in the early state,
 * `<remote><identity display="Alice">sip:1000@…` (the caller's CALLERID), and the plain
 * terminated state again once the caller CANCELs. Units: the hint-device → peer mapping and the
 * choice of the newest ringing leg.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startServer, type RunningServer } from '../../src/server.js';
import { MODULES } from '../../src/modules.js';
import type { SipModule } from '../../src/registrar/module.js';
import { PeerCalls } from '../../src/channels/sip/device-state.js';
import { SipChannel } from '../../src/channels/sip/sip-channel.js';
import { newestRingingCaller, ringingCallerSource, sipPeersOfDevices } from '../../src/channels/sip/ringing-caller.js';
import { freePort } from '../helpers/server.js';
import { haveSipp, killAllSipp, runSipp, startSipp } from '../helpers/sipp.js';
import { inDialog, TestUa } from '../presence/ua.js';
import { callScenario, csv, summary } from './harness.js';

const SIP_CONF = `
[general]
udpbindaddr = 127.0.0.1:0
allowguest = no
allowsubscribe = yes
subscribecontext = from-sip
timert1 = 50

[1000]
type = friend
host = dynamic
context = from-sip
callerid = "Alice" <1000>

[ringer]
type = friend
host = dynamic
context = from-sip

[watcher]
type = friend
host = dynamic
secret = watchpass
context = from-sip
`;

const EXTENSIONS = `
[from-sip]
exten => 2001,hint,SIP/ringer
exten => 2001,1,Dial(SIP/ringer,20)
`;

const skip = !haveSipp();
let root = '';
let dir = '';
let server: RunningServer | null = null;
let port = 0;

before(async () => {
  if (skip) return;
  root = mkdtempSync(join(tmpdir(), 'herald-ringing-'));
  dir = join(root, 'etc');
  mkdirSync(dir);
  writeFileSync(join(dir, 'sip.conf'), SIP_CONF);
  writeFileSync(join(dir, 'extensions.conf'), EXTENSIONS);
  // The real start order of src/modules.ts: calls before presence.
  const wanted = new Set(['state', 'pbx', 'sip', 'calls', 'presence']);
  server = await startServer({
    configDir: dir,
    verbosity: 0,
    quiet: true,
    foreground: false,
    processHooks: false,
    logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
    consoleWrite: () => undefined,
    modules: MODULES.filter((m) => wanted.has(m.name)),
  });
  const ep = server.context.getModule<SipModule>('sip')?.boundEndpoints().find((e) => e.proto === 'UDP');
  if (!ep) throw new Error('SIP did not bind UDP');
  port = ep.port;
});
after(async () => {
  killAllSipp();
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const body = (n: { body: Buffer }): string => n.body.toString('utf8');

test('dialog-info watcher of a ringing peer sees the caller in the early state, then terminated after CANCEL', { skip }, async (t) => {
  const target = `127.0.0.1:${port}`;
  // The ringing phone: a SIPp UAS registered as `ringer`, ringing until CANCELed.
  const uasPort = await freePort();
  const uas = startSipp({ scenario: callScenario('uas_ring.xml'), target, calls: 1, timeoutSec: 30, args: ['-p', String(uasPort)] });
  const reg = await runSipp({ scenario: callScenario('register.xml'), target, inf: csv(dir, 'reg.csv', [['ringer']]), calls: 1, timeoutSec: 10, args: ['-key', 'contact_port', String(uasPort)] });
  assert.equal(reg.successful, 1, summary(reg));

  const watcher = await TestUa.open('watcher', 'watchpass', port);
  t.after(() => watcher.close());
  const sub = await watcher.subscribe({ to: '2001', event: 'dialog', accept: ['application/dialog-info+xml'], expires: 600 });
  assert.equal(sub.res.status, 200);
  const idle = await watcher.waitNotify(inDialog(sub.dialog));
  assert.match(body(idle), /<state>terminated<\/state>/);
  assert.doesNotMatch(body(idle), /<remote>/);

  // Alice (peer 1000, callerid "Alice" <1000>) calls 2001 and CANCELs after 2 s of ringing.
  const mark = watcher.notifies.length;
  const caller = startSipp({ scenario: callScenario('uac_cancel.xml'), target, inf: csv(dir, 'call.csv', [['1000', '2001']]), calls: 1, timeoutSec: 20, args: ['-d', '2000'] });
  const early = await watcher.waitNotify((n) => inDialog(sub.dialog)(n) && body(n).includes('<state>early</state>'), 5000, mark);
  const text = body(early);
  assert.match(text, /<dialog id="2001" direction="recipient">/);
  assert.match(text, /<remote>\n {3}<identity display="Alice">sip:1000@127\.0\.0\.1<\/identity>\n {3}<target uri="sip:1000@127\.0\.0\.1" \/>\n {2}<\/remote>/);

  const from = watcher.notifies.indexOf(early) + 1;
  const ended = await watcher.waitNotify((n) => inDialog(sub.dialog)(n) && body(n).includes('<state>terminated</state>'), 8000, from);
  assert.doesNotMatch(body(ended), /<remote>/);
  const r = await caller.result;
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
});

function leg(name: string, seq: number, state: string, num: string, cidName: string, direction: 'inbound' | 'outbound' = 'outbound'): SipChannel {
  return new SipChannel({ name, uniqueid: `1700000000.${seq}`, direction, peer: name.split('/')[1]?.split('-')[0] ?? null, callId: name, state, callerId: { num, name: cidName } });
}

test('units: SIP/<peer> devices map to peers; the newest ringing outbound leg names the caller; null unless the hint rings', () => {
  assert.deepEqual(sipPeersOfDevices(['SIP/ringer', 'sip/Other', 'Custom:lamp', 'PJSIP/x', 'SIP/', 'SIP/p/123']), ['ringer', 'Other', 'p']);
  const calls = new PeerCalls();
  assert.equal(newestRingingCaller(['ringer'], calls), null);
  const older = leg('SIP/ringer-00000001', 2, 'Ringing', '1000', 'Alice');
  const newer = leg('SIP/other-00000002', 5, 'Ringing', '1001', 'Bob');
  const answered = leg('SIP/ringer-00000003', 9, 'Up', '1002', 'Carol');
  const inbound = leg('SIP/ringer-00000004', 12, 'Ringing', '1003', 'Dave', 'inbound');
  for (const c of [older, newer, answered, inbound]) calls.update(c, false);
  assert.deepEqual(newestRingingCaller(['ringer'], calls), { number: '1000', name: 'Alice' });
  assert.deepEqual(newestRingingCaller(['RINGER', 'other'], calls), { number: '1001', name: 'Bob' });
  calls.update(newer, true);
  assert.deepEqual(newestRingingCaller(['ringer', 'other'], calls), { number: '1000', name: 'Alice' });

  let state = 8;
  const source = ringingCallerSource({ find: (context, exten) => (context === 'from-sip' && exten === '2001' ? { devices: ['SIP/ringer'], state } : undefined) }, calls);
  assert.deepEqual(source('from-sip', '2001'), { number: '1000', name: 'Alice' });
  assert.equal(source('from-sip', '2002'), null);
  state = 1;
  assert.equal(source('from-sip', '2001'), null);
});
