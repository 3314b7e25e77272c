/**
 * Dial as the simulator plays it (asterisk-dialplan-xmpp.md §5.8): every destination's outcome
 * comes from --dial (default NOANSWER after the timeout).
 *  - NOANSWER/BUSY/CONGESTION/CHANUNAVAIL → DIALSTATUS set, the dialplan goes on;
 *  - CANCEL → the caller hung up while it rang: DIALSTATUS=CANCEL, the channel hangs up (h runs);
 *  - ANSWER → talk, the callee hangs up; without `g` the caller's dialplan ends, with `g` it goes on.
 * DIALEDTIME, ANSWEREDTIME, DIALEDPEERNAME, DIALEDPEERNUMBER and the hangup cause are set too.
 */
import { splitStandard } from '../apps/split.js';
import { waitOnChannel } from '../apps/channel-wait.js';
import type { AppResult, DialplanApplication } from '../types.js';
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

/** Option letters, with any (…) arguments skipped. */
function optionLetters(opts: string): string {
  return opts.replace(/\([^)]*\)/g, '');
}

export function simDialApp(world: SimWorld, nextPeerName: (dest: string) => string): DialplanApplication {
  return {
    name: 'Dial',
    synopsis: 'Place a call (simulated: the outcome comes from --dial)',
    syntax: 'Dial(Tech/resource[&Tech2/resource2...][,timeout[,options[,URL]]])',
    description: 'Simulator version of Dial: nothing is really called; the outcome of each destination is taken from the --dial option.',
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
      chan.state = 'Up';
      chan.setVar('DIALEDPEERNAME', nextPeerName(answeredDest));
      chan.setVar('DIALEDPEERNUMBER', answeredDest.slice(answeredDest.indexOf('/') + 1));
      const talked = await waitOnChannel(chan, call.services, world.talkSeconds * 1000);
      chan.setVar('DIALEDTIME', String(ring + world.talkSeconds));
      chan.setVar('ANSWEREDTIME', String(world.talkSeconds));
      chan.hangupCause = CAUSE.ANSWER;
      world.say(`${answeredDest} hangs up after ${world.talkSeconds} s of talk`);
      if (talked === 'hangup') return { kind: 'hangup' };
      // Without `g` Dial returns -1 after the bridge: the caller's dialplan ends and h runs.
      return optionLetters(options).includes('g') ? { kind: 'continue' } : { kind: 'hangup' };
    },
  };
}
