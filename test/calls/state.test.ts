/**
 * Device state from calls, hold, in-dialog relay and the channel CLI:
 *  - SIP/<peer>: UNAVAILABLE unregistered, NOT_INUSE registered and idle, RINGING while its phone
 *    rings, INUSE in a call, ONHOLD after its hold re-INVITE, back to NOT_INUSE after;
 *  - a hold re-INVITE and a DTMF INFO from the caller reach the callee and the answers come back;
 *  - `sip show inuse`, `core show channel`, `sip show channels`, `channel request hangup`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp, startSipp } from '../helpers/sipp.js';
import type { StateModule } from '../../src/state/module.js';
import { callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = `
[general]
udpbindaddr = 127.0.0.1:0
allowguest = no
timert1 = 50
${dynamicFriends('from-sip', ['1000', '2000', 'ringer'])}`;

const EXTENSIONS = `
[from-sip]
exten => 100,1,Dial(SIP/2000,5)
exten => 104,1,Dial(SIP/ringer,20)
`;

let h: CallServer;
const changes: string[] = [];
const skip = callServerHooks(
  () => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }),
  (server) => {
    h = server;
    h.server.context.bus.on('DeviceStateChanged', (e) => changes.push(`${e.device}=${e.state}`));
  },
);

function devState(dev: string): string {
  const state = h.server.context.getModule<StateModule>('state');
  return state ? state.devices.getState(dev) : '';
}

test('device state follows registration, ringing, the call and hold; re-INVITE and INFO are relayed', { skip }, async () => {
  assert.equal(devState('SIP/2000'), 'UNAVAILABLE');
  const { uas } = await callee(h, '2000', 'uas_hold.xml', 1);
  await callee(h, '1000', 'uas_busy.xml', 0).then((c) => c.uas.kill());
  assert.equal(devState('SIP/2000'), 'NOT_INUSE');
  changes.length = 0;
  const r = await runSipp({ scenario: callScenario('uac_hold.xml'), target: h.target, inf: csv(h.dir, 'hold.csv', [['1000', '100']]), calls: 1, timeoutSec: 20, args: ['-d', '300'] });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await waitUntil(() => h.pbx.channels.list().length === 0, 5000, 'channels gone');
  const of = (dev: string): string[] => changes.filter((c) => c.startsWith(`${dev}=`)).map((c) => c.slice(dev.length + 1));
  assert.deepEqual(of('SIP/2000'), ['RINGING', 'INUSE', 'NOT_INUSE']);
  assert.deepEqual(of('SIP/1000'), ['INUSE', 'ONHOLD', 'NOT_INUSE']);
});

test('CLI while a call rings: sip show inuse, core show channel, sip show channels; channel request hangup ends it', { skip }, async () => {
  const { uas } = await callee(h, 'ringer', 'uas_ring.xml', 1);
  const caller = startSipp({ scenario: callScenario('uac_fail.xml'), target: h.target, inf: csv(h.dir, 'cli.csv', [['1000', '104']]), calls: 1, timeoutSec: 20 });
  await waitUntil(() => devState('SIP/ringer') === 'RINGING', 5000, 'ringing');
  assert.match(await h.rx('sip show inuse'), /\nringer\s+0\/1\/0\s+N\/A/);
  const inbound = h.pbx.channels.list().find((c) => c.name.startsWith('SIP/1000-'));
  assert.ok(inbound);
  const shown = await h.rx(`core show channel ${inbound.name}`);
  assert.match(shown, /Application: Dial/);
  assert.match(shown, /Data: SIP\/ringer,20/);
  assert.match(await h.rx('sip show channels'), /2 active SIP channels/);
  assert.match(await h.rx('core show channel SIP/nobody-1'), /is not a known channel/);
  assert.match(await h.rx(`channel request hangup ${inbound.name}`), /Requested Hangup on channel 'SIP\/1000-/);
  const r = await caller.result;
  assert.equal(r.successful, 1, summary(r));
  assert.equal((await uas.result).successful, 1);
  await waitUntil(() => h.pbx.channels.list().length === 0, 5000, 'channels gone');
  assert.equal(devState('SIP/ringer'), 'NOT_INUSE');
});
