/**
 * IF(expr?[true][:false]) (func_logic.c acf_if): split at the first `?` and then at the first `:`
 * (quotes and parentheses group, like application arguments); each part is trimmed; the
 * condition is tested with pbx_checkcondition.
 */
import { splitArgs, stripBlanks } from '../args.js';
import { checkCondition } from '../expr/index.js';
import { FunctionError, type DialplanFunction } from '../types.js';

export const IF: DialplanFunction = {
  name: 'IF',
  synopsis: 'Check for an expression.',
  syntax: 'IF(expression?[true][:false])',
  description: 'Gives the text after "?" when the expression is true (non-empty and not a zero number), else the text after ":".',
  read: (call) => {
    const [expr, rest] = splitArgs(call.args, '?', { max: 2 });
    // "1?" has an empty remainder, which splits into no branches at all: an error too.
    const branches = rest === undefined ? [] : splitArgs(rest, ':', { max: 2 });
    if (!expr || branches.length === 0) {
      throw new FunctionError(
        'Syntax IF(<expr>?[<true>][:<false>])  (expr must be non-null, and either <true> or <false> must be non-null)\n' +
          `      In this case, <expr>='${expr ?? '(null)'}', <true>='${branches[0] ?? '(null)'}', and <false>='${branches[1] ?? '(null)'}'`,
      );
    }
    const [whenTrue, whenFalse] = branches;
    return checkCondition(stripBlanks(expr)) ? stripBlanks(whenTrue ?? '') : stripBlanks(whenFalse ?? '');
  },
};
