/**
 * `dialplan run` with Dial's routine options: B() on the caller, b() on a simulated channel per
 * destination, U() on the answering one (its GOSUB_RESULT obeyed), S() shortening the talk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSimulator } from '../../../src/pbx/simulator/cli.js';

const EXTENSIONS = `
[in]
exten => 100,1,Dial(SIP/2000&SIP/3000,20,B(pre^c^1(cc))b(pre^l^1(x))U(scr^ABORT)g)
 same => n,Verbose(1,after \${DIALSTATUS} \${DIALEDPEERNAME})
 same => n,Dial(SIP/2000,20,S(5))
exten => 101,1,Dial(SIP/2000,20,U(scr^))
exten => h,1,Verbose(1,h \${DIALSTATUS} \${ANSWEREDTIME})
[pre]
exten => c,1,Set(__CM=\${ARG1})
 same => n,Return()
exten => l,1,Verbose(1,leg \${CHANNEL} \${CM} \${ARG1})
 same => n,Set(LM=\${ARG1})
 same => n,Return()
[scr]
exten => s,1,Verbose(1,screen \${CHANNEL} \${LM} \${ARG1})
 same => n,Set(GOSUB_RESULT=\${ARG1})
 same => n,Return()
`;

async function sim(args: string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-sim-dialopts-'));
  try {
    writeFileSync(join(dir, 'extensions.conf'), EXTENSIONS);
    const lines: string[] = [];
    assert.equal(await runSimulator(args, dir, (l) => lines.push(l)), 0);
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('simulated Dial runs B(), b() on each destination, U() on the answering one and obeys ABORT with g', async () => {
  const lines = await sim(['in', '100', '--dial', 'SIP/2000=ANSWER', '--dial', 'SIP/3000=NOANSWER']);
  const said = lines.filter((l) => !l.startsWith(' ') && !l.startsWith('Simulating') && !l.startsWith('=='));
  assert.deepEqual(said.slice(0, 8), [
    'leg SIP/2000-00000002 cc x',
    'leg SIP/3000-00000003 cc x',
    'would dial SIP/2000&SIP/3000 (timeout 20, options B(pre^c^1(cc))b(pre^l^1(x))U(scr^ABORT)g) → ANSWER',
    'screen SIP/2000-00000002 x ABORT',
    'SIP/2000 is hung up: GOSUB_RESULT=ABORT',
    'after ANSWER SIP/2000-00000002',
    'would dial SIP/2000 (timeout 20, options S(5)) → ANSWER',
    'SIP/2000 is hung up after 5 s of talk (time limit)',
  ]);
  assert.ok(lines.includes('h ANSWER 5'), lines.join('\n'));
});

test('simulated Dial: U() with an empty GOSUB_RESULT connects the call as usual', async () => {
  const lines = await sim(['in', '101', '--dial', 'SIP/2000=ANSWER']);
  assert.ok(lines.includes('SIP/2000 hangs up after 60 s of talk'), lines.join('\n'));
  assert.ok(lines.includes('h ANSWER 60'), lines.join('\n'));
});
