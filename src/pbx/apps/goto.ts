/**
 * Goto, GotoIf, GotoIfTime (asterisk-dialplan-xmpp.md §5.5):
 *  - Goto([[context,]exten,]priority): a bad priority/label warns and ends the call; the target
 *    is not checked (the loop's `i`/`e` handling deals with a missing one);
 *  - GotoIf(cond?a:b): split at the first `?`, then the first `:`; an empty branch continues;
 *  - GotoIfTime(spec?a:b): the time spec of include =>, with ${TESTTIME} (epoch) overriding now.
 */
import { checkCondition } from '../expr/index.js';
import type { AppResult, AppCall, DialplanApplication } from '../types.js';
import { jumpTo, parseGotoTarget } from './goto-target.js';
import { matchTimeSpec, splitTimeSpec } from '../include-time.js';

const CONTINUE: AppResult = { kind: 'continue' };
const JUMPED: AppResult = { kind: 'jumped' };
const HANGUP: AppResult = { kind: 'hangup' };

/** pbx_builtin_goto: jump or fail (warning + hangup). */
export function gotoBranch(call: AppCall, branch: string): AppResult {
  const parsed = parseGotoTarget(branch, call.channel, call.services);
  if (!parsed.ok) {
    call.services.log.warn(parsed.error);
    return HANGUP;
  }
  const t = parsed.target;
  call.services.verbose(3, `Goto (${t.context},${t.exten},${t.priority})`);
  jumpTo(call.channel, t);
  return JUMPED;
}

export const gotoApp: DialplanApplication = {
  name: 'Goto',
  synopsis: 'Jump to another priority, extension or context',
  syntax: 'Goto([[context,]exten,]priority)',
  description:
    'Continues at the given place. priority is a number, +N/-N relative to the current one, or a ' +
    'label. Omitted parts stay as they are. A priority that is neither a number nor a known label ends the call.',
  exec(call) {
    return gotoBranch(call, call.data);
  },
};

/** Split `cond?a:b` the way GotoIf does: first `?`, then first `:` of the rest. */
export function splitCondBranches(data: string): { cond: string; yes: string | undefined; no: string | undefined } {
  const q = data.indexOf('?');
  if (q < 0) return { cond: data, yes: undefined, no: undefined };
  const rest = data.slice(q + 1);
  const c = rest.indexOf(':');
  return c < 0 ? { cond: data.slice(0, q), yes: rest, no: undefined } : { cond: data.slice(0, q), yes: rest.slice(0, c), no: rest.slice(c + 1) };
}

export const gotoIfApp: DialplanApplication = {
  name: 'GotoIf',
  synopsis: 'Jump to one of two places depending on a condition',
  syntax: 'GotoIf(condition?[labeliftrue][:labeliffalse])',
  description:
    'Each label has the Goto form [[context,]exten,]priority. The condition is true when it is a ' +
    'non-zero number or any other non-empty text. An empty or missing branch means go on with the next priority.',
  exec(call) {
    if (call.data === '') {
      call.services.log.warn('Ignoring, since there is no variable to check');
      return CONTINUE;
    }
    const { cond, yes, no } = splitCondBranches(call.data);
    const branch = checkCondition(cond) ? yes : no;
    if (branch === undefined || branch === '') return CONTINUE;
    return gotoBranch(call, branch);
  },
};

/** The time used for time conditions: ${TESTTIME} (epoch seconds) when set and valid, else the clock. */
export function conditionTime(call: AppCall): Date {
  const test = call.channel.getVar('TESTTIME');
  if (test !== undefined && test !== '') {
    const secs = Number(test);
    if (Number.isFinite(secs)) return new Date(secs * 1000);
    call.services.log.warn('Using current time to evaluate');
    call.channel.setVar('TESTTIME', undefined);
  }
  return new Date(call.services.clock.wallNow());
}

export const gotoIfTimeApp: DialplanApplication = {
  name: 'GotoIfTime',
  synopsis: 'Jump depending on the time of day, weekday, day of month and month',
  syntax: 'GotoIfTime(times,weekdays,mdays,months[,timezone]?[labeliftrue][:labeliffalse])',
  description:
    'The time part is written like an include => time restriction, e.g. 09:00-17:00,mon-fri,*,*. ' +
    'Set TESTTIME to epoch seconds to evaluate another moment.',
  exec(call) {
    const { cond, yes, no } = splitCondBranches(call.data);
    if (call.data === '' || yes === undefined) {
      call.services.log.warn('GotoIfTime requires an argument: <time range>,<days of week>,<days of month>,<months>[,<timezone>]?[[context,]extension,]priority');
      return CONTINUE;
    }
    const branch = matchTimeSpec(splitTimeSpec(cond), conditionTime(call)) ? yes : no;
    if (branch === undefined || branch === '') return CONTINUE;
    return gotoBranch(call, branch);
  },
};
