import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfFile } from '../../src/config/lexer.js';
import { allValues, lastValue, realSections, sectionsNamed } from '../../src/config/access.js';
import { fixture } from '../helpers/paths.js';

test('seed 000 jabber.conf loads: accounts, buddies, trailing blanks trimmed, comments dropped', () => {
  const doc = loadConfFile(fixture('config', 'seed000', 'jabber.conf'));
  assert.deepEqual(doc.warnings, []);
  assert.deepEqual(doc.sections.map((s) => s.name), ['general', 'asterisk', 'account2']);
  const general = sectionsNamed(doc, 'GENERAL')[0]!;
  assert.equal(lastValue(general, 'autoprune'), 'no');
  assert.equal(lastValue(general, 'autoregister'), 'yes');
  const asterisk = sectionsNamed(doc, 'asterisk')[0]!;
  assert.equal(lastValue(asterisk, 'port'), '5222');
  assert.equal(lastValue(asterisk, 'username'), 'pbx@example.org/pbx');
  assert.deepEqual(allValues(asterisk, 'buddy'), [
    'youraccountreceivingnotifications@gmail.com',
    'anotheraccountthatmayreceivenotifications@gmail.com',
  ]);
  assert.equal(lastValue(asterisk, 'statusmessage'), "Asterisk XMPP bot. Don't talk to me, your messages would be lost forever.");
  assert.equal(lastValue(asterisk, 'nosuchkey'), undefined);
});

test('seed 000 extensions.conf loads with values kept verbatim', () => {
  const doc = loadConfFile(fixture('config', 'seed000', 'extensions.conf'));
  assert.deepEqual(doc.warnings, []);
  assert.deepEqual(realSections(doc).map((s) => s.name), ['macro-XMPPSend', 'macro-DialVM', 'Local']);
  const dialvm = sectionsNamed(doc, 'macro-DialVM')[0]!;
  const exten = allValues(dialvm, 'exten');
  assert.equal(exten.length, 7);
  assert.equal(exten[0], 's,1,Dial(SIP/${ARG1},${ARG2},wg)');
  assert.equal(exten[3], 'h,n,GotoIf($["${VMSTATUS}" = "FAILED"]?missed:nextcheck)');
  assert.equal(exten[5], 'h,n(missed),Macro(XMPPSend,youraccountreceivingnotifications@gmail.com,${CALLERID(all)} just tried to call ${ARG1})');
  assert.ok(dialvm.entries.every((e) => e.op === '=>'));
  const local = sectionsNamed(doc, 'Local')[0]!;
  assert.deepEqual(allValues(local, 'exten'), ['555,1,Macro(DialVM,${EXTEN},30)']);
});

test('seed 003 extensions.conf loads: exten and same lines in order', () => {
  const doc = loadConfFile(fixture('config', 'seed003', 'extensions.conf'));
  assert.deepEqual(doc.warnings, []);
  const ctx = sectionsNamed(doc, 'default')[0]!;
  assert.equal(ctx.entries.length, 15);
  assert.deepEqual(ctx.entries.slice(0, 3).map((e) => [e.key, e.value]), [
    ['exten', '2000,1,Answer()'],
    ['same', 'n,Set(CURRENT_PRESENCE=${PRESENCE_STATE(CustomPresence:Bob,value)})'],
    ['same', 'n,GotoIf($[${CURRENT_PRESENCE}=available]?set_unavailable:set_available)'],
  ]);
  assert.equal(lastValue(ctx, 'exten'), '2000,hint,,CustomPresence:2000');
});
