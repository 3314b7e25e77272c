/**
 * Gosub, GosubIf, Return, StackPop and the LOCAL() function (asterisk-dialplan-xmpp.md §5.6,
 * Asterisk's app_stack.c):
 *  - Gosub([[context,]exten,]priority[(arg1,…)]): the label is the text before the first `(`,
 *    args up to the last `)` split raw; the destination must exist; a frame keeps the return
 *    address (caller priority + 1) and the frame-local variables;
 *  - ARG1..ARGn and ARGC are frame-locals; ARGk a previous frame had beyond n are set empty;
 *  - Return([value]) restores the locals and the location and sets GOSUB_RETVAL;
 *  - LOCAL(var) writes save the previous value in the frame, restored on Return.
 */
import type { AppResult, DialplanApplication, DialplanChannel, DialplanFunction, PbxServices } from '../types.js';
import { FunctionError } from '../types.js';
import { checkCondition } from '../expr/index.js';
import { jumpTo, parseGotoTarget, type GotoTarget } from './goto-target.js';
import { splitOutside } from './split.js';

export interface GosubFrame {
  /** Where Return goes (null for a hangup handler: the engine stops when the frame is popped). */
  returnTo: GotoTarget | null;
  /** Frame-local variables and their values before the frame (undefined = was unset). */
  saved: Map<string, string | undefined>;
  argc: number;
}

const stacks = new WeakMap<DialplanChannel, GosubFrame[]>();

export function gosubStack(chan: DialplanChannel): GosubFrame[] {
  let s = stacks.get(chan);
  if (!s) {
    s = [];
    stacks.set(chan, s);
  }
  return s;
}

/** Set a frame-local variable, remembering its old value the first time in this frame. */
export function setFrameLocal(chan: DialplanChannel, frame: GosubFrame, name: string, value: string): void {
  if (!frame.saved.has(name)) frame.saved.set(name, chan.getVar(name));
  chan.setVar(name, value);
}

/** Split `label(args)` into the label and raw args (quotes and backslashes kept). */
function splitLabelArgs(text: string): { label: string; args: string[] } {
  const open = text.indexOf('(');
  if (open < 0) return { label: text, args: [] };
  const close = text.lastIndexOf(')');
  const inner = close > open ? text.slice(open + 1, close) : text.slice(open + 1);
  return { label: text.slice(0, open), args: splitOutside(inner, ',').slice(0, 100) };
}

export type GosubStart = { ok: true } | { ok: false; error: string };

/**
 * Push a frame and jump to `[[context,]exten,]priority[(args)]`. returnTo undefined: the
 * channel's priority + 1 (a normal Gosub); null: no return address (hangup handlers).
 */
export function startGosub(
  chan: DialplanChannel,
  services: PbxServices,
  location: string,
  opts: { returnTo?: GotoTarget | null } = {},
): GosubStart {
  const { label, args } = splitLabelArgs(location);
  const parsed = parseGotoTarget(label, chan, services);
  if (!parsed.ok) return parsed;
  const t = parsed.target;
  if (services.dialplan().findPriority(t.context, t.exten, t.priority, chan.callerId.num) === null) {
    return {
      ok: false,
      error: `Gosub attempted to reach non-existent destination '${t.context},${t.exten},${t.priority}' from '${chan.context},${chan.exten},${chan.priority}'`,
    };
  }
  const stack = gosubStack(chan);
  const prevArgc = stack.length > 0 ? stack[stack.length - 1]!.argc : 0;
  const frame: GosubFrame = {
    returnTo: opts.returnTo === undefined ? { context: chan.context, exten: chan.exten, priority: chan.priority + 1 } : opts.returnTo,
    saved: new Map(),
    argc: args.length,
  };
  stack.push(frame);
  for (let i = 0; i < args.length; i++) setFrameLocal(chan, frame, `ARG${i + 1}`, args[i]!);
  // Arguments of the calling frame beyond ours must not leak into this one.
  for (let i = args.length; i < prevArgc; i++) setFrameLocal(chan, frame, `ARG${i + 1}`, '');
  setFrameLocal(chan, frame, 'ARGC', String(args.length));
  jumpTo(chan, t);
  return { ok: true };
}

function restoreFrame(chan: DialplanChannel, frame: GosubFrame): void {
  for (const [name, value] of frame.saved) chan.setVar(name, value);
}

/** Drop frames above depth, newest first, restoring their locals (a subroutine that never returned). */
export function popFramesTo(chan: DialplanChannel, depth: number): number {
  const stack = gosubStack(chan);
  let popped = 0;
  while (stack.length > depth) {
    restoreFrame(chan, stack.pop()!);
    popped++;
  }
  return popped;
}

const JUMPED: AppResult = { kind: 'jumped' };
const CONTINUE: AppResult = { kind: 'continue' };
const HANGUP: AppResult = { kind: 'hangup' };

export const gosubApp: DialplanApplication = {
  name: 'Gosub',
  synopsis: 'Jump to a subroutine that comes back with Return()',
  syntax: 'Gosub([[context,]exten,]priority[(arg1[,...][,argN])])',
  description:
    'Saves the place after this priority, sets ARG1..ARGn and ARGC for the subroutine and jumps to ' +
    'the given location, which must exist. Return() comes back here; variables set with LOCAL() ' +
    'inside the subroutine are restored then.',
  exec(call) {
    const r = startGosub(call.channel, call.services, call.data);
    if (!r.ok) {
      call.services.log.warn(r.error);
      return HANGUP;
    }
    return JUMPED;
  },
};

export const gosubIfApp: DialplanApplication = {
  name: 'GosubIf',
  synopsis: 'Gosub to one of two places depending on a condition',
  syntax: 'GosubIf(condition?labeliftrue[(args)][:labeliffalse[(args)]])',
  description:
    'Tests the condition like GotoIf and calls the chosen location like Gosub. A missing branch ' +
    'means the dialplan simply goes on with the next priority.',
  exec(call) {
    const parts = splitOutside(call.data, '?', 2);
    if (parts.length < 2 || call.data.trim() === '') {
      call.services.log.warn('GosubIf requires an argument: GosubIf(cond?label1(args):label2(args)');
      return CONTINUE;
    }
    const branches = splitOutside(parts[1]!, ':', 2);
    const chosen = checkCondition(parts[0]!) ? branches[0] : branches[1];
    if (chosen === undefined || chosen.trim() === '') return CONTINUE;
    const r = startGosub(call.channel, call.services, chosen.trim());
    if (!r.ok) {
      call.services.log.warn(r.error);
      return HANGUP;
    }
    return JUMPED;
  },
};

export const returnApp: DialplanApplication = {
  name: 'Return',
  synopsis: 'Come back from a Gosub',
  syntax: 'Return([value])',
  description:
    'Goes back to the priority after the Gosub that called this subroutine, restores the ' +
    'subroutine\'s LOCAL() variables and arguments, and puts value in GOSUB_RETVAL.',
  exec(call) {
    const stack = gosubStack(call.channel);
    const frame = stack.pop();
    if (!frame) {
      call.services.log.error('Return without Gosub: stack is empty');
      return HANGUP;
    }
    restoreFrame(call.channel, frame);
    call.channel.setVar('GOSUB_RETVAL', call.data);
    if (frame.returnTo) {
      jumpTo(call.channel, frame.returnTo);
      return JUMPED;
    }
    return CONTINUE;
  },
};

export const stackPopApp: DialplanApplication = {
  name: 'StackPop',
  synopsis: 'Forget the most recent Gosub return address',
  syntax: 'StackPop()',
  description: 'Drops the newest Gosub frame (restoring its LOCAL() variables) without jumping anywhere.',
  exec(call) {
    const frame = gosubStack(call.channel).pop();
    if (!frame) call.services.log.warn('StackPop: stack is empty');
    else restoreFrame(call.channel, frame);
    return CONTINUE;
  },
};

export const localFunction: DialplanFunction = {
  name: 'LOCAL',
  synopsis: 'A variable that belongs to the current Gosub frame',
  syntax: 'LOCAL(varname)',
  description:
    'Reading gives the variable\'s value. Writing inside a Gosub keeps the previous value and puts ' +
    'it back on Return(); outside any Gosub it sets an ordinary channel variable.',
  read(call) {
    if (!call.channel) throw new FunctionError('LOCAL() requires a channel');
    return call.channel.getVar(call.args.trim()) ?? '';
  },
  write(call, value) {
    if (!call.channel) throw new FunctionError('LOCAL() requires a channel');
    const name = call.args.trim();
    const stack = gosubStack(call.channel);
    const frame = stack[stack.length - 1];
    if (frame) setFrameLocal(call.channel, frame, name, value);
    else call.channel.setVar(name, value);
  },
};

export function gosubApplications(): DialplanApplication[] {
  return [gosubApp, gosubIfApp, returnApp, stackPopApp];
}

/** Functions that belong with Gosub (register them into the function registry). */
export function gosubFunctions(): DialplanFunction[] {
  return [localFunction];
}
