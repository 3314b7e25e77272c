import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBench } from '../engine/harness.js';
import { splitStandard } from '../../../src/pbx/apps/split.js';
import { parseHangupCause } from '../../../src/pbx/apps/causes.js';
import { AppRegistry, builtinApplications } from '../../../src/pbx/apps/index.js';

test('standard argument splitting follows Asterisk (§2.7 vectors)', () => {
  assert.deepEqual(splitStandard('acct,bob@x.com,Missed call from "Bob, Jr" <100>', 3), ['acct', 'bob@x.com', 'Missed call from "Bob, Jr" <100>']);
  assert.deepEqual(splitStandard('acct,"bob@x.com",a\\,b "q" c', 3), ['acct', 'bob@x.com', 'a\\,b "q" c']);
  assert.deepEqual(splitStandard('0,"hello"', 2), ['0', '"hello"']);
  assert.deepEqual(splitStandard('"lvl",msg', 2), ['lvl', 'msg']);
  assert.deepEqual(splitStandard('a,"b,c"', 3), ['a', 'b,c']);
  assert.deepEqual(splitStandard('a\\,x,b', 3), ['a,x', 'b']);
  assert.deepEqual(splitStandard('a,b,c,d,e,f', 4), ['a', 'b', 'c', 'd,e,f']);
  assert.deepEqual(splitStandard('', 3), []);
});

test('registry is case-insensitive and System is not registered', () => {
  const r = new AppRegistry();
  for (const a of builtinApplications()) r.register(a);
  assert.equal(r.get('gotoif')?.name, 'GotoIf');
  assert.equal(r.get('NOOP')?.name, 'NoOp');
  assert.equal(r.get('System'), undefined);
});

test('Hangup causes: numbers, names by prefix, invalid', () => {
  assert.equal(parseHangupCause('17'), 17);
  assert.equal(parseHangupCause('user_busy_xyz'), 17);
  assert.equal(parseHangupCause('USER'), null);
  assert.equal(parseHangupCause('NORMAL_CLEARING'), 16);
});

test('Set: first = splits, function writes, inheritance prefixes, MSet', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Set(a=1,b=2)
 same => n,Set(__INH=x)
 same => n,Set(INH=y)
 same => n,Set(CALLERID(num)=5551234)
 same => n,Set(GLOBAL(G1)=gv)
 same => n,MSet(m1=one,m2="two\\,2",bad)
 same => n,Set(noequals)
 same => n,NoOp(\${a}|\${INH}|\${__INH}|\${CALLERID(num)}|\${G1}|\${m1}|\${m2})
`);
  await b.run('t', '1');
  assert.ok(b.executed().includes('1@t:8 NoOp 1,b=2|y||5551234|gv|one|two,2'), b.executed().join('\n'));
  assert.ok(b.warnings.includes("MSet: ignoring entry 'bad' with no '='"));
  assert.ok(b.warnings.includes("Set requires an '=' to be a valid assignment."));
  assert.equal(b.services.globals.get('G1'), 'gv');
});

test('Gosub/Return with ARGn, ARGC, LOCAL and GOSUB_RETVAL; GosubIf; StackPop', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Set(ARG1=outer)
 same => n,Set(L=keep)
 same => n,Gosub(sub,s,1(a,b))
 same => n,NoOp(back \${GOSUB_RETVAL} \${ARG1} \${L} \${ARGC})
 same => n,GosubIf($[1 = 1]?sub,s,1(z):sub,s,1(w))
 same => n,NoOp(again \${GOSUB_RETVAL})
 same => n,Gosub(nowhere,s,1)
[sub]
exten => s,1,NoOp(in \${ARG1} \${ARG2} \${ARGC})
 same => n,Set(LOCAL(L)=changed)
 same => n,NoOp(local \${L})
 same => n,Return(r-\${ARG1})
`);
  await b.run('t', '1');
  const ex = b.executed();
  assert.ok(ex.includes('s@sub:1 NoOp in a b 2'));
  assert.ok(ex.includes('s@sub:3 NoOp local changed'));
  assert.ok(ex.includes('1@t:4 NoOp back r-a outer keep '), ex.join('\n'));
  assert.ok(ex.includes('1@t:6 NoOp again r-z'));
  assert.ok(b.warnings.some((w) => w.startsWith("Gosub attempted to reach non-existent destination 'nowhere,s,1' from 't,1,7'")));
});

test('Return without Gosub ends the call', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Return()
 same => n,NoOp(not reached)
`);
  await b.run('t', '1');
  assert.deepEqual(b.executed(), ['1@t:1 Return ']);
});

test('Macro: MACRO_* and ARGn set and restored, MacroExit, MACRO_OFFSET, jumping out', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Set(ARG1=mine)
 same => n,Macro(m,x,y)
 same => n,NoOp(after \${ARG1} [\${ARG2}] [\${MACRO_EXTEN}])
 same => n,Macro(off)
 same => n,NoOp(skipped)
 same => n,NoOp(offset landed)
 same => n,Macro(out)
 same => n,NoOp(not reached)
exten => 2,1,NoOp(jumped out here)
[macro-m]
exten => s,1,NoOp(\${ARG1} \${ARG2} \${MACRO_EXTEN} \${MACRO_CONTEXT} \${MACRO_PRIORITY} \${MACRO_DEPTH})
 same => n,MacroExit()
 same => n,NoOp(not reached)
[macro-off]
exten => s,1,Set(MACRO_OFFSET=1)
[macro-out]
exten => s,1,Goto(t,2,1)
`);
  await b.run('t', '1');
  const ex = b.executed();
  assert.ok(ex.includes('s@macro-m:1 NoOp x y 1 t 2 1'), ex.join('\n'));
  assert.ok(!ex.includes('s@macro-m:3 NoOp not reached'));
  assert.ok(ex.includes('1@t:3 NoOp after mine [] []'), ex.join('\n'));
  assert.ok(!ex.some((l) => l.includes('skipped')));
  assert.ok(ex.includes('1@t:6 NoOp offset landed'));
  assert.ok(ex.includes('2@t:1 NoOp jumped out here'));
  assert.ok(b.lines.includes("V2: Channel 'SIM/100-00000001' jumping out of macro 'out'"));
  assert.ok(b.warnings.includes('Macro() is deprecated and will be removed from a future version of Asterisk.'));
});

test('Macro nesting stops at depth 7', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Macro(r)
[macro-r]
exten => s,1,NoOp(depth \${MACRO_DEPTH})
 same => n,Macro(r)
`);
  await b.run('t', '1');
  assert.equal(b.executed().filter((l) => l.includes('NoOp depth')).length, 7);
  assert.ok(b.warnings.includes('Macro():  possible infinite loop detected.  Returning early.'));
});

test('hangup inside a macro runs the macro context h (with ARGn as at the hangup) when it has one', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Macro(withh,first)
exten => h,1,NoOp(caller h)
[macro-withh]
exten => s,1,Hangup()
exten => h,1,NoOp(macro h \${ARG1} \${MACRO_CONTEXT} \${EXTEN})
 same => n,Macro(inner,second)
 same => n,NoOp(still \${ARG1})
[macro-inner]
exten => s,1,NoOp(inner runs in h \${ARG1} \${MACRO_IN_HANGUP})
`);
  await b.run('t', '1');
  assert.deepEqual(b.executed(), [
    '1@t:1 Macro withh,first',
    's@macro-withh:1 Hangup ',
    'h@macro-withh:1 NoOp macro h first t h',
    'h@macro-withh:2 Macro inner,second',
    's@macro-inner:1 NoOp inner runs in h second 1',
    'h@macro-withh:3 NoOp still first',
  ]);
});

test('hangup inside a macro without h runs the caller context h with the caller variables', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Set(ARG1=callers)
 same => n,Macro(noh,first)
exten => h,1,NoOp(caller h \${ARG1} [\${MACRO_CONTEXT}])
[macro-noh]
exten => s,1,Hangup()
`);
  await b.run('t', '1');
  assert.ok(b.executed().includes('h@t:1 NoOp caller h callers []'), b.executed().join('\n'));
});

test('While/EndWhile/ExitWhile/ContinueWhile', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Set(i=0)
 same => n,While($[\${i} < 5])
 same => n,Set(i=$[\${i} + 1])
 same => n,ExecIf($[\${i} = 2]?ContinueWhile())
 same => n,ExecIf($[\${i} = 4]?ExitWhile())
 same => n,NoOp(body \${i})
 same => n,EndWhile()
 same => n,NoOp(done \${i})
`);
  await b.run('t', '1');
  const bodies = b.executed().filter((l) => l.includes('NoOp body'));
  assert.deepEqual(bodies, ['1@t:6 NoOp body 1', '1@t:6 NoOp body 3']);
  assert.ok(b.executed().includes('1@t:8 NoOp done 4'));
});

test('ExecIf runs the chosen application and returns its result', async () => {
  const b = makeBench(`
[t]
exten => 1,1,ExecIf($[1]?Set(A=yes):Set(A=no))
 same => n,ExecIf(0?Set(B=yes):Set(B=no))
 same => n,NoOp(\${A} \${B})
 same => n,ExecIf(1?Hangup())
 same => n,NoOp(not reached)
`);
  await b.run('t', '1');
  assert.ok(b.executed().includes('1@t:3 NoOp yes no'));
  assert.ok(!b.executed().some((l) => l.includes('not reached')));
});

test('GotoIfTime uses TESTTIME when set', async () => {
  // 2026-01-05 is a Monday; 10:30 local time.
  const monday = Math.floor(new Date(2026, 0, 5, 10, 30).getTime() / 1000);
  const b = makeBench(`
[t]
exten => 1,1,Set(TESTTIME=${monday})
 same => n,GotoIfTime(09:00-17:00,mon-fri,*,*?open:closed)
 same => n(open),NoOp(open)
 same => n,Hangup()
 same => n(closed),NoOp(closed)
`);
  await b.run('t', '1');
  assert.ok(b.executed().includes('1@t:3 NoOp open'));
  const sunday = Math.floor(new Date(2026, 0, 4, 10, 30).getTime() / 1000);
  const b2 = makeBench(`
[t]
exten => 1,1,Set(TESTTIME=${sunday})
 same => n,GotoIfTime(09:00-17:00,mon-fri,*,*?open:closed)
 same => n(open),NoOp(open)
 same => n,Hangup()
 same => n(closed),NoOp(closed)
`);
  await b2.run('t', '1');
  assert.ok(b2.executed().includes('1@t:5 NoOp closed'));
});

test('Goto with a bad label warns and ends the call; GotoIf with empty data warns and continues', async () => {
  const b = makeBench(`
[t]
exten => 1,1,GotoIf()
 same => n,Goto(nolabel)
 same => n,NoOp(not reached)
`);
  await b.run('t', '1');
  assert.ok(b.warnings.includes('Ignoring, since there is no variable to check'));
  assert.ok(b.warnings.includes("Priority 'nolabel' must be a number > 0, or valid label"));
  assert.ok(!b.executed().some((l) => l.includes('not reached')));
});

test('Verbose, Log, UserEvent, Answer, Wait, Busy', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Verbose(2,hello, "world")
 same => n,Verbose(plain)
 same => n,Verbose(x,bad level)
 same => n,Log(WARNING,careful \${EXTEN})
 same => n,Log(BOGUS,x)
 same => n,UserEvent(Missed,Who: 2000,When: now)
 same => n,Answer()
 same => n,Wait(2.5)
 same => n,Busy(3)
`);
  const events: unknown[] = [];
  b.services.bus.on('UserEvent', (e) => events.push(e));
  await b.run('t', '1');
  assert.ok(b.lines.includes('V2: hello, "world"'));
  assert.ok(b.lines.includes('V0: plain'));
  assert.ok(b.warnings.includes("'x' is not a verboser number"));
  assert.ok(b.warnings.includes('careful 1'));
  assert.ok(b.warnings.includes("Unknown log level: 'BOGUS'"));
  assert.deepEqual(events, [{ channel: 'SIM/100-00000001', name: 'Missed', fields: { Who: '2000', When: 'now' } }]);
  assert.equal(b.chan.state, 'Up');
  assert.equal(b.services.clock.now(), 5500);
});

test('Wait ends early when the channel hangs up', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Wait(100)
 same => n,NoOp(not reached)
`);
  const p = b.run('t', '1');
  b.chan.requestHangup(16);
  const r = await p;
  assert.equal(r.reason, 'hangup');
  assert.ok(!b.executed().some((l) => l.includes('not reached')));
});

test('MacroIf picks a macro; Congestion sets cause 34 and hangs up', async () => {
  const b = makeBench(`
[t]
exten => 1,1,MacroIf($[2 > 1]?yes,a:no,b)
 same => n,MacroIf(0?yes,a:no,b)
 same => n,Congestion(1)
 same => n,NoOp(not reached)
[macro-yes]
exten => s,1,NoOp(yes \${ARG1})
[macro-no]
exten => s,1,NoOp(no \${ARG1})
`);
  const r = await b.run('t', '1');
  assert.deepEqual(
    b.executed().filter((l) => l.includes('NoOp')),
    ['s@macro-yes:1 NoOp yes a', 's@macro-no:1 NoOp no b'],
  );
  assert.equal(r.hangupCause, 34);
});

test('autofallthrough with CHANUNAVAIL indicates congestion', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Set(DIALSTATUS=chanunavail)
`);
  await b.run('t', '1');
  assert.ok(b.lines.includes("V2: Auto fallthrough, channel 'SIM/100-00000001' status is 'chanunavail'"));
  assert.equal(b.chan.hangupCause, 34);
  assert.equal(b.services.clock.now(), 10_000);
});

test('hangup handlers pushed with CHANNEL() run after h, most recent first, with their arguments', async () => {
  const b = makeBench(`
[t]
exten => 1,1,Set(CHANNEL(hangup_handler_push)=hh,s,1(one))
 same => n,Set(CHANNEL(hangup_handler_push)=hh,s,1(two))
 same => n,Hangup()
exten => h,1,NoOp(h first)
[hh]
exten => s,1,NoOp(handler \${ARG1})
 same => n,Return()
`);
  await b.run('t', '1');
  assert.deepEqual(
    b.executed().filter((l) => l.includes('NoOp')),
    ['h@t:1 NoOp h first', 's@hh:1 NoOp handler two', 's@hh:1 NoOp handler one'],
  );
});
