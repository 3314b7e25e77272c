/** TOLOWER(string): ASCII letters to lower case (C locale tolower). */
import type { DialplanFunction } from '../types.js';
import { asciiLower } from './common.js';

export const TOLOWER: DialplanFunction = {
  name: 'TOLOWER',
  synopsis: 'Convert string to all lowercase letters.',
  syntax: 'TOLOWER(string)',
  description: 'Gives the argument with the letters A-Z changed to a-z.',
  read: (call) => asciiLower(call.args),
};
