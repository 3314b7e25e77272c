/**
 * REGEX("regular expression" string) (func_strings.c): 1 when the POSIX extended regex matches
 * anywhere in the string, else 0. The argument is split at double quotes; one blank after the
 * closing quote is skipped.
 */
import { splitArgs } from '../args.js';
import { compileEre, execEre, RegexCompileError } from '../expr/regex.js';
import { FunctionError, type DialplanFunction } from '../types.js';

export const REGEX: DialplanFunction = {
  name: 'REGEX',
  synopsis: 'Check string against a regular expression.',
  syntax: 'REGEX("regular expression" string)',
  description: 'Gives 1 when the POSIX extended regular expression (in double quotes) matches somewhere in the string after it, 0 otherwise.',
  read: (call) => {
    const parts = splitArgs(call.args, '"', { max: 3 });
    if (parts.length !== 3) {
      throw new FunctionError(`Unexpected arguments: should have been in the form '"<regex>" <string>'`);
    }
    const [, pattern, rest] = parts as [string, string, string];
    const subject = rest.startsWith(' ') || rest.startsWith('\t') ? rest.slice(1) : rest;
    let re;
    try {
      re = compileEre(pattern);
    } catch (err) {
      const msg = err instanceof RegexCompileError ? err.message : String(err);
      throw new FunctionError(`Malformed input REGEX(${call.args}): ${msg}`);
    }
    return execEre(re, subject) ? '1' : '0';
  },
};
