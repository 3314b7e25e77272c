/**
 * LISTFILTER(varname,delim,value) (func_strings.c): the variable's list without the elements
 * equal to `value` (exact match, the variable itself unchanged). The delimiter may be several
 * characters (escapes decoded); empty means ','.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { encodedString, readVariable } from './common.js';

export const LISTFILTER: DialplanFunction = {
  name: 'LISTFILTER',
  synopsis: 'Remove an item from a list, by name.',
  syntax: 'LISTFILTER(varname,delim,value)',
  description: 'Gives the delimiter-separated list held in the variable with every element equal to the value removed.',
  read: (call) => {
    const args = splitArgs(call.args, ',', { max: 3 });
    if (args.length < 3) throw new FunctionError('Usage: LISTFILTER(<listname>,<delimiter>,<fieldvalue>)');
    const [varname, delimArg, value] = args as [string, string, string];
    const list = readVariable(call, varname);
    if (list === '') return '';
    const decoded = encodedString(delimArg);
    const delim = decoded === '' ? ',' : decoded;
    return list
      .split(delim)
      .filter((e) => e !== value)
      .join(delim);
  },
};
