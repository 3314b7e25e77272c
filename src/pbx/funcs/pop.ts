/** POP(varname[,delimiter]): removes and returns the last element of a list variable. */
import type { DialplanFunction } from '../types.js';
import { takeElement } from './list-ops.js';

export const POP: DialplanFunction = {
  name: 'POP',
  synopsis: 'Removes and returns the last item off of a variable containing delimited text',
  syntax: 'POP(varname[,delimiter])',
  description: 'Gives the last element of the list in the variable and removes it from the variable.',
  read: (call) => takeElement(call, true),
};
