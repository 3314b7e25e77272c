/**
 * IFTIME(timespec?[true][:false]) (func_logic.c iftime): the whole argument is trimmed and
 * unquoted, then cut at the first '?' and the first ':' after it (plain cuts, no grouping); the
 * branches are trimmed and unquoted too. The spec is checked against services.clock's wall time.
 */
import { FunctionError, type DialplanFunction } from '../types.js';
import { stripQuoted } from './common.js';
import { matchTimeSpec } from './timespec.js';

export const IFTIME: DialplanFunction = {
  name: 'IFTIME',
  synopsis: 'Temporal Conditional.',
  syntax: 'IFTIME(timespec?[true][:false])',
  description:
    'Gives the text after "?" when the current time matches the spec "times,weekdays,mdays,months[,timezone]", else the text after ":".',
  read: (call) => {
    const data = stripQuoted(call.args);
    const q = data.indexOf('?');
    const spec = q < 0 ? data : data.slice(0, q);
    const rest = q < 0 ? null : data.slice(q + 1);
    const colon = rest === null ? -1 : rest.indexOf(':');
    const whenTrue = rest === null ? null : colon < 0 ? rest : rest.slice(0, colon);
    const whenFalse = rest === null || colon < 0 ? null : rest.slice(colon + 1);
    if (spec === '' || (whenTrue === null && whenFalse === null)) {
      throw new FunctionError('Syntax IFTIME(<timespec>?[<true>][:<false>])');
    }
    const now = new Date(call.services.clock.wallNow());
    const chosen = matchTimeSpec(spec, now) ? whenTrue : whenFalse;
    return chosen === null ? '' : stripQuoted(chosen);
  },
};
