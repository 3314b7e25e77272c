import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../helpers/paths.js';
import { runSimulator } from '../../src/pbx/simulator/cli.js';

const RESTORED = fixture('simulator', 'seed000-restored');

async function sim(args: string[]): Promise<{ code: number; lines: string[]; text: string }> {
  const lines: string[] = [];
  const code = await runSimulator(args, RESTORED, (l) => lines.push(l));
  return { code, lines, text: lines.join('\n') };
}

const MACRO = ['macro-XMPPSend', 's', '--set', 'ARG1=bob@localhost', '--set', 'ARG2=Missed call from 2000'];

test('--buddy asterisk/bob@localhost=1: the restored macro-XMPPSend takes the available branch and would send', async () => {
  const r = await sim([...MACRO, '--buddy', 'asterisk/bob@localhost=1']);
  assert.equal(r.code, 0, r.text);
  assert.ok(r.lines.includes('XMPP status of bob@localhost via asterisk is 1'), r.text);
  assert.ok(r.lines.includes('    -- Executing [s@macro-XMPPSend:3] NoOp("SIM/s-00000001", "bob@localhost is available") in new stack'), r.text);
  assert.ok(r.lines.includes('would send XMPP via asterisk to bob@localhost : Missed call from 2000'), r.text);
});

test('--buddy …=3 (Away): the unavailable branch, nothing sent', async () => {
  const r = await sim([...MACRO, '--buddy', 'asterisk/bob@localhost=3']);
  assert.equal(r.code, 0, r.text);
  assert.ok(r.lines.includes('XMPP status of bob@localhost via asterisk is 3'), r.text);
  assert.ok(r.text.includes('bob@localhost is not available in at least one location'), r.text);
  assert.ok(!r.text.includes('would send XMPP'), r.text);
});

test('--buddy with a bad value is a usage error', async () => {
  const r = await sim([...MACRO, '--buddy', 'asterisk/bob@localhost=9']);
  assert.equal(r.code, 1);
  assert.match(r.text, /--buddy wants ACCOUNT\/JID=1\.\.7/);
});
