/** ISNULL(data): 1 when the argument is empty, else 0. */
import type { DialplanFunction } from '../types.js';

export const ISNULL: DialplanFunction = {
  name: 'ISNULL',
  synopsis: 'Check if a value is NULL.',
  syntax: 'ISNULL(data)',
  description: 'Gives 1 when the argument is the empty string and 0 otherwise.',
  read: (call) => (call.args === '' ? '1' : '0'),
};
