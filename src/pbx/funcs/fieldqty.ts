/** FIELDQTY(varname,delim) (func_strings.c): how many fields the variable's value has; 0 when empty. */
import { splitArgs } from '../args.js';
import type { DialplanFunction } from '../types.js';
import { encodedChar, readVariable } from './common.js';

export const FIELDQTY: DialplanFunction = {
  name: 'FIELDQTY',
  synopsis: 'Count the fields with an arbitrary delimiter',
  syntax: 'FIELDQTY(varname,delim)',
  description: 'Counts the fields of the value of a variable split at the delimiter (an empty value has 0 fields).',
  read: (call) => {
    const [varname = '', delimArg] = splitArgs(call.args, ',', { max: 2 });
    if (delimArg === undefined) return '1';
    const value = readVariable(call, varname);
    if (value === '') return '0';
    const delim = encodedChar(delimArg).ch;
    if (delim === '') return '1';
    return String(value.split(delim).length);
  },
};
