/**
 * Dial(Tech/res[&Tech2/res2...][,timeout[^progress]][,options][,URL]) on real channels
 * (asterisk-dialplan-xmpp.md §5.8; the same variables and flow as the simulator's Dial):
 *  - every destination's legs ring in parallel; ringing and early media go to the caller;
 *  - the first answer wins, the other legs are cancelled ("Call completed elsewhere");
 *  - DIALSTATUS: ANSWER, BUSY, NOANSWER (timeout), CANCEL (caller went away), CHANUNAVAIL,
 *    CONGESTION; when every leg failed: BUSY > CONGESTION > CHANUNAVAIL, else NOANSWER;
 *  - not answered → the dialplan continues; CANCEL → hang up; answered → bridged until one side
 *    hangs up, then the caller's dialplan ends (h runs) unless `g` was given and the caller is up.
 * Options acted on: g, r, a, b()/B() (pre-dial Gosub on each callee / on the caller, before any
 * INVITE goes out), U() (Gosub on the answered callee before the bridge; GOSUB_RESULT decides),
 * S(x) and L(x[:y[:z]]) (end the bridge after x s / x ms of answered time). Every other letter is
 * accepted and ignored (see dial-options.ts).
 * The technology (SIP) supplies the legs; this file only keeps the outcome rules.
 */
import { watchHangup } from './channel-wait.js';
import { splitStandard } from './split.js';
import { afterCalleeVerdict, calleeGosubVerdict, dialPlanFrom, parseDialOptions } from './dial-options.js';
import { execSubroutine } from './exec-sub.js';
import type { AppResult, DialplanApplication, DialplanChannel, PbxServices } from '../types.js';

/** A session description passed through untouched (SDP). */
export interface MediaBody {
  type: string;
  data: Buffer;
}

export type DialLegEvent =
  | { kind: 'ringing' }
  | { kind: 'progress'; body: MediaBody | null }
  | { kind: 'answered'; body: MediaBody | null }
  /** The leg ended before an answer; status is the SIP final response (null: timeout/transport). */
  | { kind: 'failed'; status: number | null; cause: number }
  /** The answered leg hung up. */
  | { kind: 'hungup'; cause: number };

export interface DialLeg {
  /** Channel name, e.g. SIP/2000-0000000b (DIALEDPEERNAME). */
  readonly name: string;
  /** DIALEDPEERNUMBER: the resource as dialed. */
  readonly number: string;
  /** Stop ringing this leg; reason goes into the CANCEL's Reason header. */
  cancel(reason?: string): void;
  /** Hang up the answered leg. */
  hangup(cause: number): void;
  /** The callee's channel, where b() and U() routines run (a technology may have none). */
  readonly channel?: DialplanChannel;
  /** Send the call out; only called when the request asked for holdStart. */
  start?(): void;
}

export interface DialRequest {
  caller: DialplanChannel;
  offer: MediaBody | null;
  onEvent(leg: DialLeg, ev: DialLegEvent): void;
  /** Dial starts the legs itself (after the b() routines); otherwise the technology does at once. */
  holdStart?: boolean;
}

export interface DialTechnology {
  /** Start the legs for one resource; a number is the hangup cause when none could be made. */
  call(resource: string, req: DialRequest): DialLeg[] | number;
}

/** What Dial can do to the calling side (its INVITE, for a SIP caller). */
export interface CallerLine {
  offer(): MediaBody | null;
  ring(): void;
  progress(body: MediaBody | null): void;
  answer(body: MediaBody | null): void;
  /** Ask the caller's line to stay quiet about a winner elsewhere (the caller's CANCEL said so). */
  completedElsewhere(): boolean;
}

export interface DialDeps {
  technology(tech: string): DialTechnology | undefined;
  callerLine(chan: DialplanChannel): CallerLine | null;
  /** Called when the bridge starts/ends (channel bookkeeping for CLI and CDR). */
  bridged?(caller: DialplanChannel, leg: DialLeg | null): void;
}

/** RFC 3326 Reason for the legs that lost to another answer (chan_sip/pjsip send the same text). */
export const COMPLETED_ELSEWHERE_REASON = 'SIP;cause=200;text="Call completed elsewhere"';

/** Cause numbers used here (causes.h). */
const NORMAL_CLEARING = 16;
const NO_ANSWER = 19;
const ANSWERED_ELSEWHERE = 26;

type Tally = { busy: number; congestion: number; nochan: number };

/** app_dial's handle_cause over a leg's failure. */
function tallyFailure(t: Tally, status: number | null, cause: number): void {
  if (status === 486 || status === 600 || status === 603 || cause === 17) t.busy++;
  else if ((status !== null && status >= 500 && status < 600) || cause === 34) t.congestion++;
  else if (cause === NO_ANSWER || cause === NORMAL_CLEARING) return;
  else t.nochan++;
}

function allFailedStatus(t: Tally): string {
  if (t.busy > 0) return 'BUSY';
  if (t.congestion > 0) return 'CONGESTION';
  if (t.nochan > 0) return 'CHANUNAVAIL';
  return 'NOANSWER';
}

/** Option letters with their (…) arguments removed ('' when the string does not parse). */
export function dialOptionLetters(opts: string): string {
  const parsed = parseDialOptions(opts);
  return parsed.ok ? [...parsed.options.letters].join('') : '';
}

/** Whole seconds on the PBX clock since t (its now(), so fake and simulated time count too). */
function secondsSince(services: PbxServices, t: number): string {
  return String(Math.round((services.clock.now() - t) / 1000));
}

/** DIALEDTIME and ANSWEREDTIME once an answered call ends. */
function setTalkTimes(chan: DialplanChannel, services: PbxServices, started: number, answeredAt: number): void {
  chan.setVar('DIALEDTIME', secondsSince(services, started));
  chan.setVar('ANSWEREDTIME', secondsSince(services, answeredAt));
}

type Outcome =
  | { kind: 'answered'; leg: DialLeg }
  | { kind: 'timeout' }
  | { kind: 'caller-gone' }
  | { kind: 'all-failed' };

export function createDialApp(deps: DialDeps): DialplanApplication {
  return {
    name: 'Dial',
    synopsis: 'Call one or more destinations and bridge the first that answers',
    syntax: 'Dial(Tech/resource[&Tech2/resource2...][,timeout[,options[,URL]]])',
    description:
      'Rings every destination at once. The first to answer is connected to the caller and the rest stop ringing. ' +
      'DIALSTATUS tells how it went (ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL, or INVALIDARGS when ' +
      'the options cannot be read); DIALEDTIME, ANSWEREDTIME, DIALEDPEERNAME and DIALEDPEERNUMBER are set too. ' +
      'After a connected call the dialplan ends, unless option g is given. Options herald acts on: ' +
      'a (answer the caller as soon as the called side answers); ' +
      'b([[context^]exten^]priority[(arg1^arg2)]) (before each call goes out, run that Gosub on the new channel); ' +
      'B(same form) (run that Gosub on the calling channel before anything is dialled); ' +
      'g (go on after the called side hangs up, also when S or L hung it up); L(x[:y[:z]]) (hang up the called ' +
      'side after x ms of talk; the warning y ms before the end, every z ms, needs media and is not played); ' +
      'r (ring the caller at once); S(x) (hang up the called side x seconds after the answer); ' +
      'U(context[^arg1^arg2]) (once the called side answers, run Gosub context,s,1 on it while the caller waits; ' +
      'GOSUB_RESULT set there to BUSY, CONGESTION or CHANUNAVAIL ends the call with that DIALSTATUS, CONTINUE ' +
      'ends it and goes on in the dialplan, ABORT hangs up both sides, GOTO:[[context^]exten^]priority sends ' +
      'the caller there; empty connects the call). Inside option arguments ^ separates the fields. ' +
      'Every other option letter is accepted and has no effect.',
    // Not async itself: dial's promise is handed on as is, without a second promise around it.
    exec(call): Promise<AppResult> {
      return dial(call.channel, call.data, call.services, deps);
    },
  };
}

/** The variables Dial clears before it starts. */
const DIAL_VARIABLES = ['DIALSTATUS', 'DIALEDPEERNUMBER', 'DIALEDPEERNAME', 'ANSWEREDTIME', 'DIALEDTIME', 'RINGTIME', 'PROGRESSTIME'];

/** The `&`-separated destinations, trimmed, empty ones left out. */
function destinationList(dests: string): string[] {
  const list: string[] = [];
  for (const part of dests.split('&')) {
    const d = part.trim();
    if (d !== '') list.push(d);
  }
  return list;
}

async function dial(chan: DialplanChannel, data: string, services: PbxServices, deps: DialDeps): Promise<AppResult> {
  const [dests = '', timeoutText = '', options = ''] = splitStandard(data, 4);
  for (const v of DIAL_VARIABLES) chan.setVar(v, '');
  const list = destinationList(dests);
  if (list.length === 0) {
    services.log.warn('Dial requires an argument (technology/resource)');
    chan.setVar('DIALSTATUS', 'CHANUNAVAIL');
    return { kind: 'continue' };
  }
  // app_dial: DIALSTATUS starts as INVALIDARGS and stays so when the options are refused (Dial returns -1).
  const plan = dialPlanFrom(options, services, chan);
  if (typeof plan === 'string') {
    services.log.warn(plan);
    chan.setVar('DIALSTATUS', 'INVALIDARGS');
    return { kind: 'hangup' };
  }
  const letters = plan.opts.letters;
  const started = services.clock.now();
  if (chan.hungUp) {
    chan.setVar('DIALSTATUS', 'CANCEL');
    return { kind: 'hangup' };
  }
  // B(): the caller's pre-dial routine runs before any channel is made.
  if (plan.predialCaller !== null) {
    await execSubroutine(chan, services, plan.predialCaller);
    if (chan.hungUp) {
      chan.setVar('DIALSTATUS', 'CANCEL');
      return { kind: 'hangup' };
    }
  }
  const line = deps.callerLine(chan);
  const tally: Tally = { busy: 0, congestion: 0, nochan: 0 };
  const legs: DialLeg[] = [];
  const live = new Set<DialLeg>();
  let ringSent = false;
  let settle: ((o: Outcome) => void) | null = null;
  let answeredLeg: DialLeg | null = null;
  let answerBody: MediaBody | null = null;
  let callerAnswered = false;
  // Asterisk answers the caller when the bridge starts; herald did so on the callee's answer,
  // which is the same moment unless U() runs in between (or `a` asks for it at once).
  const answerEarly = plan.calleeGosub === null || letters.has('a');
  let bridgeEnd: ((who: 'callee' | 'caller') => void) | null = null;
  /** The winner hung up before the bridge wait began (its BYE raced the answer, or U() hung it up). */
  let calleeGone = false;

  const onEvent = (leg: DialLeg, ev: DialLegEvent): void => {
    switch (ev.kind) {
      case 'ringing':
        if (chan.getVar('RINGTIME') === '') chan.setVar('RINGTIME', secondsSince(services, started));
        if (!ringSent && answeredLeg === null) {
          ringSent = true;
          line?.ring();
          services.verbose(3, `${leg.name} is ringing`);
        }
        return;
      case 'progress':
        if (chan.getVar('PROGRESSTIME') === '') chan.setVar('PROGRESSTIME', secondsSince(services, started));
        if (answeredLeg === null) {
          line?.progress(ev.body);
          services.verbose(3, `${leg.name} is making progress passing it to ${chan.name}`);
        }
        return;
      case 'answered':
        if (answeredLeg !== null || settle === null) {
          // Lost the race (or Dial already gave up): hang it up at once.
          leg.hangup(ANSWERED_ELSEWHERE);
          return;
        }
        answeredLeg = leg;
        answerBody = ev.body;
        live.delete(leg);
        services.verbose(3, `${leg.name} answered ${chan.name}`);
        if (answerEarly) {
          callerAnswered = true;
          line?.answer(ev.body);
        }
        settle({ kind: 'answered', leg });
        return;
      case 'failed':
        if (!live.delete(leg)) return;
        tallyFailure(tally, ev.status, ev.cause);
        chan.hangupCause = ev.cause;
        if (live.size === 0 && settle !== null) settle({ kind: 'all-failed' });
        return;
      case 'hungup':
        if (leg === answeredLeg) {
          chan.hangupCause = ev.cause || NORMAL_CLEARING;
          calleeGone = true;
          bridgeEnd?.('callee');
        }
        return;
    }
  };

  const holdStart = plan.predialCallee !== null;
  for (const dest of list) {
    const slash = dest.indexOf('/');
    const tech = slash > 0 ? dest.slice(0, slash) : dest;
    const resource = slash > 0 ? dest.slice(slash + 1) : '';
    const impl = deps.technology(tech);
    if (!impl) {
      services.log.warn(`Unable to create channel of type '${tech}' (cause 66 - Channel not implemented)`);
      tally.nochan++;
      chan.hangupCause = 66;
      continue;
    }
    const made = impl.call(resource, { caller: chan, offer: line?.offer() ?? null, onEvent, holdStart });
    if (typeof made === 'number') {
      services.verbose(3, `Unable to create channel ${dest} (cause ${made})`);
      tallyFailure(tally, null, made);
      chan.hangupCause = made;
      continue;
    }
    for (const leg of made) {
      legs.push(leg);
      live.add(leg);
      services.verbose(3, `Called ${dest}`);
    }
  }

  // b(): each new channel runs the routine before its call goes out; then they all go out.
  if (plan.predialCallee !== null) {
    for (const leg of legs) {
      if (!live.has(leg) || chan.hungUp) continue;
      if (leg.channel) await execSubroutine(leg.channel, services, plan.predialCallee);
      if (leg.channel?.hungUp) {
        // A routine that hung its channel up: that call cannot be made (ast_call refuses it).
        live.delete(leg);
        leg.cancel();
        tally.nochan++;
        if (leg.channel.hangupCause) chan.hangupCause = leg.channel.hangupCause;
        services.verbose(3, `Couldn't call ${leg.name}`);
      }
    }
    if (!chan.hungUp) for (const leg of legs) if (live.has(leg)) leg.start?.();
  }

  if (legs.length === 0) {
    const status = allFailedStatus(tally) === 'NOANSWER' ? 'CHANUNAVAIL' : allFailedStatus(tally);
    chan.setVar('DIALSTATUS', status);
    chan.setVar('DIALEDTIME', '0');
    services.verbose(2, `Everyone is busy/congested at this time (${list.length}:${tally.busy}/${tally.congestion}/${tally.nochan})`);
    return { kind: 'continue' };
  }
  if (letters.has('r') && !ringSent) {
    ringSent = true;
    line?.ring();
  }

  const timeout = Number.parseFloat((timeoutText.split('^')[0] ?? '').trim());
  const timeoutMs = Number.isFinite(timeout) && timeout > 0 ? timeout * 1000 : null;
  const outcome = await new Promise<Outcome>((resolve) => {
    let timer: ReturnType<PbxServices['clock']['setTimer']> | null = null;
    let offHangup: () => void = () => undefined;
    settle = (o) => {
      settle = null;
      if (timer) services.clock.clear(timer);
      offHangup();
      resolve(o);
    };
    if (live.size === 0) {
      settle({ kind: 'all-failed' });
      return;
    }
    if (timeoutMs !== null) timer = services.clock.setTimer(timeoutMs, () => settle?.({ kind: 'timeout' }));
    offHangup = watchHangup(chan, () => settle?.({ kind: 'caller-gone' }));
    if (chan.hungUp) settle?.({ kind: 'caller-gone' });
  });

  if (outcome.kind !== 'answered') {
    const elsewhere = line?.completedElsewhere() ?? false;
    for (const leg of live) leg.cancel(elsewhere ? COMPLETED_ELSEWHERE_REASON : undefined);
    live.clear();
    chan.setVar('DIALEDTIME', secondsSince(services, started));
    chan.setVar('ANSWEREDTIME', '');
    if (outcome.kind === 'caller-gone') {
      chan.setVar('DIALSTATUS', 'CANCEL');
      chan.hangupCause = elsewhere ? ANSWERED_ELSEWHERE : NORMAL_CLEARING;
      return { kind: 'hangup' };
    }
    if (outcome.kind === 'timeout') {
      services.verbose(3, `Nobody picked up in ${timeoutMs ?? 0} ms`);
      chan.setVar('DIALSTATUS', 'NOANSWER');
      chan.hangupCause = NO_ANSWER;
      return { kind: 'continue' };
    }
    const status = allFailedStatus(tally);
    if (status === 'NOANSWER') services.verbose(3, `No one is available to answer at this time (${legs.length}:${tally.busy}/${tally.congestion}/${tally.nochan})`);
    else services.verbose(2, `Everyone is busy/congested at this time (${legs.length}:${tally.busy}/${tally.congestion}/${tally.nochan})`);
    chan.setVar('DIALSTATUS', status);
    return { kind: 'continue' };
  }

  // Answered: the other legs lose; the caller is bridged to the winner.
  const winner = outcome.leg;
  for (const leg of live) leg.cancel(COMPLETED_ELSEWHERE_REASON);
  live.clear();
  chan.setVar('DIALSTATUS', 'ANSWER');
  chan.setVar('DIALEDPEERNAME', winner.name);
  chan.setVar('DIALEDPEERNUMBER', winner.number);
  chan.hangupCause = NORMAL_CLEARING;
  const answeredAt = services.clock.now();

  // U(): the callee runs the routine while the caller waits (still ringing unless `a`).
  if (plan.calleeGosub !== null && winner.channel && !calleeGone) {
    // app_dial reads GOSUB_RESULT only when the routine came back normally.
    const end = await execSubroutine(winner.channel, services, plan.calleeGosub);
    const verdict = end === 'returned' ? calleeGosubVerdict(winner.channel.getVar('GOSUB_RESULT')) : { kind: 'bridge' as const };
    if (verdict.kind !== 'bridge') {
      services.verbose(3, `${winner.name} sent GOSUB_RESULT ${winner.channel.getVar('GOSUB_RESULT') ?? ''}: not connecting ${chan.name}`);
      winner.hangup(NORMAL_CLEARING);
      setTalkTimes(chan, services, started, answeredAt);
      return afterCalleeVerdict(chan, services, verdict, letters.has('g'));
    }
  }
  // A callee that hung up during U() leaves nothing to connect: the caller is not answered for it.
  if (!callerAnswered && !calleeGone) line?.answer(answerBody);

  deps.bridged?.(chan, winner);
  let stopTimer: ReturnType<PbxServices['clock']['setTimer']> | null = null;
  const who = await new Promise<'callee' | 'caller'>((resolve) => {
    let off: () => void = () => undefined;
    bridgeEnd = (w) => {
      bridgeEnd = null;
      off();
      if (stopTimer) services.clock.clear(stopTimer);
      resolve(w);
    };
    off = watchHangup(chan, () => bridgeEnd?.('caller'));
    if (calleeGone) bridgeEnd('callee');
    else if (chan.hungUp) bridgeEnd('caller');
    else if (plan.stopAfterMs !== null) {
      // S()/L(): the time is up for the called side; the caller goes on as after its hangup.
      stopTimer = services.clock.setTimer(plan.stopAfterMs, () => {
        stopTimer = null;
        services.verbose(3, `Time limit of ${plan.stopAfterMs} ms reached: hanging up ${winner.name}`);
        winner.hangup(NORMAL_CLEARING);
        chan.hangupCause = NORMAL_CLEARING;
        bridgeEnd?.('callee');
      });
    }
  });
  deps.bridged?.(chan, null);
  if (who === 'caller') winner.hangup(chan.hangupCause || NORMAL_CLEARING);
  setTalkTimes(chan, services, started, answeredAt);
  if (who === 'caller') return { kind: 'hangup' };
  // Without g Dial returns -1 after the bridge: the caller's dialplan ends and h runs.
  return letters.has('g') && !chan.hungUp ? { kind: 'continue' } : { kind: 'hangup' };
}
