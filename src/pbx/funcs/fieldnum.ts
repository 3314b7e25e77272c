/**
 * FIELDNUM(varname,delim,field) (func_strings.c): the 1-based position of `field` among the
 * delimiter-separated fields of the variable's value (compared ignoring case), 0 when absent.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { asciiLower, encodedChar, readVariable } from './common.js';

export const FIELDNUM: DialplanFunction = {
  name: 'FIELDNUM',
  synopsis: 'Return the 1-based offset of a field in a list',
  syntax: 'FIELDNUM(varname,delim,field)',
  description: 'Finds which field (counting from 1) of the variable\'s value equals the given text, ignoring case; 0 when none does.',
  read: (call) => {
    const args = splitArgs(call.args, ',', { max: 3 });
    if (args.length < 3) {
      throw new FunctionError('Usage: FIELDNUM(<listname>,<delimiter>,<fieldvalue>)');
    }
    const [varname, delimArg, field] = args as [string, string, string];
    const value = readVariable(call, varname);
    if (value === '' || delimArg === '') return '0';
    const encoded = encodedChar(delimArg);
    if (!encoded.ok) throw new FunctionError(`Bad delimiter '${delimArg}'`);
    const delim = encoded.ch;
    const wanted = asciiLower(field);
    const index = value.split(delim).findIndex((f) => asciiLower(f) === wanted);
    return String(index + 1);
  },
};
