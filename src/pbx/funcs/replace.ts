/**
 * REPLACE(varname,find-chars[,replace-char]) (func_strings.c): every character of find-chars in
 * the variable's value becomes replace-char (its first character), or is removed when none.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { readVariable } from './common.js';

export const REPLACE: DialplanFunction = {
  name: 'REPLACE',
  synopsis: 'Replace a set of characters in a given string with another character.',
  syntax: 'REPLACE(varname,find-chars[,replace-char])',
  description: 'Replaces each of the listed characters in the value of the variable by the replacement character, or deletes them when there is none.',
  read: (call) => {
    const args = splitArgs(call.args, ',', { max: 3 });
    if (args.length < 2) throw new FunctionError('Usage: REPLACE(<varname>,<search-chars>[,<replace-char>])');
    const [varname, find, replace] = args as [string, string, string | undefined];
    if (find === '') throw new FunctionError('The characters to search for cannot be empty');
    const value = readVariable(call, varname);
    const set = new Set(find);
    const by = replace ? (replace[0] as string) : '';
    let out = '';
    for (const ch of value) out += set.has(ch) ? by : ch;
    return out;
  },
};
