import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfDocument, ConfSection } from '../../src/config/types.js';
import { loadSipConf } from '../../src/sip/config/sip-conf.js';
import { aclAllows, parseAclRule } from '../../src/sip/config/acl.js';

/** A ConfDocument built by hand: [name, [key, value][]] with line numbers counted like a file. */
function doc(sections: Array<[string, Array<[string, string]>]>): ConfDocument {
  let line = 1;
  const out: ConfSection[] = sections.map(([name, entries]) => {
    const s: ConfSection = { name, isTemplate: false, templates: [], entries: [], file: 'sip.conf', line: line++ };
    for (const [key, value] of entries) s.entries.push({ key, value, op: '=', file: 'sip.conf', line: line++, inherited: false });
    return s;
  });
  return { file: 'sip.conf', files: ['sip.conf'], sections: out, warnings: [] };
}

test('defaults as chan_sip has them', () => {
  const c = loadSipConf(doc([]));
  assert.deepEqual(c.general.udpBind, { address: '0.0.0.0', port: 5060 });
  assert.equal(c.general.realm, 'asterisk');
  assert.equal(c.general.alwaysAuthReject, true);
  assert.equal(c.general.minExpiry, 60);
  assert.equal(c.general.maxExpiry, 3600);
  assert.equal(c.general.defaultExpiry, 120);
  assert.equal(c.general.qualifyFreqMs, 60_000);
  assert.equal(c.general.timerT1, 500);
  assert.equal(c.general.timerB, 32_000);
  assert.deepEqual(c.general.authAlgorithms, ['MD5', 'SHA-256']);
  assert.equal(c.peers.size, 0);
});

test('the reference sip.conf', () => {
  const c = loadSipConf(doc([
    ['general', [['context', 'default'], ['bindaddr', '127.0.0.1'], ['bindport', '5080'], ['tcpenable', 'no'],
      ['transport', 'udp'], ['srvlookup', 'no'], ['allowguest', 'no'], ['alwaysauthreject', 'yes'],
      ['subscribecontext', 'from-internal'], ['useragent', 'Asterisk PBX 20.20.1 (anchor)'], ['disallow', 'all'], ['allow', 'ulaw']]],
    ['6002', [['type', 'friend'], ['host', 'dynamic'], ['secret', '6002pass'], ['context', 'from-internal'],
      ['mailbox', '6002@default'], ['callerid', '"Bob" <6002>'], ['qualify', 'yes'], ['deny', '0.0.0.0/0.0.0.0'],
      ['permit', '127.0.0.1/255.255.255.255'], ['call-limit', '2'], ['dtmfmode', 'rfc2833']]],
  ]));
  assert.deepEqual(c.general.udpBind, { address: '127.0.0.1', port: 5080 });
  assert.equal(c.general.allowGuest, false);
  assert.equal(c.general.userAgent, 'Asterisk PBX 20.20.1 (anchor)');
  assert.equal(c.general.extra.get('srvlookup'), 'no');
  const p = c.peers.get('6002');
  assert.ok(p);
  assert.equal(p.type, 'friend');
  assert.equal(p.dynamic, true);
  assert.equal(p.secret, '6002pass');
  assert.equal(p.context, 'from-internal');
  assert.equal(p.subscribeContext, 'from-internal');
  assert.deepEqual(p.qualify, { enabled: true, maxMs: 2000 });
  assert.equal(p.callLimit, 2);
  assert.equal(p.extra.get('dtmfmode'), 'rfc2833');
  assert.equal(aclAllows(p.acl, '127.0.0.1'), true);
  assert.equal(aclAllows(p.acl, '10.1.2.3'), false);
  assert.deepEqual(c.warnings, []);
});

test('udpbindaddr host:port, IPv6, bad values warn with file:line', () => {
  const c = loadSipConf(doc([
    ['general', [['udpbindaddr', '[::1]:5070'], ['minexpiry', 'abc'], ['tcpenable', 'maybe'], ['auth_algorithms', 'SHA-256, SHA-512']]],
    ['Alice', [['type', 'peer'], ['host', 'dynamic'], ['qualify', '1500'], ['permit', 'not-an-ip'], ['md5secret', 'xyz']]],
  ]));
  assert.deepEqual(c.general.udpBind, { address: '::1', port: 5070 });
  assert.equal(c.general.minExpiry, 60);
  assert.deepEqual(c.general.authAlgorithms, ['SHA-256']);
  assert.equal(c.peers.get('alice')?.name, 'Alice');
  assert.deepEqual(c.peers.get('alice')?.qualify, { enabled: true, maxMs: 1500 });
  const lines = c.warnings.map((w) => `${w.file}:${w.line}`);
  assert.deepEqual(lines, ['sip.conf:3', 'sip.conf:4', 'sip.conf:5', 'sip.conf:10', 'sip.conf:11']);
  assert.match(c.warnings[0].message, /minexpiry/);
});

test('udpbindaddr without port takes bindport; tcp bind follows udp', () => {
  const c = loadSipConf(doc([['general', [['udpbindaddr', '127.0.0.1'], ['bindport', '5099'], ['tcpenable', 'yes']]]]));
  assert.deepEqual(c.general.udpBind, { address: '127.0.0.1', port: 5099 });
  assert.deepEqual(c.general.tcpBind, { address: '127.0.0.1', port: 5099 });
  assert.equal(c.general.tcpEnable, true);
});

test('templates are skipped; peers are case-insensitive, later definition wins', () => {
  const d = doc([['perf', [['type', 'friend'], ['host', 'dynamic'], ['secret', 'perfpass']]], ['30000', []], ['6002', [['type', 'user']]], ['6002', [['type', 'friend'], ['host', 'dynamic']]]]);
  d.sections[0].isTemplate = true;
  d.sections[1].templates = ['perf'];
  d.sections[1].entries = d.sections[0].entries.map((e) => ({ ...e, inherited: true }));
  const c = loadSipConf(d);
  assert.deepEqual([...c.peers.keys()], ['30000', '6002']);
  assert.equal(c.peers.get('30000')?.secret, 'perfpass');
  assert.equal(c.peers.get('6002')?.type, 'friend');
  assert.equal(c.warnings.length, 1);
});

test('ACL: last matching rule wins, CIDR and mask forms, IPv6', () => {
  const rules = [parseAclRule('deny', '0.0.0.0/0'), parseAclRule('permit', '192.168.1.0/24'), parseAclRule('deny', '192.168.1.66')];
  assert.equal(aclAllows(rules, '192.168.1.10'), true);
  assert.equal(aclAllows(rules, '192.168.1.66'), false);
  assert.equal(aclAllows(rules, '10.0.0.1'), false);
  assert.equal(aclAllows(rules, '::ffff:192.168.1.10'), true);
  assert.equal(aclAllows(rules, '::1'), true);
  const v6 = [parseAclRule('deny', '::/0'), parseAclRule('permit', 'fe80::/64')];
  assert.equal(aclAllows(v6, 'fe80::1'), true);
  assert.equal(aclAllows(v6, '2001:db8::1'), false);
  assert.throws(() => parseAclRule('permit', '10.0.0.0/33'));
  assert.throws(() => parseAclRule('permit', '10.0.0.0/255.0'));
});

test('stored registration format round-trips (Asterisk prefix, herald extras, odd characters)', async () => {
  const { encodeBindings, decodeBindings } = await import('../../src/registrar/binding.js');
  const b = {
    uri: 'sip:6002@[::1]:5093;transport=tcp;x=a,b|c', user: '6002', expiresSec: 3600, expiresAt: 1795369000000,
    source: { proto: 'TCP' as const, address: '::1', port: 5093 }, connectionId: 'tcp-7', callId: 'abc@host', cseq: 12,
    userAgent: 'Phone 1.0 (a&b=c)', q: 0.5, instanceId: '<urn:uuid:1234>', path: ['<sip:p1;lr>', '<sip:p2;lr>'], registeredAt: 1795368000000,
  };
  const plain = { ...b, uri: 'sip:6002@127.0.0.1:5093', source: { proto: 'UDP' as const, address: '127.0.0.1', port: 5093 }, connectionId: null, q: null, instanceId: null, path: [], userAgent: '' };
  const text = encodeBindings([plain, b]);
  assert.ok(text.startsWith('127.0.0.1:5093:3600:6002:sip:6002@127.0.0.1:5093|at=1795369000000&tr=UDP&'));
  const back = decodeBindings(text);
  assert.equal(back.bad, 0);
  assert.deepEqual(back.bindings, [plain, b]);
  assert.equal(decodeBindings('garbage,127.0.0.1:1:2:u:sip:u@h|at=5').bindings.length, 1);
});

test('through the real lexer: templates, comments, the reference perf peers', async () => {
  const { parseConfText } = await import('../../src/config/lexer.js');
  const text = [
    '[general]',
    'bindaddr = 127.0.0.1 ; loopback only',
    'bindport = 5080',
    'minexpiry = soon',
    '',
    '[perf](!)',
    'type = friend',
    'host = dynamic',
    'secret = perfpass',
    'context = from-internal',
    '',
    '[30000](perf)',
    '[30001](perf)',
    'secret = other',
    '',
  ].join('\n');
  const c = loadSipConf(parseConfText(text, 'sip.conf'));
  assert.deepEqual(c.general.udpBind, { address: '127.0.0.1', port: 5080 });
  assert.deepEqual([...c.peers.keys()], ['30000', '30001']);
  assert.equal(c.peers.get('30000')?.secret, 'perfpass');
  assert.equal(c.peers.get('30001')?.secret, 'other', 'own entries come after inherited ones');
  assert.equal(c.peers.get('30001')?.context, 'from-internal');
  assert.equal(c.warnings.length, 1);
  assert.equal(`${c.warnings[0].file}:${c.warnings[0].line}`, 'sip.conf:4');
});
