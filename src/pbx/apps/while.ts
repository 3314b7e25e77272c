/**
 * While/EndWhile/ExitWhile/ContinueWhile (Asterisk's app_while.c):
 *  - While(expr): true → next priority; false → the priority after the matching EndWhile
 *    (found by scanning forward in the extension, counting nested While/EndWhile);
 *  - EndWhile() and ContinueWhile() go back to the While, which tests again;
 *  - ExitWhile() leaves the innermost loop (after its EndWhile).
 */
import { checkCondition } from '../expr/index.js';
import type { AppResult, DialplanApplication, DialplanChannel, PbxServices } from '../types.js';

interface WhileFrame {
  context: string;
  exten: string;
  priority: number;
}

const CONTINUE: AppResult = { kind: 'continue' };
const JUMPED: AppResult = { kind: 'jumped' };
const HANGUP: AppResult = { kind: 'hangup' };
const SCAN_LIMIT = 100_000;
const stacks = new WeakMap<DialplanChannel, WhileFrame[]>();

function stackOf(chan: DialplanChannel): WhileFrame[] {
  let s = stacks.get(chan);
  if (!s) {
    s = [];
    stacks.set(chan, s);
  }
  return s;
}

/** Priority of the EndWhile matching the While at `from`, or null. */
function findEndWhile(chan: DialplanChannel, services: PbxServices, frame: WhileFrame): number | null {
  const dp = services.dialplan();
  let depth = 0;
  for (let p = frame.priority + 1; p < frame.priority + SCAN_LIMIT; p++) {
    const found = dp.findPriority(frame.context, frame.exten, p, chan.callerId.num);
    if (!found) return null;
    const app = found.priority.app.toLowerCase();
    if (app === 'while') depth++;
    else if (app === 'endwhile') {
      if (depth === 0) return p;
      depth--;
    }
  }
  return null;
}

function leaveLoop(chan: DialplanChannel, services: PbxServices, frame: WhileFrame): AppResult {
  const end = findEndWhile(chan, services, frame);
  if (end === null) {
    services.log.warn(`Couldn't find matching EndWhile? (While at ${frame.context}@${frame.exten} priority ${frame.priority})`);
    return HANGUP;
  }
  chan.context = frame.context;
  chan.exten = frame.exten;
  chan.priority = end + 1;
  return JUMPED;
}

export const whileApp: DialplanApplication = {
  name: 'While',
  synopsis: 'Start a loop that runs while a condition is true',
  syntax: 'While(expr)',
  description: 'Runs the priorities up to the matching EndWhile() again and again while expr is true, then goes on after EndWhile().',
  exec(call) {
    const chan = call.channel;
    const stack = stackOf(chan);
    const top = stack[stack.length - 1];
    let frame: WhileFrame;
    if (top && top.context === chan.context && top.exten === chan.exten && top.priority === chan.priority) frame = top;
    else {
      frame = { context: chan.context, exten: chan.exten, priority: chan.priority };
      stack.push(frame);
    }
    if (checkCondition(call.data)) return CONTINUE;
    stack.pop();
    return leaveLoop(chan, call.services, frame);
  },
};

function backToWhile(chan: DialplanChannel, services: PbxServices, appName: string): AppResult {
  const frame = stackOf(chan).at(-1);
  if (!frame) {
    services.log.warn(`${appName}: not inside a While loop`);
    return CONTINUE;
  }
  chan.context = frame.context;
  chan.exten = frame.exten;
  chan.priority = frame.priority;
  return JUMPED;
}

export const endWhileApp: DialplanApplication = {
  name: 'EndWhile',
  synopsis: 'End of a While loop',
  syntax: 'EndWhile()',
  description: 'Goes back to the matching While(), which tests its condition again.',
  exec(call) {
    return backToWhile(call.channel, call.services, 'EndWhile');
  },
};

export const continueWhileApp: DialplanApplication = {
  name: 'ContinueWhile',
  synopsis: 'Start the next round of a While loop now',
  syntax: 'ContinueWhile()',
  description: 'Goes straight back to the While() of the innermost loop.',
  exec(call) {
    return backToWhile(call.channel, call.services, 'ContinueWhile');
  },
};

export const exitWhileApp: DialplanApplication = {
  name: 'ExitWhile',
  synopsis: 'Leave a While loop',
  syntax: 'ExitWhile()',
  description: 'Goes on after the EndWhile() of the innermost loop.',
  exec(call) {
    const stack = stackOf(call.channel);
    const frame = stack.pop();
    if (!frame) {
      call.services.log.warn('ExitWhile: not inside a While loop');
      return CONTINUE;
    }
    return leaveLoop(call.channel, call.services, frame);
  },
};
