/** MIN([num1][,num2]) (func_math.c): the smaller number. */
import type { DialplanFunction } from '../types.js';
import { pick } from './min-max.js';

export const MIN: DialplanFunction = {
  name: 'MIN',
  synopsis: 'Returns the minimum of two numbers.',
  syntax: 'MIN([num1][,num2])',
  description: 'Gives the smaller of the two numbers (or the only one given).',
  read: (call) => pick(call, (a, b) => (a > b ? b : a)),
};
