/**
 * IFTIME(timespec?[true][:false]) (func_logic.c acf_iftime): like IF, but the condition is an
 * Asterisk time spec checked against the current time (services.clock).
 */
import { splitArgs, stripBlanks } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { matchTimeSpec } from './timespec.js';

export const IFTIME: DialplanFunction = {
  name: 'IFTIME',
  synopsis: 'Temporal Conditional.',
  syntax: 'IFTIME(timespec?[true][:false])',
  description:
    'Gives the text after "?" when the current time matches the spec "times,weekdays,mdays,months[,timezone]", else the text after ":".',
  read: (call) => {
    const [spec, rest] = splitArgs(call.args, '?', { max: 2 });
    const [whenTrue, whenFalse] = rest === undefined ? [undefined, undefined] : splitArgs(rest, ':', { max: 2 });
    if (!spec || (whenTrue === undefined && whenFalse === undefined)) {
      throw new FunctionError('Syntax IFTIME(<timespec>?[<true>][:<false>])');
    }
    const now = new Date(call.services.clock.wallNow());
    return matchTimeSpec(stripBlanks(spec), now) ? stripBlanks(whenTrue ?? '') : stripBlanks(whenFalse ?? '');
  },
};
