import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBench } from './harness.js';
import { FakeClock } from '../../../src/core/clock.js';
import type { DialplanApplication } from '../../../src/pbx/types.js';

test('runs priorities in order, substitutes app data and logs Asterisk-style lines', async () => {
  const b = makeBench(`
[test]
exten => 100,1,NoOp(start \${EXTEN} \${CONTEXT} \${PRIORITY})
 same => n,Set(X=5)
 same => n,NoOp(x is \${X} and sum $[\${X} + 1])
 same => n,Hangup()
`);
  const r = await b.run('test', '100');
  assert.equal(r.reason, 'hangup');
  assert.deepEqual(b.executed(), [
    '100@test:1 NoOp start 100 test 1',
    '100@test:2 Set X=5',
    '100@test:3 NoOp x is 5 and sum 6',
    '100@test:4 Hangup ',
  ]);
  assert.ok(b.lines.includes('V3: Executing [100@test:1] NoOp("SIM/100-00000001", "start 100 test 1") in new stack'));
  assert.ok(b.lines.includes("V2: Spawn extension (test, 100, 4) exited non-zero on 'SIM/100-00000001'"));
  assert.equal(b.chan.hangupCause, 16);
  assert.equal(b.chan.hungUp, true);
});

test('labels, Goto and GotoIf branches', async () => {
  const b = makeBench(`
[test]
exten => 100,1,Set(N=0)
 same => n(top),Set(N=$[\${N} + 1])
 same => n,GotoIf($[\${N} < 3]?top:done)
 same => n,NoOp(never)
 same => n(done),Goto(other,200,1)
[other]
exten => 200,1,NoOp(arrived \${N})
 same => n,GotoIf(0?nowhere)
 same => n,NoOp(after)
`);
  await b.run('test', '100');
  const ex = b.executed();
  assert.ok(ex.includes('200@other:1 NoOp arrived 3'));
  assert.ok(ex.includes('200@other:3 NoOp after'));
  assert.ok(!ex.some((l) => l.includes('never')));
  assert.ok(b.lines.includes('V3: Goto (other,200,1)'));
  assert.ok(b.lines.includes("V2: Auto fallthrough, channel 'SIM/100-00000001' status is 'UNKNOWN'"));
});

test('includes and pattern fall-through per priority', async () => {
  const b = makeBench(`
[test]
include => inc
exten => 6410,1,NoOp(literal)
exten => _641X,1,NoOp(pattern one)
exten => _641X,n,NoOp(pattern two \${EXTEN})
[inc]
exten => 7000,1,NoOp(included)
`);
  await b.run('test', '6410');
  assert.deepEqual(b.executed(), ['6410@test:1 NoOp literal', '6410@test:2 NoOp pattern two 6410']);
  const b2 = makeBench(`
[test]
include => inc
[inc]
exten => 7000,1,NoOp(included)
`);
  await b2.run('test', '7000');
  assert.deepEqual(b2.executed(), ['7000@test:1 NoOp included']);
});

test('autofallthrough with DIALSTATUS=BUSY waits as Busy(10) and sets cause 17', async () => {
  const b = makeBench(`
[test]
exten => 100,1,Set(DIALSTATUS=BUSY)
`);
  const r = await b.run('test', '100');
  assert.equal(r.reason, 'fallthrough');
  assert.ok(b.lines.includes("V2: Auto fallthrough, channel 'SIM/100-00000001' status is 'BUSY'"));
  assert.equal(b.chan.hangupCause, 17);
});

test('autofallthrough=no goes to t after the response timeout', async () => {
  const b = makeBench(`
[general]
autofallthrough=no
[test]
exten => 100,1,NoOp(one)
exten => t,1,NoOp(timeout)
`);
  await b.run('test', '100');
  assert.deepEqual(b.executed(), ['100@test:1 NoOp one', 't@test:1 NoOp timeout']);
});

test('autofallthrough=no: a hangup during the response timeout ends the wait at once (h runs now, not 10 s later)', async () => {
  const b = makeBench(`
[general]
autofallthrough=no
[test]
exten => 100,1,NoOp(one)
exten => h,1,NoOp(gone)
`);
  const clock = new FakeClock();
  b.services.clock = clock;
  const run = b.run('test', '100');
  await new Promise((res) => setImmediate(res));
  assert.equal(clock.pending(), 1, 'waiting for digits');
  b.chan.requestHangup(16);
  let guard: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_res, reject) => {
    guard = setTimeout(() => reject(new Error('the run still waits for the response timeout')), 2000);
  });
  await Promise.race([run, stuck]).finally(() => clearTimeout(guard));
  assert.deepEqual(b.executed(), ['100@test:1 NoOp one', 'h@test:1 NoOp gone']);
  assert.equal(clock.pending(), 0);
});

test('invalid extension goes to i with INVALID_EXTEN, else e, else hangs up with a warning', async () => {
  const b = makeBench(`
[test]
exten => 100,1,Goto(999,1)
exten => i,1,NoOp(invalid \${INVALID_EXTEN})
`);
  await b.run('test', '100');
  assert.ok(b.executed().includes('i@test:1 NoOp invalid 999'));
  const b2 = makeBench(`
[test]
exten => 100,1,Goto(999,1)
exten => e,1,NoOp(exception \${EXCEPTION_REASON})
`);
  await b2.run('test', '100');
  assert.ok(b2.executed().includes('e@test:1 NoOp exception INVALID'));
  const b3 = makeBench(`
[test]
exten => 100,1,Goto(999,1)
`);
  const r3 = await b3.run('test', '100');
  assert.equal(r3.reason, 'invalid');
  assert.ok(b3.warnings.some((w) => w.includes('sent to invalid extension but no invalid handler: context,exten,priority=test,999,1')));
});

test('start at a missing extension falls back to s', async () => {
  const b = makeBench(`
[test]
exten => s,1,NoOp(fallback)
`);
  await b.run('test', '555');
  assert.deepEqual(b.executed(), ['s@test:1 NoOp fallback']);
});

test('h extension runs after hangup with the channel variables, then hangup handlers (latest first)', async () => {
  const handlers = ['hh,s,1(first)', 'hh,s,1(second)'];
  const b = makeBench(
    `
[test]
exten => 100,1,Set(FOO=bar)
 same => n,Hangup(17)
 same => n,NoOp(not reached)
exten => h,1,NoOp(h sees \${FOO} cause \${HANGUPCAUSE} exten \${EXTEN})
 same => n,NoOp(h two)
[hh]
exten => s,1,NoOp(handler \${ARG1})
 same => n,Return()
`,
    { handlers: () => handlers },
  );
  await b.run('test', '100');
  assert.deepEqual(b.executed(), [
    '100@test:1 Set FOO=bar',
    '100@test:2 Hangup 17',
    'h@test:1 NoOp h sees bar cause 17 exten h',
    'h@test:2 NoOp h two',
    's@hh:1 NoOp handler second',
    's@hh:2 Return ',
    's@hh:1 NoOp handler first',
    's@hh:2 Return ',
  ]);
});

test('unknown application warns like Asterisk and hangs up (h still runs)', async () => {
  const b = makeBench(`
[test]
exten => 100,1,Foo(bar)
 same => n,NoOp(not reached)
exten => h,1,NoOp(h ran)
`);
  const r = await b.run('test', '100');
  assert.equal(r.reason, 'hangup');
  assert.ok(b.warnings.includes("No application 'Foo' for extension (test, 100, 1)"));
  assert.deepEqual(b.executed(), ['h@test:1 NoOp h ran']);
});

test('a Goto loop is stopped by the loop guard with a warning, and the event loop keeps turning', async () => {
  const b = makeBench(
    `
[test]
exten => 100,1,NoOp(spin)
 same => n,Goto(1)
`,
    { maxSyncSteps: 5000 },
  );
  let otherWorkRan = false;
  setImmediate(() => {
    otherWorkRan = true;
  });
  const r = await b.engine.run(b.chan, { context: 'test', exten: '100', priority: 1 });
  const ranDuringRun = otherWorkRan;
  await new Promise((res) => setImmediate(res));
  assert.equal(r.reason, 'loop-limit');
  assert.ok(b.warnings.some((w) => w.startsWith('Dialplan loop guard: 5000 priorities')));
  assert.ok(r.steps >= 5000 && r.steps < 5010);
  assert.ok(ranDuringRun, 'the loop yielded to the event loop while spinning');
});

test('async applications are awaited; sync ones are not', async () => {
  let calls = 0;
  const slow: DialplanApplication = {
    name: 'SlowThing',
    synopsis: '',
    syntax: '',
    description: '',
    async exec() {
      await new Promise((r) => setImmediate(r));
      calls++;
      return { kind: 'continue' };
    },
  };
  const b = makeBench(
    `
[test]
exten => 100,1,SlowThing()
 same => n,slowthing()
 same => n,NoOp(done)
`,
    { extraApps: [slow] },
  );
  await b.run('test', '100');
  assert.equal(calls, 2);
  assert.ok(b.executed().includes('100@test:3 NoOp done'));
});

test('an application that throws or rejects hangs the call up with a warning; h still runs', async () => {
  const boom: DialplanApplication = {
    name: 'Boom',
    synopsis: '',
    syntax: '',
    description: '',
    exec(call) {
      if (call.data === 'async') return Promise.reject(new Error('async failure'));
      throw new Error('sync failure');
    },
  };
  for (const mode of ['sync', 'async']) {
    const b = makeBench(
      `
[test]
exten => 100,1,Boom(${mode})
 same => n,NoOp(not reached)
exten => h,1,NoOp(h ran)
`,
      { extraApps: [boom] },
    );
    const r = await b.run('test', '100');
    assert.equal(r.reason, 'hangup');
    assert.ok(b.warnings.includes(`Boom: ${mode} failure on 'SIM/100-00000001'`), b.warnings.join('\n'));
    assert.deepEqual(b.executed(), [`100@test:1 Boom ${mode}`, 'h@test:1 NoOp h ran']);
  }
});
