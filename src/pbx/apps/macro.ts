/**
 * Macro, MacroExit, MacroIf (asterisk-dialplan-xmpp.md §5.7, Asterisk's app_macro.c):
 *  - Macro(name,arg1,…): plain comma split (no quote handling, at most 80 args); runs
 *    `macro-<name>,s,1` onwards in a sub-loop until no further priority exists;
 *  - MACRO_EXTEN/MACRO_CONTEXT/MACRO_PRIORITY = the caller's location, MACRO_DEPTH = nesting,
 *    ARG1..ARGn set; all saved before and restored after; nesting is limited by MACRO_RECURSION (7);
 *  - MacroExit() ends the macro normally; leaving the macro context with Goto ends it and goes on
 *    at the Goto target; MACRO_OFFSET set inside moves the return point to priority + offset + 1;
 *  - a hangup inside ends it and the call. herald's `h` rule: when the macro context has an `h`
 *    extension, the engine runs that one with ARGn/MACRO_* as at the hangup (Asterisk 1.4's
 *    behaviour, which seed 000 relies on); otherwise the caller's variables and location come
 *    back and the caller context's `h` runs (Asterisk 1.6+). See docs/dialplan-decisions.md.
 *  - a Macro called from `h` keeps running although the channel is hung up (MACRO_IN_HANGUP).
 */
import { engineOf } from '../engine.js';
import { readVariable } from '../substitute.js';
import type { AppCall, AppResult, DialplanApplication, DialplanChannel, PbxServices } from '../types.js';
import { checkCondition } from '../expr/index.js';
import { splitCondBranches } from './goto.js';

const CONTINUE: AppResult = { kind: 'continue' };
const JUMPED: AppResult = { kind: 'jumped' };
const HANGUP: AppResult = { kind: 'hangup' };
const MAX_ARGS = 80;
const DEFAULT_RECURSION = 7;
const MACRO_VARS = ['MACRO_EXTEN', 'MACRO_CONTEXT', 'MACRO_PRIORITY', 'MACRO_OFFSET', 'MACRO_DEPTH', 'MACRO_IN_HANGUP'];

const warnedDeprecated = new WeakSet<PbxServices>();
const exitRequested = new WeakSet<DialplanChannel>();

function restore(chan: DialplanChannel, saved: Array<[string, string | undefined]>): void {
  for (const [name, value] of saved) chan.setVar(name, value);
}

export async function runMacro(call: AppCall, data: string): Promise<AppResult> {
  const { channel: chan, services } = call;
  const engine = engineOf(services);
  if (data.trim() === '') {
    services.log.warn('Macro() requires arguments. See "core show application macro" for help.');
    return CONTINUE;
  }
  const parts = data.split(',').slice(0, MAX_ARGS + 1);
  const name = parts[0]!;
  const args = parts.slice(1);
  const depth = Number.parseInt(chan.getVar('MACRO_DEPTH') ?? '0', 10) || 0;
  const maxDepth = Number.parseInt(readVariable('MACRO_RECURSION', chan, services) ?? '', 10) || DEFAULT_RECURSION;
  if (depth >= maxDepth) {
    services.log.error('Macro():  possible infinite loop detected.  Returning early.');
    return CONTINUE;
  }
  const fullmacro = `macro-${name}`;
  const dp = services.dialplan();
  if (!dp.contexts.has(fullmacro)) {
    services.log.warn(`No such context '${fullmacro}' for macro '${name}'`);
    return CONTINUE;
  }
  if (!engine.existsAt(fullmacro, 's', 1, chan)) {
    services.log.warn(`Context '${fullmacro}' for macro '${name}' lacks 's' extension, priority 1`);
    return CONTINUE;
  }
  if (!warnedDeprecated.has(services)) {
    warnedDeprecated.add(services);
    services.log.warn('Macro() is deprecated and will be removed from a future version of Asterisk.');
    services.log.warn('Dialplan should be updated to use Gosub instead.');
  }
  const caller = { context: chan.context, exten: chan.exten, priority: chan.priority };
  const saved: Array<[string, string | undefined]> = MACRO_VARS.map((v) => [v, chan.getVar(v)]);
  for (let i = 1; i <= args.length; i++) saved.push([`ARG${i}`, chan.getVar(`ARG${i}`)]);
  const inHangup = caller.exten === 'h' || engine.inHangupRun(chan);
  chan.setVar('MACRO_EXTEN', caller.exten);
  chan.setVar('MACRO_CONTEXT', caller.context);
  chan.setVar('MACRO_PRIORITY', String(caller.priority));
  chan.setVar('MACRO_DEPTH', String(depth + 1));
  chan.setVar('MACRO_OFFSET', undefined);
  if (inHangup) chan.setVar('MACRO_IN_HANGUP', '1');
  for (let i = 0; i < args.length; i++) chan.setVar(`ARG${i + 1}`, args[i]!);
  chan.context = fullmacro;
  chan.exten = 's';
  chan.priority = 1;

  const end = await engine.loop(chan, {
    inHangup,
    stopWhen: (c) => exitRequested.has(c) || c.context !== fullmacro,
  });
  const exited = exitRequested.delete(chan);

  if (end.kind === 'hangup' || end.kind === 'limit') {
    if (end.kind === 'hangup' && end.nonZero) {
      engine.verbose(2, `Spawn extension (${chan.context}, ${chan.exten}, ${chan.priority}) exited non-zero on '${chan.name}' in macro '${name}'`);
    }
    if (engine.claimMacroHangup(chan, fullmacro)) return HANGUP;
    restore(chan, saved);
    chan.context = caller.context;
    chan.exten = caller.exten;
    chan.priority = caller.priority;
    return HANGUP;
  }
  if (!exited && end.kind === 'stopped') {
    // Left the macro context with Goto: continue at that target.
    engine.verbose(2, `Channel '${chan.name}' jumping out of macro '${name}'`);
    restore(chan, saved);
    return JUMPED;
  }
  const offsetText = chan.getVar('MACRO_OFFSET');
  restore(chan, saved);
  chan.context = caller.context;
  chan.exten = caller.exten;
  chan.priority = caller.priority;
  const offset = offsetText !== undefined ? Number.parseInt(offsetText, 10) : Number.NaN;
  if (Number.isFinite(offset) && engine.existsAt(caller.context, caller.exten, caller.priority + offset + 1, chan)) {
    chan.priority = caller.priority + offset;
  }
  return CONTINUE;
}

export const macroApp: DialplanApplication = {
  name: 'Macro',
  synopsis: 'Run a macro (deprecated in favour of Gosub)',
  syntax: 'Macro(name[,arg1[,arg2[,...]]])',
  description:
    'Runs the extension s of context macro-<name> from priority 1 with ARG1, ARG2 … set to the ' +
    'arguments and MACRO_CONTEXT, MACRO_EXTEN, MACRO_PRIORITY telling where it was called from. ' +
    'Arguments are split at every comma. Macros nest at most MACRO_RECURSION (default 7) deep. ' +
    'If the call hangs up inside the macro and the macro context has an h extension, that h runs.',
  exec(call) {
    return runMacro(call, call.data);
  },
};

export const macroExitApp: DialplanApplication = {
  name: 'MacroExit',
  synopsis: 'Leave the current macro',
  syntax: 'MacroExit()',
  description: 'Ends the running macro normally; the caller goes on after its Macro() priority. Outside a macro it ends the call.',
  exec(call) {
    const depth = Number.parseInt(call.channel.getVar('MACRO_DEPTH') ?? '0', 10) || 0;
    if (depth <= 0) return HANGUP;
    exitRequested.add(call.channel);
    return CONTINUE;
  },
};

export const macroIfApp: DialplanApplication = {
  name: 'MacroIf',
  synopsis: 'Run one of two macros depending on a condition',
  syntax: 'MacroIf(expr?macroiftrue[,args][:macroiffalse[,args]])',
  description: 'Tests expr like GotoIf and runs the chosen macro with its arguments, as Macro() does.',
  exec(call) {
    const { cond, yes, no } = splitCondBranches(call.data);
    if (yes === undefined) {
      call.services.log.warn('Invalid Syntax.');
      return CONTINUE;
    }
    const chosen = checkCondition(cond) ? yes : no;
    if (chosen === undefined || chosen === '') return CONTINUE;
    return runMacro(call, chosen);
  },
};
