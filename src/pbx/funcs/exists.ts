/** EXISTS(data): 1 when the argument is not empty, else 0 (func_logic.c). */
import type { DialplanFunction } from '../types.js';

export const EXISTS: DialplanFunction = {
  name: 'EXISTS',
  synopsis: 'Test the existence of a value.',
  syntax: 'EXISTS(data)',
  description: 'Gives 1 when the argument is non-empty and 0 when it is empty.',
  read: (call) => (call.args === '' ? '0' : '1'),
};
