/** TOUPPER(string): ASCII letters to upper case (C locale toupper). */
import type { DialplanFunction } from '../types.js';
import { asciiUpper } from './common.js';

export const TOUPPER: DialplanFunction = {
  name: 'TOUPPER',
  synopsis: 'Convert string to all uppercase letters.',
  syntax: 'TOUPPER(string)',
  description: 'Gives the argument with the letters a-z changed to A-Z.',
  read: (call) => asciiUpper(call.args),
};
