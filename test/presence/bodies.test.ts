import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture } from '../helpers/paths.js';
import {
  buildDialogInfo,
  buildExtenStateBody,
  buildMessageSummary,
  buildPidf,
  buildXpidf,
  escapeXml,
  type ExtenStateBodyInput,
} from '../../src/presence/bodies/index.js';
import type { PresenceInfo } from '../../src/state/presence-state.js';

const NOT_SET: PresenceInfo = { state: 'not_set', subtype: '', message: '' };

function chanSip(over: Partial<ExtenStateBodyInput>): ExtenStateBodyInput {
  return {
    exten: '6002',
    state: 0,
    presence: NOT_SET,
    presentityUri: 'sip:6002@127.0.0.1',
    watcherUri: 'sip:2000@127.0.0.1',
    digium: false,
    compat: 'asterisk',
    version: 0,
    allDevicesUnavailable: false,
    ...over,
  };
}

function herald(over: Partial<ExtenStateBodyInput>): ExtenStateBodyInput {
  return chanSip({ compat: 'herald', ...over });
}

const observed = (name: string): string => readFileSync(fixture('presence', 'chansip', name), 'utf8');

function haveXmllint(): boolean {
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const XMLLINT = haveXmllint();

/** xmllint --noout --schema; returns '' when valid, else its complaint. */
function validate(xml: string, schema: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-xsd-'));
  try {
    const file = join(dir, 'body.xml');
    writeFileSync(file, xml);
    try {
      execFileSync('xmllint', ['--noout', '--nonet', '--schema', fixture('presence', 'schemas', schema), file], { stdio: 'pipe', timeout: 10000 });
      return '';
    } catch (err) {
      return String((err as { stderr?: Buffer }).stderr ?? err);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** PIDF with RPID is checked against pidf + data-model + rpid (presence-all.xsd imports all three). */
function validatePidf(xml: string): string {
  return validate(xml, 'presence-all.xsd') === '' ? '' : validate(xml, 'pidf.xsd') + validate(xml, 'presence-all.xsd');
}

test('asterisk compat PIDF matches chan_sip byte for byte (plain UA)', () => {
  assert.equal(buildPidf(chanSip({ state: 4, allDevicesUnavailable: true })), observed('pidf-not-online.xml'));
  assert.equal(buildPidf(chanSip({ state: 0 })), observed('pidf-ready.xml'));
  // A plain UA never sees presence in chan_sip's body.
  assert.equal(buildPidf(chanSip({ state: 0, presence: { state: 'away', subtype: 'lunch', message: 'Out to lunch' } })), observed('pidf-ready.xml'));
});

test('asterisk compat PIDF with the digium-presence tuple (Digium UA)', () => {
  const notOnline = { state: 4, allDevicesUnavailable: true, digium: true };
  assert.equal(buildPidf(chanSip({ ...notOnline, presence: { state: 'unavailable', subtype: '', message: '' } })), observed('pidf-digium-not-online-unavailable.xml'));
  assert.equal(buildPidf(chanSip({ ...notOnline, presence: { state: 'away', subtype: 'lunch', message: 'Out to lunch' } })), observed('pidf-digium-not-online-away-lunch.xml'));
  assert.equal(buildPidf(chanSip({ digium: true, presence: { state: 'dnd', subtype: '', message: 'Busy in a meeting' } })), observed('pidf-digium-ready-dnd.xml'));
  assert.equal(buildPidf(chanSip({ digium: true, presence: { state: 'xa', subtype: 'c3VidHlwZQ==', message: 'bWVzc2FnZQ==' } })), observed('pidf-digium-ready-xa-base64.xml'));
  assert.equal(buildPidf(chanSip({ digium: true, presence: NOT_SET })), observed('pidf-digium-ready-not-set.xml'));
  assert.equal(buildPidf(chanSip({ digium: true, presence: { state: 'chat', subtype: '', message: 'Hi there' } })), observed('pidf-digium-ready-chat.xml'));
});

test('asterisk compat dialog-info and MWI match chan_sip', () => {
  assert.equal(buildDialogInfo(chanSip({ state: 4, allDevicesUnavailable: true, version: 0 })), observed('dialog-v0-terminated.xml'));
  assert.equal(buildDialogInfo(chanSip({ state: 0, version: 1 })), observed('dialog-v1-terminated.xml'));
  assert.equal(buildDialogInfo(chanSip({ state: 4, version: 10 })), observed('dialog-v10-terminated.xml'));
  assert.equal(
    buildMessageSummary({ newMessages: 0, oldMessages: 0, urgentNew: 3, urgentOld: 1, account: 'sip:asterisk@127.0.0.1:5080', compat: 'asterisk' }),
    observed('mwi-no-messages.txt'),
  );
  // chan_sip's observed ringing form: direction="recipient", early, nothing else.
  assert.match(buildDialogInfo(chanSip({ state: 8 })), /<dialog id="6002" direction="recipient">\n<state>early<\/state>\n<\/dialog>/);
});

test('chan_sip note/basic/activity for every extension state', () => {
  const cases: Array<[number, string, string, string | null]> = [
    [0, 'Ready', 'open', null],
    [8, 'Ringing', 'open', 'busy'],
    [9, 'Ringing', 'open', 'busy'],
    [1, 'On the phone', 'open', 'busy'],
    [2, 'On the phone', 'open', 'busy'],
    [16, 'On hold', 'open', 'busy'],
    [4, 'Unavailable', 'closed', 'away'],
  ];
  for (const [state, note, basic, activity] of cases) {
    const body = buildPidf(chanSip({ state }));
    assert.ok(body.includes(`<note>${note}</note>`), `${state}: ${body}`);
    assert.ok(body.includes(`<basic>${basic}</basic>`), `${state}`);
    if (activity) assert.ok(body.includes(`<ep:activities><ep:${activity}/></ep:activities>`), `${state}`);
    else assert.ok(!body.includes('ep:activities'), `${state}`);
  }
});

test('herald PIDF: presentity entity, notes, RPID from devices and custom presence', () => {
  const idle = buildPidf(herald({ state: 0 }));
  assert.equal(
    idle,
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<presence entity="sip:6002@127.0.0.1" xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid">\n' +
      ' <tuple id="ext-6002">\n  <status>\n   <basic>open</basic>\n  </status>\n  <contact priority="1">sip:6002@127.0.0.1</contact>\n </tuple>\n' +
      ' <note>Ready</note>\n' +
      ' <dm:person id="person" />\n' +
      '</presence>\n',
  );
  const notes: Array<[number, string, string]> = [
    [0, 'Ready', 'open'],
    [8, 'Ringing', 'open'],
    [9, 'Ringing', 'open'],
    [1, 'On the phone', 'open'],
    [2, 'On the phone', 'open'],
    [16, 'On hold', 'open'],
    [4, 'Unavailable', 'closed'],
  ];
  for (const [state, note, basic] of notes) {
    const body = buildPidf(herald({ state }));
    assert.ok(body.includes(`<note>${note}</note>`), `${state}`);
    assert.ok(body.includes(`<basic>${basic}</basic>`), `${state}`);
    assert.equal(body.includes('<rpid:on-the-phone />'), [8, 9, 1, 2, 16].includes(state), `${state}`);
  }
  const away = buildPidf(herald({ state: 1, presence: { state: 'away', subtype: 'lunch', message: 'Out to lunch' } }));
  assert.ok(away.includes('  <rpid:activities>\n   <rpid:on-the-phone />\n   <rpid:away />\n  </rpid:activities>\n  <dm:note>Out to lunch</dm:note>\n'), away);
  const dnd = buildPidf(herald({ presence: { state: 'dnd', subtype: '', message: '' } }));
  assert.ok(dnd.includes('<rpid:busy />'));
  const unavailable = buildPidf(herald({ presence: { state: 'unavailable', subtype: '', message: '' } }));
  assert.ok(unavailable.includes('<basic>closed</basic>') && unavailable.includes('<rpid:away />'), unavailable);
  for (const s of ['available', 'chat', 'not_set'] as const) {
    assert.ok(!buildPidf(herald({ presence: { state: s, subtype: '', message: '' } })).includes('rpid:activities'), s);
  }
});

test('herald PIDF adds PJSIP\'s digium-presence tuple for Digium and Sangoma phones', () => {
  const body = buildPidf(herald({ digium: true, presence: { state: 'away', subtype: 'lunch', message: 'banana' } }));
  assert.ok(body.includes(' <tuple id="digium-presence">\n  <status>\n   <digium_presence type="away" subtype="lunch">banana</digium_presence>\n  </status>\n </tuple>\n'), body);
  const unset = buildPidf(herald({ digium: true }));
  assert.ok(unset.includes('<digium_presence type="not_set" />'), unset);
});

test('everything dynamic is XML-escaped', () => {
  assert.equal(escapeXml(`<a href="x">&'\r\n`), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#13;&#10;');
  assert.equal(escapeXml('a\u0000b\u0007c'), 'abc');
  const evil = { state: 'away' as const, subtype: '"/><x y="', message: '</dm:note><script>&' };
  for (const compat of ['herald', 'asterisk'] as const) {
    const body = buildPidf(chanSip({ compat, digium: true, presence: evil, presentityUri: 'sip:a"b@h', watcherUri: 'sip:<w>@h' }));
    assert.ok(!body.includes('<script>') && !body.includes('"/><x'), body);
  }
  const di = buildDialogInfo(herald({ state: 8, ringingCaller: { number: '2000', name: 'Alice <&> "A"' } }));
  assert.ok(di.includes('display="Alice &lt;&amp;&gt; &quot;A&quot;"'), di);
  const mwi = buildMessageSummary({ newMessages: 1, oldMessages: 0, urgentNew: 0, urgentOld: 0, account: 'sip:x\r\nEvil: 1', compat: 'herald' });
  assert.ok(!mwi.includes('Evil'));
});

test('herald dialog-info: version, early with the caller, hold, identities', () => {
  const early = buildDialogInfo(herald({ state: 8, version: 3, ringingCaller: { number: '2000', name: 'Alice' } }));
  assert.equal(
    early,
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<dialog-info xmlns="urn:ietf:params:xml:ns:dialog-info" version="3" state="full" entity="sip:6002@127.0.0.1">\n' +
      ' <dialog id="6002" direction="recipient">\n' +
      '  <state>early</state>\n' +
      '  <local>\n   <identity>sip:6002@127.0.0.1</identity>\n   <target uri="sip:6002@127.0.0.1" />\n  </local>\n' +
      '  <remote>\n   <identity display="Alice">sip:2000@127.0.0.1</identity>\n   <target uri="sip:2000@127.0.0.1" />\n  </remote>\n' +
      ' </dialog>\n</dialog-info>\n',
  );
  assert.ok(buildDialogInfo(herald({ state: 1 })).includes('<state>confirmed</state>'));
  assert.ok(buildDialogInfo(herald({ state: 0 })).includes('<state>terminated</state>'));
  assert.ok(buildDialogInfo(herald({ state: 16 })).includes('<param pname="+sip.rendering" pval="no" />'));
  assert.ok(!buildDialogInfo(herald({ state: 1, ringingCaller: { number: '1', name: '' } })).includes('<remote>'));
});

test('xpidf and cpim-pidf', () => {
  const x = buildXpidf(herald({ state: 1 }));
  assert.ok(x.includes('<presentity uri="sip:6002@127.0.0.1;method=SUBSCRIBE" />'));
  assert.ok(x.includes('<status status="inuse" />') && x.includes('<msnsubstatus substatus="onthephone" />'));
  assert.ok(x.includes('priority="0.80000"'));
  assert.equal(buildExtenStateBody('application/cpim-pidf+xml', herald({ state: 1 })), x);
  const c = buildXpidf(chanSip({ state: 4, allDevicesUnavailable: true }));
  assert.ok(c.startsWith('<?xml version="1.0"?>\n<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd">\n'));
  assert.ok(c.includes('<status status="closed" />') && c.includes('priority="0.800000"') && c.includes('sip:2000@127.0.0.1;method=SUBSCRIBE'));
  assert.ok(buildXpidf(herald({ state: 0 })).includes('<status status="open" />'));
});

test('message-summary', () => {
  assert.equal(
    buildMessageSummary({ newMessages: 2, oldMessages: 8, urgentNew: 0, urgentOld: 2, account: 'sip:asterisk@10.0.0.1:5060', compat: 'herald' }),
    'Messages-Waiting: yes\r\nMessage-Account: sip:asterisk@10.0.0.1:5060\r\nVoice-Message: 2/8 (0/2)\r\n',
  );
  assert.equal(buildMessageSummary({ newMessages: 0, oldMessages: 0, urgentNew: 0, urgentOld: 0, account: null, compat: 'herald' }), 'Messages-Waiting: no\r\nVoice-Message: 0/0 (0/0)\r\n');
});

test('every herald body validates against the RFC schemas (xmllint)', { skip: XMLLINT ? false : 'xmllint missing (Debian package libxml2-utils)' }, () => {
  const presences: PresenceInfo[] = [
    NOT_SET,
    { state: 'available', subtype: '', message: '' },
    { state: 'away', subtype: 'lunch', message: 'Out to lunch <back> & "soon"' },
    { state: 'xa', subtype: '', message: 'Holiday' },
    { state: 'dnd', subtype: '', message: '' },
    { state: 'unavailable', subtype: '', message: 'gone' },
    { state: 'chat', subtype: '', message: 'Hi there' },
  ];
  const states = [0, 1, 2, 4, 8, 9, 16];
  let checked = 0;
  for (const exten of ['6002', 'alice', '*97']) {
    for (const state of states) {
      // One document per presence value keeps the xmllint runs bounded (7 states × 3 extensions + presences).
      const presence = presences[(state + exten.length) % presences.length] as PresenceInfo;
      const pidf = buildPidf(herald({ exten, state, presence }));
      assert.equal(validatePidf(pidf), '', pidf);
      const di = buildDialogInfo(herald({ exten, state, version: state, ringingCaller: state === 8 ? { number: '2000', name: 'Alice & Bob' } : null }));
      assert.equal(validate(di, 'dialog-info.xsd'), '', di);
      checked += 2;
    }
  }
  for (const presence of presences) {
    const pidf = buildPidf(herald({ state: 1, presence }));
    assert.equal(validatePidf(pidf), '', pidf);
    checked += 1;
  }
  assert.equal(checked, 49);
});

test('documented Asterisk quirks are schema-invalid on purpose (digium tuple, chan_sip note order)', { skip: XMLLINT ? false : 'xmllint missing' }, () => {
  // digium_presence sits in the PIDF namespace inside <status>: Digium phones expect exactly that.
  assert.notEqual(validatePidf(buildPidf(herald({ digium: true, presence: { state: 'away', subtype: '', message: 'x' } }))), '');
  // chan_sip writes <note> before <tuple> (schema order is tuple*, note*).
  assert.notEqual(validate(observed('pidf-ready.xml'), 'pidf.xsd'), '');
});
