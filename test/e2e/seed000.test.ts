/**
 * Seed 000 end to end: the missed-call notification over real SIP and real XMPP.
 *
 * The real `herald` process runs seed 000's jabber.conf (only host, port, passwords and JIDs
 * changed, plus cafile=) and its extensions.conf (the GotoIf line restored; the h extension's
 * buddy is bob@localhost). A SIPp phone registered as 555 rings, the SIPp caller (peer 1000,
 * "Alice", context Local) CANCELs, and bob's own XMPP client on a real Prosody receives
 * `"Alice" <1000> just tried to call 555` — or, when bob is not Online/Chatty, nothing.
 *
 * "Nothing arrives" is checked after herald printed the end of the call's h extension
 * (`Spawn extension (macro-DialVM, h, 5) exited`, the seed's own marker): by then the dialplan
 * has taken its branch, and bob's client is given NO_MESSAGE_WAIT_MS more, far above the
 * measured delivery time (bench/missed-call-xmpp.mjs: a few ms).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { haveSipp, killAllSipp } from '../helpers/sipp.js';
import { startProsody, type ProsodyServer } from '../helpers/prosody.js';
import { startPerson, type Person } from '../xmpp/harness.js';
import {
  XMPP_USERS,
  SEED_BUDDY,
  persistentRoot,
  placeCall,
  seedExtensions,
  seedJabberConf,
  startRig,
  stepsOf,
  waitConnected,
  waitFor,
  waitStatus,
  withJabberNotify,
  type CallOutcome,
  type Rig,
} from './harness.js';

const skip = !haveSipp();
const MISSED_TEXT = '"Alice" <1000> just tried to call 555';
const NO_MESSAGE_WAIT_MS = 300;

let p: ProsodyServer;
before(async () => {
  if (skip) return;
  p = await startProsody({ users: XMPP_USERS });
});
after(async () => {
  killAllSipp();
  await p?.stop();
});

/** Assert bob gets no chat message within NO_MESSAGE_WAIT_MS from now. */
async function assertNoMessage(bob: Person, why: string): Promise<void> {
  const before = bob.messages.length;
  await bob.waitMessage((_body, el) => bob.messages.indexOf(el) >= before, NO_MESSAGE_WAIT_MS).then(
    (m) => assert.fail(`${why}: bob got ${m.getChildText('body')}`),
    () => undefined,
  );
  assert.equal(bob.messages.length, before, why);
}

/** The call ran macro-XMPPSend's "not available" branch and never reached Jabbersend. */
function assertUnavailableBranch(c: CallOutcome): void {
  const steps = stepsOf(c.console, c.channel);
  assert.ok(steps.some((s) => s.startsWith('s@macro-XMPPSend:6] NoOp(') && s.includes('bob@localhost is not available')), steps.join('\n'));
  assert.ok(!steps.some((s) => /JabberSend/i.test(s)), steps.join('\n'));
}

describe('seed 000 restored: bob and the bot on Prosody', { skip }, () => {
  let rig: Rig;
  let bob: Person;
  before(async () => {
    rig = await startRig({ 'jabber.conf': seedJabberConf(p), 'extensions.conf': seedExtensions('restored') });
    bob = await startPerson(p, 'bob', 'bobpass');
    await waitConnected(rig.herald, 2);
    await waitStatus(rig.herald, 'bob@localhost', 1);
  });
  after(async () => {
    await bob?.stop();
    await rig?.stop();
  });

  test('ring, caller CANCELs → bob gets "<name>" <num> just tried to call 555 within 1 s of the CANCEL', async (t) => {
    const arrived = bob.waitMessage((b) => b === MISSED_TEXT, 10000).then((m) => ({ m, at: Date.now() }));
    const c = await placeCall(rig, 'missed', { waitCallee: true });
    const { m, at } = await arrived;
    assert.equal(c.callee?.successful, 1, 'the callee saw INVITE, CANCEL and the ACK of its 487');
    assert.notEqual(c.cancelAt, null, 'CANCEL time from the SIPp message trace');
    const latency = at - c.cancelAt!;
    assert.ok(latency >= 0 && latency < 1000, `CANCEL → message took ${latency} ms`);
    t.diagnostic(`CANCEL (SIPp's message trace) → bob's client: ${latency.toFixed(1)} ms`);
    assert.equal(m.attrs.from, 'pbx@localhost/pbx');
    assert.equal(m.attrs.type, 'chat');
    const steps = stepsOf(c.console, c.channel);
    assert.ok(steps.includes(`h@macro-DialVM:4] Macro("${c.channel}", "XMPPSend,bob@localhost,${MISSED_TEXT}") in new stack`), steps.join('\n'));
    assert.ok(steps.includes(`s@macro-XMPPSend:4] JabberSend("${c.channel}", "asterisk,bob@localhost,${MISSED_TEXT}") in new stack`), steps.join('\n'));
  });

  for (const [show, status] of [['away', 3], ['xa', 4], ['dnd', 5]] as const) {
    test(`bob ${show} (status ${status}) → no message`, async () => {
      await bob.presence({ show });
      await waitStatus(rig.herald, 'bob@localhost', status);
      const c = await placeCall(rig, 'missed');
      assertUnavailableBranch(c);
      await assertNoMessage(bob, `bob is ${show}`);
    });
  }

  test('answered call → no message (DIALSTATUS ANSWER takes notmissed)', async () => {
    await bob.presence({});
    await waitStatus(rig.herald, 'bob@localhost', 1);
    const c = await placeCall(rig, 'answered');
    assert.equal(c.callee?.successful, 1);
    const steps = stepsOf(c.console, c.channel);
    assert.ok(steps.some((s) => s.startsWith('h@macro-DialVM:3] GotoIf(') && s.includes('"0?missed:notmissed"')), steps.join('\n'));
    assert.ok(!steps.some((s) => s.includes('XMPPSend')), steps.join('\n'));
    await assertNoMessage(bob, 'answered call');
  });

  test('bob offline (status 6) → no message', async () => {
    await bob.stop();
    await waitStatus(rig.herald, 'bob@localhost', 6);
    const c = await placeCall(rig, 'missed');
    assertUnavailableBranch(c);
    // bob comes back: nothing was kept for him (Jabbersend does not queue).
    bob = await startPerson(p, 'bob', 'bobpass');
    await waitStatus(rig.herald, 'bob@localhost', 1);
    await assertNoMessage(bob, 'bob was offline');
  });

  test('Prosody restarted → herald reconnects and the next missed call is notified', async (t) => {
    const from = rig.herald.output().length;
    const t0 = Date.now();
    await p.restart();
    await bob.stop();
    // The bot saw its stream end (so "Connected" below is a new connection), then logs in again.
    // Prosody closes streams with system-shutdown on SIGTERM; a harder end reads "connection … lost".
    const dropped = /xmpp asterisk: (pbx@localhost\/pbx via xmpp:\/\/127\.0\.0\.1:\d+: stream error from server: system-shutdown|connection to xmpp:\/\/127\.0\.0\.1:\d+ lost)/;
    await waitFor('the bot to see Prosody go', () => dropped.test(rig.herald.output().slice(from)), 10000);
    await waitConnected(rig.herald, 2, 20000);
    t.diagnostic(`Prosody restart → both accounts Connected again after ${Date.now() - t0} ms`);
    bob = await startPerson(p, 'bob', 'bobpass');
    await waitStatus(rig.herald, 'bob@localhost', 1);
    const arrived = bob.waitMessage((b) => b === MISSED_TEXT, 10000);
    await placeCall(rig, 'missed');
    await arrived;
  });
});

describe('seed 000 restored: bob not in the bot\'s roster', { skip }, () => {
  test('status 7 → no message', async (t) => {
    // Another bot account whose roster never had bob (its buddy is carol).
    const rig = await startRig({
      'jabber.conf': seedJabberConf(p, { asteriskUser: 'lonely@localhost/pbx', asteriskBuddies: ['carol@localhost'] }),
      'extensions.conf': seedExtensions('restored'),
    });
    t.after(() => rig.stop());
    const bob = await startPerson(p, 'bob', 'bobpass', { resource: 'desk' });
    t.after(() => bob.stop());
    await waitConnected(rig.herald, 2);
    await waitStatus(rig.herald, 'bob@localhost', 7);
    const c = await placeCall(rig, 'missed');
    const steps = stepsOf(c.console, c.channel);
    assert.ok(steps.some((s) => s.startsWith('s@macro-XMPPSend:2] GotoIf(') && s.includes('"0?available:unavailable"')), steps.join('\n'));
    assertUnavailableBranch(c);
    await assertNoMessage(bob, 'bob is not in the roster');
  });
});

describe('nothing lost: macro-XMPPSend with JabberNotify', { skip }, () => {
  test('bob away → kept; bob back → delivered with its original time; also across a herald restart', async (t) => {
    const files = { 'jabber.conf': seedJabberConf(p), 'extensions.conf': withJabberNotify(seedExtensions('restored')) };
    const root = persistentRoot();
    t.after(() => root.remove());
    let rig = await startRig(files, { dir: root.dir });
    t.after(() => rig.stop());
    const bob = await startPerson(p, 'bob', 'bobpass', { show: 'away' });
    t.after(() => bob.stop());
    await waitConnected(rig.herald, 2);
    await waitStatus(rig.herald, 'bob@localhost', 3);

    const expectDelivery = async (callStart: number, callEnd: number, after: number): Promise<void> => {
      const m = await bob.waitMessage((b, el) => bob.messages.indexOf(el) >= after && b.startsWith(`${MISSED_TEXT} (sent at `), 10000);
      const stamp = m.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp as string | undefined;
      assert.ok(stamp, m.toString());
      const at = Date.parse(stamp);
      assert.ok(at >= callStart - 1 && at <= callEnd + 1, `delay stamp ${stamp} outside the call ${new Date(callStart).toISOString()}..${new Date(callEnd).toISOString()}`);
      const d = new Date(at);
      const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
      assert.equal(m.getChildText('body'), `${MISSED_TEXT} (sent at ${hm})`);
    };

    // 1. Away: the message is kept, nothing arrives; back online: it arrives.
    let t0 = Date.now();
    let c = await placeCall(rig, 'missed');
    let t1 = Date.now();
    assert.ok(stepsOf(c.console, c.channel).some((s) => s.startsWith('s@macro-XMPPSend:1] JabberNotify(')));
    assert.match(await rig.herald.rx('xmpp show queue'), new RegExp(`bob@localhost .*${MISSED_TEXT}\\n1 queued message`));
    await assertNoMessage(bob, 'bob is away');
    await bob.presence({});
    await expectDelivery(t0, t1, 0);
    await waitFor('queue empty', async () => /^0 queued messages/m.test(await rig.herald.rx('xmpp show queue')));

    // 2. Away again, a missed call, herald stops and a new one starts on the same directory.
    const seen = bob.messages.length;
    await bob.presence({ show: 'xa' });
    await waitStatus(rig.herald, 'bob@localhost', 4);
    t0 = Date.now();
    c = await placeCall(rig, 'missed');
    t1 = Date.now();
    assert.match(c.console, /JabberNotify: bob@localhost is 4; message kept for up to 86400 s/);
    assert.match(await rig.herald.rx('xmpp show queue'), /\n1 queued message/);
    await rig.stop();
    rig = await startRig(files, { dir: root.dir, sipPort: rig.sipPort });
    assert.match(await rig.herald.rx('xmpp show queue'), new RegExp(`bob@localhost .*${MISSED_TEXT}\\n1 queued message`));
    await waitConnected(rig.herald, 2);
    await waitStatus(rig.herald, 'bob@localhost', 4);
    assert.equal(bob.messages.length, seen, 'nothing delivered while bob is xa');
    await bob.presence({ show: 'chat' });
    await expectDelivery(t0, t1, seen);
    assert.equal(bob.messages.length, seen + 1);
  });
});

describe('seed 000 as published (mangled GotoIf)', { skip }, () => {
  test('loads unchanged and a missed call runs to the end of h without crashing', async (t) => {
    const rig = await startRig({ 'jabber.conf': seedJabberConf(p), 'extensions.conf': seedExtensions('published', null) });
    t.after(() => rig.stop());
    await waitConnected(rig.herald, 2);
    const c = await placeCall(rig, 'missed');
    const steps = stepsOf(c.console, c.channel);
    assert.ok(steps.some((s) => s.startsWith(`h@macro-DialVM:4] Macro("${c.channel}", "XMPPSend,${SEED_BUDDY},${MISSED_TEXT}")`)), steps.join('\n'));
    assert.ok(steps.some((s) => s.startsWith('s@macro-XMPPSend:2] GotoIf(')), steps.join('\n'));
    // As in Asterisk: the unclosed $[ is reported, GotoIf gets no '?' and takes no branch.
    assert.match(c.console, /WARNING\[\d+\]: herald: Error in extension logic \(missing '\]'\)/);
    assert.ok(steps.some((s) => s.startsWith('s@macro-XMPPSend:3] JabberSend(')), steps.join('\n'));
    // The server is still up and idle.
    assert.match(await rig.herald.rx('core show channels'), /0 active channels/);
    assert.equal(rig.herald.proc.exitCode, null);
  });
});
