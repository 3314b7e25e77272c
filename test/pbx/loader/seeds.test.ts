/** The loader on real files: Asterisk 20's observed config and the two seed pages. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfError } from '../../../src/config/types.js';
import { fixture } from '../../helpers/paths.js';
import { loadDialplanFile } from '../../../src/pbx/loader.js';
import { formatDialplanShow, showDialplan } from '../../../src/pbx/show.js';
import type { Dialplan } from '../../../src/pbx/dialplan.js';

function prios(dp: Dialplan, ctx: string, ext: string): string[] {
  const e = dp.contexts.get(ctx)?.extensions.find((x) => x.name === ext);
  assert.ok(e, `${ext}@${ctx} exists`);
  return e.priorities.map((p) => `${p.priority}${p.label ? `(${p.label})` : ''} ${p.app}(${p.appData})`);
}

test('observed Asterisk 20 extensions.conf: `dialplan show` is byte-identical (minus func_periodic_hook)', () => {
  const { dialplan, warnings } = loadDialplanFile(fixture('dialplan', 'observed', 'extensions.conf'));
  assert.deepEqual(warnings, []);
  assert.equal(formatDialplanShow(dialplan), readFileSync(fixture('dialplan', 'observed', 'dialplan-show.txt'), 'utf8'));
  assert.equal(
    formatDialplanShow(dialplan, 'from-internal'),
    readFileSync(fixture('dialplan', 'observed', 'dialplan-show-from-internal.txt'), 'utf8'),
  );
  assert.deepEqual(dialplan.general, { static: true, writeprotect: true, autofallthrough: true, clearglobalvars: false });
  assert.deepEqual(dialplan.counts(), { extensions: 6, priorities: 20, contexts: 3 });
  assert.deepEqual(
    dialplan.hints().map((h) => [h.context, h.exten, h.hint.devices, h.hint.presence]),
    [
      ['from-internal', '2000', 'SIP/2000', 'CustomPresence:2000'],
      ['from-internal', '6002', 'SIP/6002', 'CustomPresence:6002'],
      ['from-internal', 'foo', 'Custom:foo', ''],
    ],
  );
  const f = dialplan.findLabel('from-internal', '71234', 'done', '2000');
  assert.equal(f?.priority.priority, 4);
  assert.equal(f?.extension.name, '_7XXXX');
  assert.equal(dialplan.findPriority('from-internal', '6002', 2, null)?.priority.app, 'Hangup');
  assert.equal(dialplan.exists('from-internal', 'foo', null), false, 'a hint-only extension has no priority 1');
  assert.equal(dialplan.findExtension('from-internal', 'foo', null)?.extension.hint?.devices, 'Custom:foo');
  assert.equal(dialplan.matchMore('from-internal', '7', null), true);
  assert.equal(dialplan.exists('from-internal', '7123', null), false);
});

test('seed 000 as found: the mangled GotoIf line is one priority, and there is no `available` label', () => {
  const { dialplan, warnings } = loadDialplanFile(fixture('config', 'seed000', 'extensions.conf'));
  assert.deepEqual(warnings, []);
  assert.deepEqual([...dialplan.contexts.keys()], ['macro-XMPPSend', 'macro-DialVM', 'Local']);
  assert.deepEqual(prios(dialplan, 'macro-XMPPSend', 's'), [
    '1 Jabberstatus(asterisk,${ARG1},STATUS)',
    '2 GotoIf($["${STATUS}"  s,n(available),NoOp(${ARG1} is available)',
    '3 Jabbersend(asterisk,${ARG1},${ARG2})',
    '4 MacroExit()',
    '5(unavailable) NoOp(${ARG1} is not available in at least one location.. Do not send notification)',
    '6 MacroExit()',
  ]);
  const gotoIf = dialplan.findPriority('macro-XMPPSend', 's', 2, null)?.priority;
  assert.equal(gotoIf?.line, 11);
  assert.equal(dialplan.findLabel('macro-XMPPSend', 's', 'available', null), null);
  assert.equal(dialplan.findLabel('macro-XMPPSend', 's', 'unavailable', null)?.priority.priority, 5);
  assert.deepEqual(prios(dialplan, 'macro-DialVM', 'h'), [
    '1 NoOp(Did user hang up before leaving a voicemail ?)',
    '2 GotoIf($["${VMSTATUS}" = "FAILED"]?missed:nextcheck)',
    '3(nextcheck) GotoIf($["${DIALSTATUS}" = "CANCEL"]?missed:notmissed)',
    '4(missed) Macro(XMPPSend,youraccountreceivingnotifications@gmail.com,${CALLERID(all)} just tried to call ${ARG1})',
    '5(notmissed) Hangup()',
  ]);
  assert.deepEqual(prios(dialplan, 'Local', '555'), ['1 Macro(DialVM,${EXTEN},30)']);
  // Context and label names are case-sensitive.
  assert.equal(dialplan.exists('macro-dialvm', 's', null), false);
  assert.equal(dialplan.findLabel('macro-DialVM', 'h', 'Missed', null), null);
  assert.match(formatDialplanShow(dialplan), /-= 4 extensions \(14 priorities\) in 3 contexts\. =-\n$/);
});

test('seed 000 restored: the GotoIf line and the `available` label are back', () => {
  const { dialplan, warnings } = loadDialplanFile(fixture('dialplan', 'seed000-restored', 'extensions.conf'));
  assert.deepEqual(warnings, []);
  assert.deepEqual(prios(dialplan, 'macro-XMPPSend', 's').slice(0, 4), [
    '1 Jabberstatus(asterisk,${ARG1},STATUS)',
    '2 GotoIf($["${STATUS}" < "3"]?available:unavailable)',
    '3(available) NoOp(${ARG1} is available)',
    '4 Jabbersend(asterisk,${ARG1},${ARG2})',
  ]);
  assert.equal(dialplan.findLabel('macro-XMPPSend', 's', 'available', null)?.priority.priority, 3);
  assert.equal(dialplan.findLabel('macro-XMPPSend', 's', 'unavailable', null)?.priority.priority, 6);
});

test('seed 003: duplicates keep the first definition and warn with file:line; the comma-less line loads', () => {
  const path = fixture('config', 'seed003', 'extensions.conf');
  const { dialplan, warnings } = loadDialplanFile(path);
  assert.deepEqual(
    warnings.map((w) => [w.line, w.file === path]),
    [
      [13, true],
      [16, true],
      [17, true],
      [19, true],
    ],
  );
  assert.match(warnings[0].message, /no application/);
  assert.match(warnings[1].message, /'2000' priority 1 .*already in use/);
  assert.match(warnings[2].message, /'2000' priority 2 .*already in use/);
  assert.match(warnings[3].message, /already has a hint/);
  const ext2000 = dialplan.contexts.get('default')?.extensions[0];
  assert.equal(ext2000?.hint?.devices, 'SIP/2000');
  assert.equal(ext2000?.hint?.presence, 'CustomPresence:2000');
  assert.equal(ext2000?.priorities.length, 8);
  assert.equal(dialplan.findPriority('default', '2000', 1, null)?.priority.app, 'Answer');
  assert.equal(dialplan.findPriority('default', '2000', 8, null)?.priority.app, 'Hangup');
  assert.equal(dialplan.findPriority('default', '2000', 8, null)?.priority.appData, '');
  assert.equal(dialplan.findLabel('default', '2000', 'finished', null)?.priority.priority, 7);
  // `same => n(voicemail)VoiceMail(Bob@default)`: label parsed, no application field.
  const vm = dialplan.findLabel('default', '2001', 'voicemail', null)?.priority;
  assert.deepEqual([vm?.priority, vm?.app, vm?.appData], [3, '', '']);
  const shown = showDialplan(dialplan, 'default');
  assert.equal(shown.ok, true);
  assert.ok(shown.text.includes("     [voicemail]    3. ()                                         [extensions.conf:13]\n"));
  assert.ok(shown.text.includes("     [set_available] 4. Set(PRESENCE_STATE(CustomPresence:Bob)=available,,) [extensions.conf:5]\n"));
  assert.match(shown.text, /-= 2 extensions \(12 priorities\) in 1 context\. =-\n$/);
});

test('a file with a line the lexer cannot read still loads; an unreadable file throws ConfError', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-dp-'));
  try {
    const file = join(dir, 'extensions.conf');
    writeFileSync(file, '[c]\nexten => 1,1,NoOp(a)\nthis line has no equals sign\nexten => 1,2,NoOp(b)\n');
    const { dialplan, warnings } = loadDialplanFile(file);
    assert.deepEqual(warnings.map((w) => [w.file, w.line]), [[file, 3]]);
    assert.equal(dialplan.findPriority('c', '1', 2, null)?.priority.appData, 'b');
    assert.throws(() => loadDialplanFile(join(dir, 'missing.conf')), ConfError);
    writeFileSync(file, 'exten => 1,1,NoOp(no section)\n');
    assert.throws(() => loadDialplanFile(file), (e: unknown) => e instanceof ConfError && e.line === 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
