/** LEN(string): the length of the string in bytes (Asterisk uses strlen). */
import type { DialplanFunction } from '../types.js';

export const LEN: DialplanFunction = {
  name: 'LEN',
  synopsis: 'Returns the length of the argument given.',
  syntax: 'LEN(string)',
  description: 'Counts the bytes of the text between the parentheses (UTF-8, as Asterisk counts).',
  read: (call) => String(Buffer.byteLength(call.args, 'utf8')),
};
