/** DEC(variable) (func_math.c): Subtracts one from a variable holding a whole number; gives the new value. */
import type { DialplanFunction } from '../types.js';
import { step } from './inc-dec.js';

export const DEC: DialplanFunction = {
  name: 'DEC',
  synopsis: 'Decrements the value of a variable, while returning the updated value to the dialplan',
  syntax: 'DEC(variable)',
  description: 'Subtracts one from the whole number held in the variable (by name, not ${} value) and gives the new value.',
  read: (call) => step(call, -1),
};
