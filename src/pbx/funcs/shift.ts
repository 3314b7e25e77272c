/** SHIFT(varname[,delimiter]): removes and returns the first element of a list variable. */
import type { DialplanFunction } from '../types.js';
import { takeElement } from './list-ops.js';

export const SHIFT: DialplanFunction = {
  name: 'SHIFT',
  synopsis: 'Removes and returns the first item off of a variable containing delimited text',
  syntax: 'SHIFT(varname[,delimiter])',
  description: 'Gives the first element of the list in the variable and removes it from the variable.',
  read: (call) => takeElement(call, false),
};
