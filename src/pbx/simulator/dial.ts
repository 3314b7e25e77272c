/**
 * Dial as the simulator plays it (asterisk-dialplan-xmpp.md §5.8): every destination's outcome
 * comes from --dial (default NOANSWER after the timeout).
 *  - NOANSWER/BUSY/CONGESTION/CHANUNAVAIL → DIALSTATUS set, the dialplan goes on;
 *  - CANCEL → the caller hung up while it rang: DIALSTATUS=CANCEL, the channel hangs up (h runs);
 *  - ANSWER → talk, the callee hangs up; without `g` the caller's dialplan ends, with `g` it goes on.
 * DIALEDTIME, ANSWEREDTIME, DIALEDPEERNAME, DIALEDPEERNUMBER and the hangup cause are set too.
 * The routines of B() (caller), b() (a simulated channel per destination that gets one) and U()
 * (the answering destination's channel) really run; S()/L() shorten the simulated talk.
 */
import { Channel } from '../../channels/channel.js';
import { splitStandard } from '../apps/split.js';
import { waitOnChannel } from '../apps/channel-wait.js';
import { afterCalleeVerdict, calleeGosubVerdict, dialPlanFrom } from '../apps/dial-options.js';
import { execSubroutine } from '../apps/exec-sub.js';
import type { AppResult, DialplanApplication, DialplanChannel } from '../types.js';
import type { DialOutcome, SimWorld } from './world.js';

const CAUSE: Record<DialOutcome, number> = {
  ANSWER: 16,
  NOANSWER: 19,
  BUSY: 17,
  CANCEL: 16,
  CHANUNAVAIL: 20,
  CONGESTION: 34,
};

/** Asterisk's order when everyone failed: BUSY > CONGESTION > CHANUNAVAIL; else NOANSWER. */
function combine(outcomes: DialOutcome[]): DialOutcome {
  for (const o of ['ANSWER', 'CANCEL', 'NOANSWER', 'BUSY', 'CONGESTION', 'CHANUNAVAIL'] as const) {
    if (outcomes.includes(o)) return o;
  }
  return 'CHANUNAVAIL';
}

/**
 * nextPeerName names the channel of a destination (`SIP/2000-00000002`); nextUniqueId gives the
 * unique id of a simulated callee channel (only made when b() or U() needs one).
 */
export function simDialApp(world: SimWorld, nextPeerName: (dest: string) => string, nextUniqueId: () => string = () => ''): DialplanApplication {
  return {
    name: 'Dial',
    synopsis: 'Place a call (simulated: the outcome comes from --dial)',
    syntax: 'Dial(Tech/resource[&Tech2/resource2...][,timeout[,options[,URL]]])',
    description:
      'Simulator version of Dial: nothing is really called; the outcome of each destination is taken from the --dial option. ' +
      'The B(), b() and U() routines run on the caller and on simulated callee channels; S() and L() shorten the simulated talk.',
    async exec(call): Promise<AppResult> {
      const chan = call.channel;
      const [dests = '', timeoutText = '', options = ''] = splitStandard(call.data, 4);
      for (const v of ['DIALSTATUS', 'DIALEDPEERNUMBER', 'DIALEDPEERNAME', 'ANSWEREDTIME', 'DIALEDTIME']) chan.setVar(v, '');
      const list = dests.split('&').map((d) => d.trim()).filter((d) => d !== '');
      if (list.length === 0) {
        call.services.log.warn('Dial requires an argument (technology/resource)');
        chan.setVar('DIALSTATUS', 'CHANUNAVAIL');
        return { kind: 'continue' };
      }
      const plan = dialPlanFrom(options, call.services, chan);
      if (typeof plan === 'string') {
        call.services.log.warn(plan);
        chan.setVar('DIALSTATUS', 'INVALIDARGS');
        return { kind: 'hangup' };
      }
      if (plan.predialCaller !== null) {
        await execSubroutine(chan, call.services, plan.predialCaller);
        if (chan.hungUp) {
          chan.setVar('DIALSTATUS', 'CANCEL');
          return { kind: 'hangup' };
        }
      }
      // Callee channels, made for b() (every destination that gets a channel) or for U() (the answering one).
      const callees = new Map<string, DialplanChannel>();
      const calleeOf = (dest: string): DialplanChannel => {
        let c = callees.get(dest);
        if (!c) {
          const made = new Channel({ name: nextPeerName(dest), uniqueid: nextUniqueId(), context: chan.context, exten: dest.slice(dest.indexOf('/') + 1), state: 'Down', callerId: chan.callerId });
          c = made.inherit(chan);
          callees.set(dest, c);
        }
        return c;
      };
      if (plan.predialCallee !== null) {
        for (const d of list) if (world.dialOutcome(d) !== 'CHANUNAVAIL') await execSubroutine(calleeOf(d), call.services, plan.predialCallee);
      }
      const timeout = Number.parseFloat(timeoutText.split('^')[0] ?? '');
      const timeoutSec = Number.isFinite(timeout) && timeout > 0 ? timeout : null;
      const outcomes = list.map((d) => world.dialOutcome(d));
      const outcome = combine(outcomes);
      const optText = options ? `, options ${options}` : '';
      const toText = timeoutSec !== null ? `timeout ${timeoutText.split('^')[0]}` : 'no timeout';
      world.say(`would dial ${list.join('&')} (${toText}${optText}) → ${outcome}`);

      const ring = outcome === 'NOANSWER' ? (timeoutSec ?? 60) : outcome === 'ANSWER' || outcome === 'CANCEL' ? world.ringSeconds : 0;
      if (ring > 0 && (await waitOnChannel(chan, call.services, ring * 1000)) === 'hangup') {
        chan.setVar('DIALSTATUS', 'CANCEL');
        return { kind: 'hangup' };
      }
      chan.setVar('DIALSTATUS', outcome);
      if (outcome === 'CANCEL') {
        chan.setVar('DIALEDTIME', String(ring));
        chan.hangupCause = CAUSE.CANCEL;
        const c = chan as typeof chan & { requestHangup?: (cause?: number) => void };
        c.requestHangup?.(CAUSE.CANCEL);
        return { kind: 'hangup' };
      }
      if (outcome !== 'ANSWER') {
        chan.setVar('DIALEDTIME', String(ring));
        chan.setVar('ANSWEREDTIME', '');
        chan.hangupCause = CAUSE[outcome];
        return { kind: 'continue' };
      }
      const answeredDest = list[outcomes.indexOf('ANSWER')]!;
      const goOnFlag = plan.opts.letters.has('g');
      const peerName = plan.calleeGosub !== null || callees.has(answeredDest) ? calleeOf(answeredDest).name : nextPeerName(answeredDest);
      chan.setVar('DIALEDPEERNAME', peerName);
      chan.setVar('DIALEDPEERNUMBER', answeredDest.slice(answeredDest.indexOf('/') + 1));
      chan.hangupCause = CAUSE.ANSWER;
      if (plan.calleeGosub !== null) {
        const callee = calleeOf(answeredDest);
        callee.state = 'Up';
        const end = await execSubroutine(callee, call.services, plan.calleeGosub);
        const verdict = end === 'returned' ? calleeGosubVerdict(callee.getVar('GOSUB_RESULT')) : { kind: 'bridge' as const };
        if (verdict.kind !== 'bridge') {
          world.say(`${answeredDest} is hung up: GOSUB_RESULT=${callee.getVar('GOSUB_RESULT') ?? ''}`);
          chan.setVar('DIALEDTIME', String(ring));
          chan.setVar('ANSWEREDTIME', '0');
          return afterCalleeVerdict(chan, call.services, verdict, goOnFlag);
        }
      }
      chan.state = 'Up';
      const limited = plan.stopAfterMs !== null && plan.stopAfterMs < world.talkSeconds * 1000;
      const talkMs = limited ? plan.stopAfterMs! : world.talkSeconds * 1000;
      const talkSec = String(Math.round(talkMs / 1000));
      const talked = await waitOnChannel(chan, call.services, talkMs);
      chan.setVar('DIALEDTIME', String(Math.round(ring + talkMs / 1000)));
      chan.setVar('ANSWEREDTIME', talkSec);
      if (limited) world.say(`${answeredDest} is hung up after ${talkMs / 1000} s of talk (time limit)`);
      else world.say(`${answeredDest} hangs up after ${world.talkSeconds} s of talk`);
      if (talked === 'hangup') return { kind: 'hangup' };
      // Without `g` Dial returns -1 after the bridge: the caller's dialplan ends and h runs.
      return goOnFlag ? { kind: 'continue' } : { kind: 'hangup' };
    },
  };
}
