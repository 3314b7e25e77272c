/**
 * KEYPADHASH(string) (func_strings.c): letters become their telephone keypad digits (abc → 2 …
 * wxyz → 9); digits stay; anything else is dropped.
 */
import type { DialplanFunction } from '../types.js';

const KEYS: Array<[string, string]> = [
  ['abc', '2'], ['def', '3'], ['ghi', '4'], ['jkl', '5'], ['mno', '6'], ['pqrs', '7'], ['tuv', '8'], ['wxyz', '9'],
];

function keyOf(ch: string): string {
  if (ch >= '0' && ch <= '9') return ch;
  const lower = ch.toLowerCase();
  if (lower.length !== 1 || lower < 'a' || lower > 'z') return '';
  return KEYS.find(([letters]) => letters.includes(lower))?.[1] ?? '';
}

export const KEYPADHASH: DialplanFunction = {
  name: 'KEYPADHASH',
  synopsis: 'Hash the letters in string into equivalent keypad numbers.',
  syntax: 'KEYPADHASH(string)',
  description: 'Turns letters into the digit of their telephone keypad key, e.g. 1-800-FLOWERS into 18003569377; other characters are dropped.',
  read: (call) => [...call.args].map(keyOf).join(''),
};
