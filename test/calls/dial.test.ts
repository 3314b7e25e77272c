/**
 * Dial's outcome rules with a scripted technology (no network): which DIALSTATUS, HANGUPCAUSE,
 * DIALEDPEERNAME/NUMBER and app result each combination of leg events gives, what the caller's
 * line is told (ringing once, early media, the winner's SDP), and which legs get CANCEL with
 * "Call completed elsewhere".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel } from '../../src/channels/channel.js';
import { FakeClock } from '../../src/core/clock.js';
import { EventBus } from '../../src/core/bus.js';
import { silentLogger } from '../../src/core/log.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { Dialplan } from '../../src/pbx/dialplan.js';
import { COMPLETED_ELSEWHERE_REASON, createDialApp, type CallerLine, type DialLeg, type DialLegEvent, type DialRequest, type MediaBody } from '../../src/pbx/apps/dial.js';
import type { AppResult, PbxServices } from '../../src/pbx/types.js';

interface FakeLeg extends DialLeg {
  cancelled: string | null | undefined;
  hungup: boolean;
  emit(ev: DialLegEvent): void;
}

function setup() {
  const clock = new FakeClock();
  const services: PbxServices = {
    store: new MemoryStore(),
    bus: new EventBus(),
    clock,
    log: silentLogger(),
    dialplan: () => new Dialplan(),
    globals: new Map(),
    verbose: () => undefined,
  };
  const legs: FakeLeg[] = [];
  const line: string[] = [];
  let seq = 0;
  const callerLine: CallerLine = {
    offer: () => ({ type: 'application/sdp', data: Buffer.from('v=0 caller') }),
    ring: () => line.push('ring'),
    progress: (b: MediaBody | null) => line.push(`progress:${b?.data.toString() ?? ''}`),
    answer: (b: MediaBody | null) => line.push(`answer:${b?.data.toString() ?? ''}`),
    completedElsewhere: () => false,
  };
  const unavailable = new Map<string, number>();
  const app = createDialApp({
    technology: (tech) =>
      tech === 'SIP'
        ? {
            call(resource: string, req: DialRequest) {
              const cause = unavailable.get(resource);
              if (cause !== undefined) return cause;
              const leg: FakeLeg = {
                name: `SIP/${resource}-${String(++seq).padStart(8, '0')}`,
                number: resource,
                cancelled: undefined,
                hungup: false,
                cancel(reason?: string) {
                  this.cancelled = reason ?? null;
                },
                hangup() {
                  this.hungup = true;
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
  const chan = new Channel({ name: 'SIP/1000-00000001', uniqueid: '1.0' });
  const run = (data: string): Promise<AppResult> => Promise.resolve(app.exec({ name: 'Dial', data, channel: chan, services }));
  return { clock, legs, line, chan, run, unavailable };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test('first answer wins: others CANCELed as completed elsewhere, caller gets the winner SDP, no g → hangup after the callee BYE', async () => {
  const s = setup();
  const p = s.run('SIP/a&SIP/b,30');
  await tick();
  const [a, b] = s.legs;
  assert.ok(a && b);
  a.emit({ kind: 'ringing' });
  b.emit({ kind: 'ringing' });
  b.emit({ kind: 'progress', body: { type: 'application/sdp', data: Buffer.from('early') } });
  b.emit({ kind: 'answered', body: { type: 'application/sdp', data: Buffer.from('v=0 b') } });
  await tick();
  assert.equal(a.cancelled, COMPLETED_ELSEWHERE_REASON);
  assert.deepEqual(s.line, ['ring', 'progress:early', 'answer:v=0 b']);
  b.emit({ kind: 'hungup', cause: 16 });
  assert.deepEqual(await p, { kind: 'hangup' });
  assert.equal(s.chan.getVar('DIALSTATUS'), 'ANSWER');
  assert.equal(s.chan.getVar('DIALEDPEERNAME'), b.name);
  assert.equal(s.chan.getVar('DIALEDPEERNUMBER'), 'b');
  assert.equal(s.chan.hangupCause, 16);
});

test('g: the dialplan goes on after the callee hangs up; the caller hanging up sends BYE to the callee', async () => {
  const s = setup();
  const p = s.run('SIP/a,30,g');
  await tick();
  s.legs[0]?.emit({ kind: 'answered', body: null });
  s.legs[0]?.emit({ kind: 'hungup', cause: 16 });
  assert.deepEqual(await p, { kind: 'continue' });
  const s2 = setup();
  const p2 = s2.run('SIP/a,30,g');
  await tick();
  s2.legs[0]?.emit({ kind: 'answered', body: null });
  await tick();
  s2.chan.requestHangup(16);
  assert.deepEqual(await p2, { kind: 'hangup' });
  assert.equal(s2.legs[0]?.hungup, true);
});

test('every leg failed: BUSY beats CONGESTION beats CHANUNAVAIL; 480 everywhere is NOANSWER', async () => {
  const cases: Array<[number[], string]> = [
    [[503, 486, 404], 'BUSY'],
    [[503, 404], 'CONGESTION'],
    [[404, 603], 'BUSY'],
    [[404, 410], 'CHANUNAVAIL'],
    [[480, 480], 'NOANSWER'],
  ];
  const causeOf: Record<number, number> = { 503: 34, 486: 17, 404: 1, 603: 21, 410: 22, 480: 19 };
  for (const [statuses, want] of cases) {
    const s = setup();
    const p = s.run(statuses.map((_, i) => `SIP/p${i}`).join('&') + ',30');
    await tick();
    statuses.forEach((st, i) => s.legs[i]?.emit({ kind: 'failed', status: st, cause: causeOf[st] ?? 16 }));
    assert.deepEqual(await p, { kind: 'continue' }, String(statuses));
    assert.equal(s.chan.getVar('DIALSTATUS'), want, String(statuses));
  }
});

test('timeout: NOANSWER, cause 19, ringing legs CANCELed without a Reason', async () => {
  const s = setup();
  const p = s.run('SIP/a,2');
  await tick();
  s.legs[0]?.emit({ kind: 'ringing' });
  s.clock.advance(2000);
  assert.deepEqual(await p, { kind: 'continue' });
  assert.equal(s.chan.getVar('DIALSTATUS'), 'NOANSWER');
  assert.equal(s.chan.hangupCause, 19);
  assert.equal(s.legs[0]?.cancelled, null);
});

test('caller hangs up while ringing: CANCEL, hangup; unavailable destinations give CHANUNAVAIL at once', async () => {
  const s = setup();
  const p = s.run('SIP/a,30');
  await tick();
  s.chan.requestHangup(16);
  assert.deepEqual(await p, { kind: 'hangup' });
  assert.equal(s.chan.getVar('DIALSTATUS'), 'CANCEL');
  assert.equal(s.legs[0]?.cancelled, null);
  const u = setup();
  u.unavailable.set('ghost', 20);
  assert.deepEqual(await u.run('SIP/ghost,30'), { kind: 'continue' });
  assert.equal(u.chan.getVar('DIALSTATUS'), 'CHANUNAVAIL');
  assert.equal(u.chan.hangupCause, 20);
  const x = setup();
  assert.deepEqual(await x.run('IAX2/a,30'), { kind: 'continue' });
  assert.equal(x.chan.getVar('DIALSTATUS'), 'CHANUNAVAIL');
  assert.equal(x.chan.hangupCause, 66);
});

test('a second answer after the winner is hung up at once', async () => {
  const s = setup();
  const p = s.run('SIP/a&SIP/b,30');
  await tick();
  s.legs[0]?.emit({ kind: 'answered', body: null });
  s.legs[1]?.emit({ kind: 'answered', body: null });
  assert.equal(s.legs[1]?.hungup, true);
  s.legs[0]?.emit({ kind: 'hungup', cause: 16 });
  await p;
});
