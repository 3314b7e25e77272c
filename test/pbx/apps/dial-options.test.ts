/**
 * Dial options: the option string parser (letters, (arguments), ^ as the sub-argument delimiter),
 * and Dial's b()/B()/U()/S()/L() behaviour on a real engine and dialplan with a scripted
 * technology whose legs have channels (no network).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeBench } from '../engine/harness.js';
import { Channel } from '../../../src/channels/channel.js';
import { FakeClock } from '../../../src/core/clock.js';
import {
  describeCallLimit,
  calleeGosubLocation,
  calleeGosubVerdict,
  parseCallLimit,
  parseDialOptions,
  parseDurationStop,
  predialLocation,
} from '../../../src/pbx/apps/dial-options.js';
import { createDialApp, dialOptionLetters, type CallerLine, type DialLeg, type DialLegEvent, type DialRequest } from '../../../src/pbx/apps/dial.js';
import type { AppResult } from '../../../src/pbx/types.js';

test('option letters and (arguments): nesting, quotes, escapes; a missing ) is an error', () => {
  const p = parseDialOptions('gtb(sub^s^1(a^b))U(check^x)S(5)');
  assert.ok(p.ok);
  assert.deepEqual([...p.options.letters], ['g', 't', 'b', 'U', 'S']);
  assert.equal(p.options.args.get('b'), 'sub^s^1(a^b)');
  assert.equal(p.options.args.get('U'), 'check^x');
  assert.equal(p.options.args.get('S'), '5');
  assert.equal(p.options.args.has('g'), false);
  const q = parseDialOptions('B("x)y"^1)r');
  assert.ok(q.ok);
  assert.equal(q.options.args.get('B'), '"x)y"^1');
  assert.ok(q.options.letters.has('r'));
  const e = parseDialOptions('A\\)x(1)');
  assert.ok(e.ok);
  assert.equal(e.options.args.get('x'), '1');
  const bad = parseDialOptions('gU(sub');
  assert.equal(bad.ok, false);
  assert.match(bad.ok ? '' : bad.error, /Missing closing parenthesis for argument 'U'/);
  assert.equal(dialOptionLetters('tTL(60000:30000)g'), 'tTLg');
  assert.equal(parseDialOptions('').ok, true);
});

test('sub-argument delimiter: b()/B() locations and U() as context,s,1(args)', () => {
  assert.equal(predialLocation('ctx^exten^1(a^b)'), 'ctx,exten,1(a,b)');
  assert.equal(predialLocation('1'), '1');
  assert.equal(predialLocation('exten^label'), 'exten,label');
  assert.equal(calleeGosubLocation('screen'), 'screen,s,1');
  assert.equal(calleeGosubLocation('screen^a^b c'), 'screen,s,1(a,b c)');
});

test('S(x) seconds (fractions allowed), L(x[:y[:z]]) milliseconds; zero or empty refused', () => {
  assert.equal(parseDurationStop('5'), 5000);
  assert.equal(parseDurationStop('1.5'), 1500);
  assert.equal(parseDurationStop('0'), null);
  assert.equal(parseDurationStop('x'), null);
  assert.deepEqual(parseCallLimit('60000:30000:10000'), { limitMs: 60000, warningMs: 30000, repeatMs: 10000 });
  assert.deepEqual(parseCallLimit('60000'), { limitMs: 60000, warningMs: 0, repeatMs: 0 });
  assert.deepEqual(parseCallLimit('1000:5000:100'), { limitMs: 1000, warningMs: 0, repeatMs: 0 });
  assert.equal(parseCallLimit(''), null);
  assert.equal(parseCallLimit('0:100'), null);
});

test('GOSUB_RESULT verdicts as app_dial reads them', () => {
  assert.deepEqual(calleeGosubVerdict(undefined), { kind: 'bridge' });
  assert.deepEqual(calleeGosubVerdict(''), { kind: 'bridge' });
  assert.deepEqual(calleeGosubVerdict('whatever'), { kind: 'bridge' });
  assert.deepEqual(calleeGosubVerdict('busy'), { kind: 'status', status: 'BUSY' });
  assert.deepEqual(calleeGosubVerdict('CONGESTION'), { kind: 'status', status: 'CONGESTION' });
  assert.deepEqual(calleeGosubVerdict('CHANUNAVAIL'), { kind: 'status', status: 'CHANUNAVAIL' });
  assert.deepEqual(calleeGosubVerdict('CONTINUE'), { kind: 'continue' });
  assert.deepEqual(calleeGosubVerdict('ABORT'), { kind: 'abort' });
  assert.deepEqual(calleeGosubVerdict('GOTO:ctx^100^2'), { kind: 'goto', target: 'ctx,100,2' });
});

const SUBS = `
[subs]
exten => s,1,Set(SEEN=\${ARG1}/\${ARG2}/\${ARGC})
 same => n,Return()
exten => pre,1,Set(PRE=\${ARG1})
 same => n,Set(ORDER=\${ORDER}\${ARG1})
 same => n,Return()
exten => kill,1,Hangup(21)
exten => norun,1,Set(X=1)

[hangs]
exten => s,1,Hangup()

[result]
exten => s,1,Set(GOSUB_RESULT=\${ARG1})
 same => n,Set(URAN=\${PRE})
 same => n,Return()

[broken]
exten => s,1,Set(GOSUB_RESULT=ABORT)
 same => n,NoSuchApp()
 same => n,Return()

[jump]
exten => s,1,Set(URAN=\${PRE})
 same => n,Set(GOSUB_RESULT=GOTO:after^200^2)
 same => n,Return()

[after]
exten => s,1,NoOp()
exten => 200,1,NoOp()
 same => n,NoOp()
`;

interface FakeLeg extends DialLeg {
  readonly channel: Channel;
  started: boolean;
  cancelled: boolean;
  hungupWith: number | null;
  emit(ev: DialLegEvent): void;
}

function setup(opts: { dialplan?: string } = {}) {
  const bench = makeBench(opts.dialplan ?? SUBS);
  const clock = new FakeClock();
  bench.services.clock = clock;
  const legs: FakeLeg[] = [];
  const line: string[] = [];
  const callerVarsAtCall: Array<string | undefined> = [];
  let seq = 0;
  const callerLine: CallerLine = {
    offer: () => null,
    ring: () => line.push('ring'),
    progress: () => line.push('progress'),
    answer: (b) => line.push(`answer:${b?.data.toString() ?? ''}`),
    completedElsewhere: () => false,
  };
  const app = createDialApp({
    technology: (tech) =>
      tech === 'SIP'
        ? {
            call(resource: string, req: DialRequest) {
              callerVarsAtCall.push(req.caller.getVar('PRE'));
              const name = `SIP/${resource}-${String(++seq).padStart(8, '0')}`;
              const channel = new Channel({ name, uniqueid: `2.${seq}`, context: 'subs', exten: resource, state: 'Down' }).inherit(req.caller);
              const leg: FakeLeg = {
                name,
                number: resource,
                channel,
                started: !req.holdStart,
                cancelled: false,
                hungupWith: null,
                cancel() {
                  this.cancelled = true;
                  channel.requestHangup(16);
                },
                hangup(cause: number) {
                  this.hungupWith = cause;
                  channel.requestHangup(cause);
                },
                start() {
                  this.started = true;
                },
                emit(ev) {
                  req.onEvent(this, ev);
                },
              };
              legs.push(leg);
              return [leg];
            },
          }
        : undefined,
    callerLine: () => callerLine,
  });
  const chan = bench.chan;
  chan.context = 'after';
  chan.exten = 's';
  chan.priority = 1;
  const run = (data: string): Promise<AppResult> => Promise.resolve(app.exec({ name: 'Dial', data, channel: chan, services: bench.services }));
  return { bench, clock, legs, line, chan, run, callerVarsAtCall };
}

/** Let promise chains (subroutines, Dial's awaits) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

test('bad option arguments: DIALSTATUS INVALIDARGS and the caller hangs up; nothing is dialled', async () => {
  for (const opts of ['S(0)', 'L()', 'gU(sub']) {
    const s = setup();
    assert.deepEqual(await s.run(`SIP/a,,${opts}`), { kind: 'hangup' }, opts);
    assert.equal(s.chan.getVar('DIALSTATUS'), 'INVALIDARGS', opts);
    assert.equal(s.legs.length, 0, opts);
  }
});

test('letters herald does not act on are accepted silently', async () => {
  const s = setup();
  const p = s.run('SIP/a,,tTwWkKhHQ(NONE)xXizo(123)m(default)');
  await settle();
  s.legs[0]?.emit({ kind: 'answered', body: null });
  await settle();
  s.legs[0]?.emit({ kind: 'hungup', cause: 16 });
  assert.deepEqual(await p, { kind: 'hangup' });
  assert.equal(s.chan.getVar('DIALSTATUS'), 'ANSWER');
  assert.deepEqual(s.bench.warnings, []);
});

test('B(): the caller runs its routine before any channel is made; location and app come back', async () => {
  const s = setup();
  s.chan.priority = 7;
  s.chan.currentApp = 'Dial';
  s.chan.currentData = 'SIP/a,,B(subs^pre^1(caller))';
  const p = s.run('SIP/a,,B(subs^pre^1(caller))');
  await settle();
  assert.deepEqual(s.callerVarsAtCall, ['caller']);
  assert.equal(s.chan.getVar('PRE'), 'caller');
  assert.deepEqual([s.chan.context, s.chan.exten, s.chan.priority], ['after', 's', 7]);
  assert.equal(s.chan.currentApp, 'Dial');
  assert.equal(s.legs[0]?.started, true);
  s.chan.requestHangup(16);
  assert.deepEqual(await p, { kind: 'hangup' });
});

test('b(): each callee channel runs the routine before its call goes out', async () => {
  const s = setup();
  const p = s.run('SIP/a&SIP/b,,b(pre^1(x^y))');
  await settle();
  const [a, b] = s.legs;
  assert.ok(a && b);
  assert.equal(a.channel.getVar('PRE'), 'x');
  assert.equal(b.channel.getVar('PRE'), 'x');
  assert.equal(a.channel.getVar('ARG1'), undefined, 'frame locals are restored after Return');
  assert.equal(s.chan.getVar('PRE'), undefined, 'the caller is untouched');
  assert.ok(a.started && b.started);
  // Routines ran on the legs in their own context (subs) and the legs are back where they were.
  assert.deepEqual([a.channel.context, a.channel.exten, a.channel.priority], ['subs', 'a', 1]);
  b.emit({ kind: 'answered', body: null });
  await settle();
  assert.equal(a.cancelled, true);
  b.emit({ kind: 'hungup', cause: 16 });
  await p;
});

test('b(): a routine that hangs up its channel means that call is not made', async () => {
  const s = setup();
  const p = s.run('SIP/a,,b(subs^kill^1)');
  assert.deepEqual(await p, { kind: 'continue' });
  assert.equal(s.legs[0]?.started, false);
  assert.equal(s.chan.getVar('DIALSTATUS'), 'CHANUNAVAIL');
  const t = setup();
  const q = t.run('SIP/a&SIP/b,,b(subs^s^1)');
  await settle();
  assert.ok(t.legs.every((l) => l.started));
  t.legs[0]?.emit({ kind: 'failed', status: 486, cause: 17 });
  t.legs[1]?.emit({ kind: 'failed', status: 486, cause: 17 });
  assert.deepEqual(await q, { kind: 'continue' });
  assert.equal(t.chan.getVar('DIALSTATUS'), 'BUSY');
});

test('U(): the callee runs context,s,1(args) after its answer; the caller is answered only after it', async () => {
  const s = setup();
  const p = s.run('SIP/a,,U(subs^one^two)');
  await settle();
  const a = s.legs[0]!;
  a.emit({ kind: 'answered', body: { type: 'application/sdp', data: Buffer.from('v=0 a') } });
  await settle();
  assert.equal(a.channel.getVar('SEEN'), 'one/two/2');
  assert.deepEqual(s.line, ['answer:v=0 a']);
  assert.equal(s.chan.getVar('DIALSTATUS'), 'ANSWER');
  a.emit({ kind: 'hungup', cause: 16 });
  assert.deepEqual(await p, { kind: 'hangup' });
});

test('U() GOSUB_RESULT: ABORT hangs up both (g: caller goes on), BUSY/CONTINUE go on, GOTO jumps', async () => {
  const cases: Array<[string, AppResult, string, string | null]> = [
    ['ABORT', { kind: 'hangup' }, 'ANSWER', null],
    ['BUSY', { kind: 'continue' }, 'BUSY', null],
    ['CONGESTION', { kind: 'continue' }, 'CONGESTION', null],
    ['CONTINUE', { kind: 'continue' }, 'ANSWER', null],
    ['GOTO', { kind: 'jumped' }, 'ANSWER', 'after,200,2'],
  ];
  for (const [result, want, status, where] of cases) {
    const s = setup();
    // ^ separates U()'s arguments, so the GOTO:ctx^exten^prio result is written by the routine itself.
    const p = s.run(`SIP/a,,b(subs^pre^1(P))U(${result === 'GOTO' ? 'jump' : `result^${result}`})`);
    await settle();
    s.legs[0]!.emit({ kind: 'answered', body: null });
    assert.deepEqual(await p, want, result);
    assert.equal(s.chan.getVar('DIALSTATUS'), status, result);
    assert.equal(s.legs[0]!.hungupWith, 16, result);
    assert.equal(s.legs[0]!.channel.getVar('URAN'), 'P', `${result}: b()'s variable is visible to U() on the same channel`);
    assert.deepEqual(s.line, [], `${result}: the caller is never answered`);
    assert.equal(s.chan.getVar('ANSWEREDTIME'), '0', result);
    if (where) assert.equal(`${s.chan.context},${s.chan.exten},${s.chan.priority}`, where);
  }
  const g = setup();
  const p = g.run('SIP/a,,gU(result^ABORT)');
  await settle();
  g.legs[0]!.emit({ kind: 'answered', body: null });
  assert.deepEqual(await p, { kind: 'continue' });
  const bad = setup();
  const q = bad.run('SIP/a,,U(result^GOTO:nowhere)');
  await settle();
  bad.legs[0]!.emit({ kind: 'answered', body: null });
  assert.deepEqual(await q, { kind: 'hangup' }, 'a GOTO that does not resolve is an ABORT');
});

test('U(): other legs are cancelled before it runs; a = answer the caller at once', async () => {
  const s = setup();
  const p = s.run('SIP/a&SIP/b,,aU(subs)');
  await settle();
  s.legs[1]!.emit({ kind: 'answered', body: null });
  assert.deepEqual(s.line, ['answer:']);
  await settle();
  assert.equal(s.legs[0]!.cancelled, true);
  s.legs[1]!.emit({ kind: 'hungup', cause: 16 });
  await p;
  assert.deepEqual(s.line, ['answer:']);
});

test('S(x): the callee is hung up x seconds after the answer; no g → caller ends, g → goes on', async () => {
  for (const [opts, want] of [['S(2)', 'hangup'], ['gS(2)', 'continue'], ['gL(2000:500)', 'continue'], ['S(9)L(2000)', 'hangup']] as const) {
    const s = setup();
    const p = s.run(`SIP/a,,${opts}`);
    await settle();
    s.legs[0]!.emit({ kind: 'answered', body: null });
    await settle();
    s.clock.advance(1999);
    assert.equal(s.legs[0]!.hungupWith, null, opts);
    s.clock.advance(1);
    assert.deepEqual(await p, { kind: want }, opts);
    assert.equal(s.legs[0]!.hungupWith, 16, opts);
    assert.equal(s.chan.getVar('ANSWEREDTIME'), '2', opts);
    assert.equal(s.chan.getVar('DIALSTATUS'), 'ANSWER', opts);
  }
  // The timer does not outlive a call that ended first.
  const s = setup();
  const p = s.run('SIP/a,,S(5)');
  await settle();
  s.legs[0]!.emit({ kind: 'answered', body: null });
  await settle();
  s.clock.advance(1000);
  s.chan.requestHangup(16);
  assert.deepEqual(await p, { kind: 'hangup' });
  assert.equal(s.legs[0]!.hungupWith, 16);
  s.legs[0]!.hungupWith = null;
  s.clock.advance(10000);
  assert.equal(s.legs[0]!.hungupWith, null);
});

test('U(): a routine that does not come back with Return() is not obeyed: the call is connected', async () => {
  for (const sub of ['broken', 'nowhere']) {
    const s = setup();
    const p = s.run(`SIP/a,,U(${sub})`);
    await settle();
    s.legs[0]!.emit({ kind: 'answered', body: null });
    await settle();
    assert.equal(s.legs[0]!.hungupWith, null, sub);
    assert.deepEqual(s.line, ['answer:'], sub);
    s.legs[0]!.emit({ kind: 'hungup', cause: 16 });
    assert.deepEqual(await p, { kind: 'hangup' }, sub);
    assert.equal(s.chan.getVar('DIALSTATUS'), 'ANSWER', sub);
  }
});

test('L(): the LIMIT_* variables are read from the caller and named in the verbose line', () => {
  const chan = new Channel({ name: 'SIP/1-1', uniqueid: '1.1' });
  const limit = { limitMs: 60000, warningMs: 30000, repeatMs: 10000 };
  assert.match(describeCallLimit(limit, chan), /caller yes, for the callee no; warning 'timeleft'/);
  chan.setVar('LIMIT_PLAYAUDIO_CALLER', 'no');
  chan.setVar('LIMIT_PLAYAUDIO_CALLEE', 'yes');
  chan.setVar('LIMIT_WARNING_FILE', 'beep');
  chan.setVar('LIMIT_TIMEOUT_FILE', 'bye');
  const text = describeCallLimit(limit, chan);
  assert.match(text, /^Call limit: 60000 ms of talk; warning 30000 ms before the end, repeated every 10000 ms; /);
  assert.match(text, /caller no, for the callee yes; warning 'beep', end 'bye', start ''/);
});

test('U(): a callee that hangs up in its routine ends the call without answering the caller', async () => {
  for (const [opts, want] of [['U(hangs)', 'hangup'], ['gU(hangs)', 'continue']] as const) {
    const s = setup();
    const p = s.run(`SIP/a,,${opts}`);
    await settle();
    const a = s.legs[0]!;
    a.channel.onHangup(() => a.emit({ kind: 'hungup', cause: 16 }));
    a.emit({ kind: 'answered', body: null });
    assert.deepEqual(await p, { kind: want }, opts);
    assert.deepEqual(s.line, [], opts);
    assert.equal(s.chan.getVar('DIALSTATUS'), 'ANSWER', opts);
  }
});
