/**
 * STRREPLACE(varname,find-string[,replace-string[,max-replacements]]) (func_strings.c):
 * occurrences of find-string in the variable's value replaced left to right, at most
 * max-replacements times when that is a positive number (as atoi reads it).
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { readVariable, scanInt } from './common.js';

export const STRREPLACE: DialplanFunction = {
  name: 'STRREPLACE',
  synopsis: 'Replace instances of a substring within a string with another string.',
  syntax: 'STRREPLACE(varname,find-string[,replace-string[,max-replacements]])',
  description: 'Replaces each occurrence of the search text in the value of the variable (or the first N when a maximum is given).',
  read: (call) => {
    const args = splitArgs(call.args, ',', { max: 4 });
    if (args.length < 2) {
      throw new FunctionError('Usage: STRREPLACE(<varname>,<search-string>[,<replace-string>,[<max-replacements>]])');
    }
    const [varname, find, replace = '', maxArg] = args as [string, string, string?, string?];
    if (varname === '') return '';
    if (find === '') throw new FunctionError('No <find-string> specified');
    // atoi(); zero, negative or absent means unlimited.
    const max = maxArg === undefined ? 0 : Math.max(0, scanInt(maxArg) ?? 0);
    const value = readVariable(call, varname);
    let out = '';
    let from = 0;
    let count = 0;
    for (;;) {
      const at = value.indexOf(find, from);
      if (at < 0 || (max > 0 && count >= max)) break;
      out += value.slice(from, at) + replace;
      from = at + find.length;
      count++;
    }
    return out + value.slice(from);
  },
};
