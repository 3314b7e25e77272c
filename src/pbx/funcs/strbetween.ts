/** STRBETWEEN(varname,insert-string) (func_strings.c): the insert string between every two characters of the value. */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { readVariable } from './common.js';

export const STRBETWEEN: DialplanFunction = {
  name: 'STRBETWEEN',
  synopsis: 'Inserts a substring between each character in a string.',
  syntax: 'STRBETWEEN(varname,insert-string)',
  description: 'Gives the value of the variable with the insert string placed between each pair of neighbouring characters.',
  read: (call) => {
    const args = splitArgs(call.args, ',', { max: 3 });
    if (args.length !== 2 || args[0] === '') throw new FunctionError('Usage: STRBETWEEN(<varname>,<insert-string>)');
    const [varname, insert] = args as [string, string];
    return [...readVariable(call, varname)].join(insert);
  },
};
