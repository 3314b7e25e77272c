/**
 * ExecIf(expression?appiftrue(args)[:appiffalse(args)]): run one application depending on a
 * condition and return what it returns (split raw on `?` then `:` outside parentheses).
 */
import { checkCondition } from '../expr/index.js';
import { engineOf } from '../engine.js';
import { splitFunctionCall } from '../substitute.js';
import type { AppResult, DialplanApplication } from '../types.js';
import { splitOutside } from './split.js';

const CONTINUE: AppResult = { kind: 'continue' };

export const execIfApp: DialplanApplication = {
  name: 'ExecIf',
  synopsis: 'Run an application if a condition is true (or another if it is false)',
  syntax: 'ExecIf(expression?appiftrue[(args)][:appiffalse[(args)]])',
  description:
    'Tests the expression like GotoIf and runs the chosen application with its arguments. The ' +
    'result is that application\'s result, so ExecIf(...?Hangup()) ends the call.',
  exec(call) {
    const [cond = '', rest] = splitOutside(call.data, '?', 2);
    if (rest === undefined) {
      call.services.log.warn('ExecIf requires an argument: ExecIf(<expr>?<appiftrue>(<args>)[:<appiffalse>(<args>)])');
      return CONTINUE;
    }
    const [yes, no] = splitOutside(rest, ':', 2);
    const chosen = checkCondition(cond) ? yes : no;
    if (chosen === undefined || chosen.trim() === '') return CONTINUE;
    const fc = splitFunctionCall(chosen.trim()) ?? { name: chosen.trim(), args: '' };
    const engine = engineOf(call.services);
    const app = engine.findApp(fc.name);
    if (!app) {
      call.services.log.warn(`Could not find application! (${fc.name})`);
      return { kind: 'hangup' };
    }
    return engine.exec(call.channel, app, fc.name, fc.args);
  },
};
