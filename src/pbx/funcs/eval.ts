/**
 * EVAL(variable) (func_strings.c function_eval): substitutes the (already substituted) argument
 * once more, so `${EVAL(${X})}` expands `${...}` written inside X's value.
 *
 * The substitution engine lives in src/pbx/substitute.ts; the engine installs it with
 * setEvalSubstituter((text, chan) => substitute(text, chan, services, functions)).
 */
import { FunctionError, type DialplanFunction } from '../types.js';
import { evalSubstituter } from './substituter.js';

export { setEvalSubstituter } from './substituter.js';

export const EVAL: DialplanFunction = {
  name: 'EVAL',
  synopsis: 'Evaluate stored variables',
  syntax: 'EVAL(variable)',
  description: 'Runs variable substitution once more on the text, expanding ${...} references stored inside a value.',
  read: (call) => {
    if (call.args === '') throw new FunctionError('EVAL requires an argument: EVAL(<string>)');
    const sub = evalSubstituter();
    if (!sub) throw new FunctionError('EVAL: no substitution engine installed');
    return sub(call.args, call.channel);
  },
};
