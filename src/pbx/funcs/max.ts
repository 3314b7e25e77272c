/** MAX([num1][,num2]) (func_math.c): the larger number. */
import type { DialplanFunction } from '../types.js';
import { pick } from './min-max.js';

export const MAX: DialplanFunction = {
  name: 'MAX',
  synopsis: 'Returns the maximum of two numbers.',
  syntax: 'MAX([num1][,num2])',
  description: 'Gives the larger of the two numbers (or the only one given).',
  read: (call) => pick(call, (a, b) => (a < b ? b : a)),
};
