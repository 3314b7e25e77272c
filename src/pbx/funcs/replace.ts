/**
 * REPLACE(varname,find-chars[,replace-char]) (func_strings.c): every character of find-chars in
 * the variable's value becomes replace-char (its first character), or is removed when none.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { encodedChar, encodedString, readVariable } from './common.js';

export const REPLACE: DialplanFunction = {
  name: 'REPLACE',
  synopsis: 'Replace a set of characters in a given string with another character.',
  syntax: 'REPLACE(varname,find-chars[,replace-char])',
  description: 'Replaces each of the listed characters in the value of the variable by the replacement character, or deletes them when there is none.',
  read: (call) => {
    const args = splitArgs(call.args, ',', { max: 3 });
    if (args.length < 2) throw new FunctionError('Usage: REPLACE(<varname>,<search-chars>[,<replace-char>])');
    const [varname, findArg, replaceArg = ''] = args as [string, string, string?];
    const find = encodedString(findArg);
    if (find === '' || varname === '') {
      throw new FunctionError('The characters to search for and the variable name must not be empty.');
    }
    const value = readVariable(call, varname);
    const set = new Set(find);
    const by = encodedChar(replaceArg).ch;
    let out = '';
    for (const ch of value) out += set.has(ch) ? by : ch;
    return out;
  },
};
