import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../helpers/server.js';
import { sipConf, EXTENSIONS_CONF } from './config.js';
import { startPresenceServer, type PresenceServer } from './harness.js';
import { inDialog, TestUa } from './ua.js';

async function setup(t: { after(fn: () => Promise<void> | void): void }, extraGeneral = '', extraPeers = ''): Promise<{ h: PresenceServer; watcher: TestUa; phone: TestUa }> {
  const port = await freePort();
  const h = await startPresenceServer({ 'sip.conf': sipConf(port, extraGeneral, extraPeers), 'extensions.conf': EXTENSIONS_CONF });
  const watcher = await TestUa.open('2000', '2000pass', port);
  const phone = await TestUa.open('6002', '6002pass', port);
  t.after(async () => {
    watcher.close();
    phone.close();
    await h.stop();
  });
  return { h, watcher, phone };
}

const body = (n: { body: Buffer }): string => n.body.toString('utf8');

test('SUBSCRIBE presence and dialog: 200, first NOTIFY at once, CLI listing, changes, unsubscribe', async (t) => {
  const { h, watcher, phone } = await setup(t);
  const pres = await watcher.subscribe({ to: '6002', event: 'presence', accept: ['application/pidf+xml'], expires: 3600 });
  assert.equal(pres.res.status, 200);
  assert.equal(pres.res.headers.get('Expires'), '3600');
  assert.match(pres.res.headers.get('Contact') ?? '', /^<sip:6002@127\.0\.0\.1:\d+>;expires=3600$/);
  const first = await watcher.waitNotify(inDialog(pres.dialog));
  assert.equal(first.headers.get('Event'), 'presence');
  assert.match(first.headers.get('Subscription-State') ?? '', /^active;expires=(3600|3599)$/);
  assert.equal(first.headers.get('Content-Type'), 'application/pidf+xml');
  assert.equal(first.cseq.seq, 102);
  assert.equal(first.fromTag, pres.dialog.toTag);
  // 6002 is not registered: Unavailable, closed; the entity is the presentity.
  assert.match(body(first), /entity="sip:6002@127\.0\.0\.1"/);
  assert.match(body(first), /<basic>closed<\/basic>/);
  assert.match(body(first), /<note>Unavailable<\/note>/);

  const dlg = await watcher.subscribe({ to: '6002', event: 'dialog', accept: ['application/dialog-info+xml'] });
  assert.equal(dlg.res.status, 200);
  assert.equal(dlg.res.headers.get('Expires'), '3600');
  const d0 = await watcher.waitNotify(inDialog(dlg.dialog));
  assert.match(body(d0), /version="0" state="full" entity="sip:6002@127\.0\.0\.1"/);
  assert.match(body(d0), /<state>terminated<\/state>/);

  const listing = await h.rx('sip show subscriptions');
  const lines = listing.split('\n');
  assert.equal(lines[0], 'Peer             User             Call ID          Extension        Last state     Type            Mailbox    Expiry');
  assert.equal(lines[1], `127.0.0.1        2000             ${dlg.dialog.callId.slice(0, 15)}  6002@from-inter  Unavailable    dialog-info+xml <none>     003600`);
  assert.equal(lines[2], `127.0.0.1        2000             ${pres.dialog.callId.slice(0, 15)}  6002@from-inter  Unavailable    pidf+xml        <none>     003600`);
  assert.equal(lines[3], '2 active SIP subscriptions');

  // Custom presence reaches an ordinary (non-Digium) phone as RPID.
  let mark = watcher.notifies.length;
  assert.match(await h.rx('presencestate change CustomPresence:6002 "AWAY,lunch,Out to lunch"'), /Changing 6002 to AWAY/);
  const away = await watcher.waitNotify(inDialog(pres.dialog), 5000, mark);
  assert.match(body(away), /<rpid:away \/>/);
  assert.match(body(away), /<dm:note>Out to lunch<\/dm:note>/);
  assert.ok(away.cseq.seq > first.cseq.seq);
  mark = watcher.notifies.length;
  await h.rx('presencestate change CustomPresence:6002 UNAVAILABLE');
  const unavailable = await watcher.waitNotify(inDialog(pres.dialog), 5000, mark);
  assert.match(body(unavailable), /<basic>closed<\/basic>/);
  assert.match(body(unavailable), /<rpid:away \/>/);
  assert.doesNotMatch(body(unavailable), /Out to lunch/);

  // REGISTER of 6002: device state → NOTIFYs on both subscriptions.
  mark = watcher.notifies.length;
  assert.equal((await phone.register(3600)).status, 200);
  const ready = await watcher.waitNotify((n) => inDialog(pres.dialog)(n) && /<note>Ready<\/note>/.test(body(n)), 5000, mark);
  assert.match(body(ready), /<rpid:away \/>/, 'custom presence still unavailable');
  const d1 = await watcher.waitNotify(inDialog(dlg.dialog), 5000, mark);
  assert.match(body(d1), /version="1"/);
  mark = watcher.notifies.length;
  assert.equal((await phone.register(0)).status, 200);
  await watcher.waitNotify((n) => inDialog(pres.dialog)(n) && /<note>Unavailable<\/note>/.test(body(n)), 5000, mark);
  const d2 = await watcher.waitNotify(inDialog(dlg.dialog), 5000, mark);
  assert.match(body(d2), /version="2"/);

  // Unsubscribe: 200 with Expires 0, a final NOTIFY saying terminated (no reason: RFC 6665 has none for it).
  mark = watcher.notifies.length;
  const un = await watcher.subscribe({ to: '6002', event: 'presence', accept: ['application/pidf+xml'], expires: 0, dialog: pres.dialog });
  assert.equal(un.res.status, 200);
  assert.equal(un.res.headers.get('Expires'), '0');
  const last = await watcher.waitNotify(inDialog(pres.dialog), 5000, mark);
  assert.equal(last.headers.get('Subscription-State'), 'terminated');
  assert.match(await h.rx('sip show subscriptions'), /\n1 active SIP subscription\n$/);
  // The dialog is gone: a refresh is 481.
  const again = await watcher.subscribe({ to: '6002', event: 'presence', accept: ['application/pidf+xml'], expires: 600, dialog: pres.dialog });
  assert.equal(again.res.status, 481);
});

test('refusals: 489 without or with an unknown Event, 404 without hint, 423 below the minimum, 403 wrong password, 481 unknown dialog', async (t) => {
  const { watcher } = await setup(t);
  const noEvent = await watcher.subscribe({ to: '6002', accept: ['application/pidf+xml'], expires: 600 });
  assert.equal(noEvent.res.status, 489);
  assert.equal(noEvent.res.headers.get('Allow-Events'), 'presence, dialog, message-summary');
  const unknown = await watcher.subscribe({ to: '6002', event: 'reg', expires: 600 });
  assert.equal(unknown.res.status, 489);
  const badAccept = await watcher.subscribe({ to: '6002', event: 'presence', accept: ['text/plain'], expires: 600 });
  assert.equal(badAccept.res.status, 489);
  const noHint = await watcher.subscribe({ to: '7000', event: 'presence', expires: 600 });
  assert.equal(noHint.res.status, 404);
  const brief = await watcher.subscribe({ to: '6002', event: 'presence', expires: 10 });
  assert.equal(brief.res.status, 423);
  assert.equal(brief.res.headers.get('Min-Expires'), '60');
  const wrong = await watcher.subscribe({ to: '6002', event: 'presence', expires: 600, password: 'nope' });
  assert.equal(wrong.res.status, 403);
  const d = watcher.newDialog('6002');
  d.toTag = 'nosuchtag';
  const stray = await watcher.subscribe({ to: '6002', event: 'presence', expires: 600, dialog: d });
  assert.equal(stray.res.status, 481);
  // Without Accept the package default; over the maximum is capped.
  const dflt = await watcher.subscribe({ to: '6002', event: 'presence', expires: 99999 });
  assert.equal(dflt.res.status, 200);
  assert.equal(dflt.res.headers.get('Expires'), '3600');
  const n = await watcher.waitNotify(inDialog(dflt.dialog));
  assert.equal(n.headers.get('Content-Type'), 'application/pidf+xml');
});

test('message-summary: the peer\'s own mailbox, 0/0 until voicemail exists', async (t) => {
  const { h, watcher } = await setup(t);
  const mwi = await watcher.subscribe({ to: '2000', event: 'message-summary', accept: ['application/simple-message-summary'], expires: 600 });
  assert.equal(mwi.res.status, 200);
  const n = await watcher.waitNotify(inDialog(mwi.dialog));
  assert.equal(n.headers.get('Content-Type'), 'application/simple-message-summary');
  assert.match(body(n), /^Messages-Waiting: no\r\nMessage-Account: sip:asterisk@127\.0\.0\.1:\d+\r\nVoice-Message: 0\/0 \(0\/0\)\r\n$/);
  assert.ok((await h.rx('sip show subscriptions')).includes('2000@from-inter  --             mwi             2000@defau 000600'));
  const wrongType = await watcher.subscribe({ to: '2000', event: 'message-summary', accept: ['application/pidf+xml'], expires: 600 });
  assert.equal(wrongType.res.status, 406);
});

test('a NOTIFY answered 481 ends the subscription', async (t) => {
  const { h, watcher } = await setup(t);
  const pres = await watcher.subscribe({ to: '6002', event: 'presence', expires: 600 });
  await watcher.waitNotify(inDialog(pres.dialog));
  assert.match(await h.rx('sip show subscriptions'), /\n1 active SIP subscription\n$/);
  watcher.notifyStatus = () => 481;
  await h.rx('presencestate change CustomPresence:6002 DND');
  const deadline = Date.now() + 5000;
  while (!/\n0 active SIP subscriptions\n$/.test(await h.rx('sip show subscriptions'))) {
    assert.ok(Date.now() < deadline, 'subscription not ended by 481');
    await new Promise((r) => setTimeout(r, 20));
  }
});

test('presence_compat=asterisk gives chan_sip\'s bodies and headers; Digium phones get presence', async (t) => {
  const { h, watcher } = await setup(t, 'presence_compat=asterisk');
  const plain = await watcher.subscribe({ to: '6002', event: 'presence', accept: ['application/pidf+xml'], expires: 3600 });
  const p0 = await watcher.waitNotify(inDialog(plain.dialog));
  assert.equal(p0.headers.get('Subscription-State'), 'active');
  assert.match(body(p0), /^<\?xml version="1\.0" encoding="ISO-8859-1"\?>\n/);
  assert.match(body(p0), /entity="sip:2000@127\.0\.0\.1">/);
  assert.match(body(p0), /<note>Not online<\/note>/);
  const digium = await watcher.subscribe({ to: '6002', event: 'presence', accept: ['application/pidf+xml'], expires: 3600, userAgent: 'Digium D40 1_4_0_0_57389' });
  await watcher.waitNotify(inDialog(digium.dialog));
  const mark = watcher.notifies.length;
  await h.rx('presencestate change CustomPresence:6002 "AWAY,lunch,Out to lunch"');
  const dn = await watcher.waitNotify(inDialog(digium.dialog), 5000, mark);
  assert.match(body(dn), /<digium_presence type="away" subtype="lunch">Out to lunch<\/digium_presence>/);
  // chan_sip sends presence-only changes to Digium phones only.
  assert.equal(watcher.notifies.slice(mark).filter(inDialog(plain.dialog)).length, 0);
  // Unsubscribe in compat mode: terminated;reason=timeout as chan_sip.
  const m2 = watcher.notifies.length;
  await watcher.subscribe({ to: '6002', event: 'presence', accept: ['application/pidf+xml'], expires: 0, dialog: plain.dialog });
  const fin = await watcher.waitNotify(inDialog(plain.dialog), 5000, m2);
  assert.equal(fin.headers.get('Subscription-State'), 'terminated;reason=timeout');
});

test('restart: subscriptions and state survive, the next NOTIFY continues the same dialog', async (t) => {
  const { h, watcher, phone } = await setup(t);
  const pres = await watcher.subscribe({ to: '6002', event: 'presence', accept: ['application/pidf+xml'], expires: 3600 });
  const dlg = await watcher.subscribe({ to: '6002', event: 'dialog', accept: ['application/dialog-info+xml'], expires: 3600 });
  const p0 = await watcher.waitNotify(inDialog(pres.dialog));
  await watcher.waitNotify(inDialog(dlg.dialog));
  await h.rx('presencestate change CustomPresence:6002 DND');
  const dnd = await watcher.waitNotify((n) => inDialog(pres.dialog)(n) && /<rpid:busy \/>/.test(body(n)));
  await h.restart();
  assert.match(await h.rx('sip show subscriptions'), /\n2 active SIP subscriptions\n$/);
  const mark = watcher.notifies.length;
  assert.equal((await phone.register(3600)).status, 200);
  const after = await watcher.waitNotify((n) => inDialog(pres.dialog)(n) && /<note>Ready<\/note>/.test(body(n)), 5000, mark);
  assert.equal(after.callId, p0.callId);
  assert.equal(after.fromTag, pres.dialog.toTag);
  assert.ok(after.cseq.seq > dnd.cseq.seq, `CSeq ${after.cseq.seq} after ${dnd.cseq.seq}`);
  assert.match(body(after), /<rpid:busy \/>/, 'custom presence restored from the store');
  const d = await watcher.waitNotify(inDialog(dlg.dialog), 5000, mark);
  assert.match(body(d), /version="1"/);
  // A refresh on the restored dialog works.
  const refresh = await watcher.subscribe({ to: '6002', event: 'presence', accept: ['application/pidf+xml'], expires: 600, dialog: pres.dialog });
  assert.equal(refresh.res.status, 200);
  assert.equal(refresh.res.headers.get('Expires'), '600');
});

test('over TCP: NOTIFYs reuse the subscriber\'s connection; Contact says transport=tcp', async (t) => {
  const port = await freePort();
  const h = await startPresenceServer({ 'sip.conf': sipConf(port, 'tcpenable=yes\ntcpbindaddr=127.0.0.1'), 'extensions.conf': EXTENSIONS_CONF });
  const watcher = await TestUa.open('2000', '2000pass', port, 'TCP');
  t.after(async () => {
    watcher.close();
    await h.stop();
  });
  const pres = await watcher.subscribe({ to: '6002', event: 'presence', expires: 600 });
  assert.equal(pres.res.status, 200);
  assert.match(pres.res.headers.get('Contact') ?? '', /;transport=tcp>;expires=600$/);
  const first = await watcher.waitNotify(inDialog(pres.dialog));
  assert.match(first.headers.get('Via') ?? '', /^SIP\/2\.0\/TCP /);
  const mark = watcher.notifies.length;
  await h.rx('presencestate change CustomPresence:6002 DND');
  const dnd = await watcher.waitNotify(inDialog(pres.dialog), 5000, mark);
  assert.match(body(dnd), /<rpid:busy \/>/);
});
