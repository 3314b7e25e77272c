import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../helpers/paths.js';
import { DEFAULT_RESOURCE, hasXmppConf, loadXmppConfig, needsReconnect } from '../../src/xmpp/config.js';

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-xmppconf-'));
  for (const [name, src] of Object.entries(files)) copyFileSync(src, join(dir, name));
  return dir;
}

test("seed 000's jabber.conf loads: two accounts, their buddies, the res_xmpp defaults", (t) => {
  const dir = dirWith({ 'jabber.conf': fixture('xmpp', 'seed000-jabber.conf') });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.ok(hasXmppConf(dir));
  const cfg = loadXmppConfig(dir);
  assert.deepEqual(cfg.warnings, []);
  assert.deepEqual(cfg.general, { debug: false, autoprune: false, autoregister: true, authPolicy: 'accept' });
  assert.deepEqual(cfg.accounts.map((a) => a.name), ['asterisk', 'account2']);
  const a = cfg.accounts[0]!;
  assert.equal(a.username, 'pbx@example.org/pbx');
  assert.equal(a.service, 'xmpp://jabber.example.org:5222');
  assert.equal(a.jid.domain, 'example.org');
  assert.deepEqual(a.buddies, ['youraccountreceivingnotifications@gmail.com', 'anotheraccountthatmayreceivenotifications@gmail.com']);
  assert.equal(a.statusMessage, "Asterisk XMPP bot. Don't talk to me, your messages would be lost forever.");
  assert.equal(a.timeout, 100);
  assert.equal(a.priority, 1);
  assert.equal(a.status, 1);
  assert.equal(a.usetls, true);
  assert.equal(a.autoregister, true);
  assert.equal(a.autoprune, false);
  assert.equal(a.keepalive, true);
  assert.equal(a.context, 'default');
  assert.equal(cfg.accounts[1]!.buddies[0], 'someoneelse@gmail.com');
});

test('both files: xmpp.conf first, a repeated account keeps the first, warnings name file:line', (t) => {
  const dir = dirWith({ 'xmpp.conf': fixture('xmpp', 'both', 'xmpp.conf'), 'jabber.conf': fixture('xmpp', 'both', 'jabber.conf') });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cfg = loadXmppConfig(dir);
  assert.deepEqual(cfg.accounts.map((a) => a.name), ['asterisk', 'account2']);
  const a = cfg.accounts[0]!;
  assert.equal(a.secret, 'one');
  assert.equal(a.username, `asterisk@localhost/${DEFAULT_RESOURCE}`);
  assert.deepEqual(a.buddies, ['bob@localhost', 'carol@localhost']);
  assert.equal(a.status, 5);
  assert.equal(a.statusMessage, '"I am available"', 'quotes are kept literally, as Asterisk does');
  assert.equal(a.autoregister, false, '[general] of xmpp.conf');
  const text = cfg.warnings.map((w) => `${w.file.split('/').pop()}:${w.line}: ${w.message}`);
  const has = (re: RegExp): void => assert.ok(text.some((l) => re.test(l)), `${re}\n${text.join('\n')}`);
  has(/^xmpp\.conf:12: account 'asterisk': buddy 'bob@localhost' listed twice/);
  has(/^xmpp\.conf:13: account 'asterisk': buddy 'not a jid' is not a bare JID/);
  has(/^xmpp\.conf:14: account 'asterisk': buddy 'dave@localhost\/phone' is not a bare JID/);
  has(/^xmpp\.conf:17: distribute_events is not supported by herald yet/);
  has(/^jabber\.conf:4: account 'asterisk' is already defined at .*xmpp\.conf:6; this one is ignored/);
  has(/^jabber\.conf:\d+: account 'account2': cannot read cafile .*missing-ca\.pem \(ENOENT\)/);
  has(/^jabber\.conf:\d+: account 'gateway': type=component \(XEP-0114\) is not supported; account skipped/);
  has(/No password specified on client 'nosecret'; account skipped/);
  const b = cfg.accounts[1]!;
  assert.equal(b.service, 'xmpps://127.0.0.1:5223');
  assert.equal(b.priority, 7);
  assert.equal(b.autoprune, true);
  assert.equal(b.caPem, null);
  assert.deepEqual(b.statusFromHint, { exten: '6002', context: 'from-internal' });
  assert.equal(needsReconnect(a, { ...a, statusMessage: 'x' }), false);
  assert.equal(needsReconnect(a, { ...a, secret: 'new' }), true);
});

test('no file at all is a ConfError', () => {
  assert.throws(() => loadXmppConfig('/nonexistent-dir'), /neither xmpp.conf nor jabber.conf/);
});
