/**
 * Answer, Hangup, NoOp, Progress, Ringing (asterisk-dialplan-xmpp.md §5.1–5.3). Progress and
 * Ringing pass the indication to the channel's technology when it takes indications (a SIP caller
 * gets 183/180); they never fail.
 */
import type { AppResult, DialplanApplication } from '../types.js';
import { parseHangupCause } from './causes.js';

const CONTINUE: AppResult = { kind: 'continue' };

/** An indication for the channel's technology (Asterisk's ast_indicate), when it takes any. */
function indicate(chan: object, condition: 'ringing' | 'progress'): void {
  const c = chan as { indicate?: (condition: 'ringing' | 'progress') => void };
  if (typeof c.indicate === 'function') c.indicate(condition);
}

export const answerApp: DialplanApplication = {
  name: 'Answer',
  synopsis: 'Answer the channel',
  syntax: 'Answer([delay][,options])',
  description: 'Picks the call up if it is not up yet; does nothing on a channel that is already up.',
  exec(call) {
    if (call.channel.state !== 'Up') call.channel.state = 'Up';
    return CONTINUE;
  },
};

export const hangupApp: DialplanApplication = {
  name: 'Hangup',
  synopsis: 'Hang the channel up',
  syntax: 'Hangup([causecode])',
  description:
    'Ends the call. The cause may be a number or a cause name such as USER_BUSY; without one the ' +
    'channel keeps the cause it has, or NORMAL_CLEARING (16) when it has none.',
  exec(call) {
    const chan = call.channel;
    if (call.data.trim() !== '') {
      const cause = parseHangupCause(call.data);
      if (cause === null) {
        call.services.log.warn(`Invalid cause given to Hangup(): "${call.data}"`);
        chan.hangupCause = 0;
      } else chan.hangupCause = cause;
    } else if (chan.hangupCause === 0) chan.hangupCause = 16;
    const c = chan as typeof chan & { requestHangup?: (cause?: number) => void };
    if (typeof c.requestHangup === 'function') c.requestHangup();
    return { kind: 'hangup' };
  },
};

export const noopApp: DialplanApplication = {
  name: 'NoOp',
  synopsis: 'Do nothing',
  syntax: 'NoOp([text])',
  description: 'Does nothing. Its argument is still substituted, which makes it handy for showing values in the verbose log.',
  exec() {
    return CONTINUE;
  },
};

export const progressApp: DialplanApplication = {
  name: 'Progress',
  synopsis: 'Signal call progress (early media) to the caller',
  syntax: 'Progress()',
  description: 'Tells the caller the call is in progress without answering it.',
  exec(call) {
    indicate(call.channel, 'progress');
    return CONTINUE;
  },
};

export const ringingApp: DialplanApplication = {
  name: 'Ringing',
  synopsis: 'Signal ringing to the caller',
  syntax: 'Ringing()',
  description: 'Tells the caller that the other side is ringing.',
  exec(call) {
    indicate(call.channel, 'ringing');
    return CONTINUE;
  },
};
