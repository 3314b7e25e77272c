/** QUOTE(string) (func_strings.c): the string in double quotes, `\` and `"` escaped with `\`. */
import type { DialplanFunction } from '../types.js';

export const QUOTE: DialplanFunction = {
  name: 'QUOTE',
  synopsis: 'Quotes a given string, escaping embedded quotes as necessary',
  syntax: 'QUOTE(string)',
  description: 'Wraps the text in double quotes, putting a backslash before each backslash or double quote inside it.',
  read: (call) => `"${call.args.replace(/[\\"]/g, (c) => `\\${c}`)}"`,
};
