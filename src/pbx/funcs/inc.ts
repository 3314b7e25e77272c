/** INC(variable) (func_math.c): Adds one to a variable holding a whole number; gives the new value. */
import type { DialplanFunction } from '../types.js';
import { step } from './inc-dec.js';

export const INC: DialplanFunction = {
  name: 'INC',
  synopsis: 'Increments the value of a variable, while returning the updated value to the dialplan',
  syntax: 'INC(variable)',
  description: 'Adds one to the whole number held in the variable (by name, not ${} value) and gives the new value.',
  read: (call) => step(call, 1),
};
