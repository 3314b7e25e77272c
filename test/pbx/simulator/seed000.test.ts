import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../../helpers/paths.js';
import { runSimulator } from '../../../src/pbx/simulator/cli.js';

const RESTORED = fixture('simulator', 'seed000-restored');
const MANGLED = fixture('config', 'seed000');
const CALLER = ['--callerid', '"Alice Smith" <2000>'];

async function sim(dir: string, args: string[]): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  const code = await runSimulator(args, dir, (l) => lines.push(l));
  return { code, lines, text: lines.join('\n') };
}

const XMPP_MACRO =
  '    -- Executing [h@macro-DialVM:4] Macro("SIM/555-00000001", "XMPPSend,youraccountreceivingnotifications@gmail.com,"Alice Smith" <2000> just tried to call 555") in new stack';

test('caller hangs up while it rings (CANCEL): the macro context h runs and enters XMPPSend', async () => {
  const started = Date.now();
  const r = await sim(RESTORED, ['Local', '555', ...CALLER, '--dial', 'SIP/555=CANCEL']);
  assert.equal(r.code, 0);
  assert.ok(Date.now() - started < 2000, 'simulated time must not sleep');
  const i = (s: string): number => {
    const k = r.lines.indexOf(s);
    assert.ok(k >= 0, `missing line: ${s}\n---\n${r.text}`);
    return k;
  };
  const order = [
    i('    -- Executing [555@Local:1] Macro("SIM/555-00000001", "DialVM,555,30") in new stack'),
    i('    -- Executing [s@macro-DialVM:1] Dial("SIM/555-00000001", "SIP/555,30,wg") in new stack'),
    i('would dial SIP/555 (timeout 30, options wg) → CANCEL'),
    i("  == Spawn extension (macro-DialVM, s, 1) exited non-zero on 'SIM/555-00000001' in macro 'DialVM'"),
    i('    -- Executing [h@macro-DialVM:1] NoOp("SIM/555-00000001", "Did user hang up before leaving a voicemail ?") in new stack'),
    i('    -- Executing [h@macro-DialVM:3] GotoIf("SIM/555-00000001", "1?missed:notmissed") in new stack'),
    i(XMPP_MACRO),
    i('    -- Executing [s@macro-XMPPSend:1] Jabberstatus("SIM/555-00000001", "asterisk,youraccountreceivingnotifications@gmail.com,STATUS") in new stack'.replace('Jabberstatus', 'JabberStatus')),
    i('    -- Executing [s@macro-XMPPSend:6] NoOp("SIM/555-00000001", "youraccountreceivingnotifications@gmail.com is not available in at least one location.. Do not send notification") in new stack'),
    i('    -- Executing [h@macro-DialVM:5] Hangup("SIM/555-00000001", "") in new stack'),
  ];
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'lines out of order');
  assert.ok(r.lines.includes('  DIALSTATUS=CANCEL'));
  // ARG1/ARG2 of DialVM are back after XMPPSend returned (they are what h saw at the hangup).
  assert.ok(r.lines.includes('  ARG1=555'));
  assert.ok(r.lines.includes('  ARG2=30'));
  assert.ok(!r.text.includes('would send XMPP'), 'buddy is offline (status 6) by default');
});

test('no answer, then the caller hangs up in voicemail (VMSTATUS=FAILED): XMPPSend is entered', async () => {
  const r = await sim(RESTORED, ['Local', '555', ...CALLER, '--vmstatus', 'FAILED']);
  assert.equal(r.code, 0);
  assert.ok(r.lines.includes('would dial SIP/555 (timeout 30, options wg) → NOANSWER'), r.text);
  assert.ok(r.lines.includes('    -- Executing [s@macro-DialVM:2] Voicemail("SIM/555-00000001", "555") in new stack'.replace('Voicemail', 'VoiceMail')), r.text);
  assert.ok(r.lines.includes('would record voicemail for 555@default → FAILED'), r.text);
  assert.ok(r.lines.includes('    -- Executing [h@macro-DialVM:2] GotoIf("SIM/555-00000001", "1?missed:nextcheck") in new stack'), r.text);
  assert.ok(r.lines.includes(XMPP_MACRO), r.text);
  assert.ok(r.lines.includes('  VMSTATUS=FAILED'));
  assert.ok(r.lines.includes('  DIALSTATUS=NOANSWER'));
});

test('answered call: h runs Hangup() and no XMPPSend macro', async () => {
  const r = await sim(RESTORED, ['Local', '555', ...CALLER, '--dial', 'SIP/555=ANSWER']);
  assert.equal(r.code, 0);
  assert.ok(r.lines.includes('would dial SIP/555 (timeout 30, options wg) → ANSWER'), r.text);
  assert.ok(r.lines.includes('    -- Executing [h@macro-DialVM:3] GotoIf("SIM/555-00000001", "0?missed:notmissed") in new stack'), r.text);
  assert.ok(r.lines.includes('    -- Executing [h@macro-DialVM:5] Hangup("SIM/555-00000001", "") in new stack'), r.text);
  assert.ok(!r.text.includes('XMPPSend,'), r.text);
  assert.ok(r.lines.includes('  DIALSTATUS=ANSWER'));
  assert.ok(r.lines.includes('  ANSWEREDTIME=60'));
});

test('the mangled published seed loads and runs; its broken GotoIf only warns', async () => {
  const r = await sim(MANGLED, ['Local', '555', ...CALLER, '--dial', 'SIP/555=CANCEL']);
  assert.equal(r.code, 0);
  // The lost `]` and `?labels`: the expression warns, the GotoIf has no branch to take, so the
  // macro goes on to Jabbersend although the buddy is offline (what Asterisk would do too).
  assert.ok(r.lines.includes("WARNING: Error in extension logic (missing ']')"), r.text);
  assert.ok(r.lines.some((l) => l.startsWith('WARNING: ast_yyerror(): syntax error')), r.text);
  assert.ok(r.lines.includes('    -- Executing [s@macro-XMPPSend:2] GotoIf("SIM/555-00000001", ""6"") in new stack'), r.text);
  assert.ok(
    r.lines.includes('would send XMPP via asterisk to youraccountreceivingnotifications@gmail.com : "Alice Smith" <2000> just tried to call 555'),
    r.text,
  );
  assert.ok(r.lines.some((l) => l.startsWith('== Simulation ended')), r.text);
});

test('usage errors and a missing directory give exit code 1', async () => {
  assert.equal((await sim(RESTORED, ['Local'])).code, 1);
  assert.equal((await sim(RESTORED, ['Local', '555', '--dial', 'SIP/555=MAYBE'])).code, 1);
  assert.equal((await sim(fixture('simulator', 'no-such-dir'), ['Local', '555'])).code, 1);
});

test('--hangup-at and --set: the caller hangs up at a priority; h sees the variables', async () => {
  const r = await sim(RESTORED, ['Local', '555', '--set', 'FOO=bar', '--hangup-at', 'macro-DialVM,s,2']);
  assert.equal(r.code, 0);
  assert.ok(r.lines.includes('caller hangs up at s@macro-DialVM:2'), r.text);
  assert.ok(r.lines.includes('  FOO=bar'));
});
