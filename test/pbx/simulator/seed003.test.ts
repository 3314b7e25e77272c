// Seed 003 (CustomPresence with the dialplan): extension 2000 toggles Bob's presence and 2001
// routes on it. The fixture is the published text unchanged (test/fixtures/config/seed003).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../../helpers/paths.js';
import { runSimulator } from '../../../src/pbx/simulator/cli.js';

const SEED = fixture('config', 'seed003');

async function sim(args: string[]): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  const code = await runSimulator(args, SEED, (l) => lines.push(l));
  return { code, lines, text: lines.join('\n') };
}

test('2000 sets Bob available when he is not, and unavailable when he is', async () => {
  const first = await sim(['default', '2000']);
  assert.equal(first.code, 0);
  assert.ok(first.lines.includes('    -- Executing [2000@default:2] Set("SIM/2000-00000001", "CURRENT_PRESENCE=not_set") in new stack'), first.text);
  assert.ok(first.lines.includes('presence of CustomPresence:Bob is now available'), first.text);

  const second = await sim(['default', '2000', '--presence', 'CustomPresence:Bob=available']);
  assert.ok(second.lines.includes('    -- Executing [2000@default:3] GotoIf("SIM/2000-00000001", "1?set_unavailable:set_available") in new stack'), second.text);
  assert.ok(second.lines.includes('presence of CustomPresence:Bob is now unavailable'), second.text);
  assert.ok(second.lines.includes('would play queue-thankyou'), second.text);
});

test('2001 dials Bob only while he is available; otherwise it goes to the voicemail label', async () => {
  const available = await sim(['default', '2001', '--presence', 'CustomPresence:Bob=available', '--dial', 'SIP/Bob=ANSWER']);
  assert.ok(available.lines.includes('would dial SIP/Bob (no timeout) → ANSWER'), available.text);

  const away = await sim(['default', '2001', '--presence', 'CustomPresence:Bob=away,lunch,Out to lunch']);
  assert.ok(away.lines.includes('    -- Executing [2001@default:1] GotoIf("SIM/2001-00000001", "1?voicemail") in new stack'), away.text);
  assert.ok(!away.text.includes('would dial'), away.text);
  // The published page lost the comma in `n(voicemail)VoiceMail(...)`: like Asterisk, the label
  // loads with no application, which is reported at load and when reached.
  assert.ok(away.lines.some((l) => /extensions\.conf:13: priority 3 of extension '2001' has no application/.test(l)), away.text);
  assert.ok(away.lines.includes("WARNING: No application '' for extension (default, 2001, 3)"), away.text);
});

test('a bad --presence value is refused with the function\'s message', async () => {
  const r = await sim(['default', '2000', '--presence', 'CustomPresence:Bob=sleepy']);
  assert.equal(r.code, 1);
});
