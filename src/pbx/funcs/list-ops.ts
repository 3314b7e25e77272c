/**
 * What SHIFT/POP (read) and PUSH/UNSHIFT (write) share: a delimited list held in a variable
 * (func_strings.c shift_pop / unshift_push). The delimiter defaults to ','.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type FunctionCall } from '../types.js';
import { encodedChar, readVariable, writeVariable } from './common.js';

function target(call: FunctionCall): { varname: string; delim: string } {
  const [varname = '', delimArg] = splitArgs(call.args, ',', { max: 2 });
  if (varname === '') throw new FunctionError(`${call.name} requires a variable name`);
  const delim = delimArg ? encodedChar(delimArg).ch : ',';
  return { varname, delim };
}

/** SHIFT takes the first element, POP the last; the variable keeps the rest. */
export function takeElement(call: FunctionCall, fromEnd: boolean): string {
  const { varname, delim } = target(call);
  const list = readVariable(call, varname);
  if (list === '') return ''; // nothing to take; the variable is left alone
  const at = fromEnd ? list.lastIndexOf(delim) : list.indexOf(delim);
  if (at < 0) {
    writeVariable(call, varname, '');
    return list;
  }
  if (fromEnd) {
    writeVariable(call, varname, list.slice(0, at));
    return list.slice(at + delim.length);
  }
  writeVariable(call, varname, list.slice(at + delim.length));
  return list.slice(0, at);
}

/** PUSH appends, UNSHIFT prepends. */
export function addElement(call: FunctionCall, value: string, atEnd: boolean): void {
  const { varname, delim } = target(call);
  // The inheritance prefix (at most two underscores) is not part of the name read back.
  const list = readVariable(call, varname.replace(/^_{1,2}/, ''));
  const next = list === '' ? value : atEnd ? `${list}${delim}${value}` : `${value}${delim}${list}`;
  writeVariable(call, varname, next);
}
