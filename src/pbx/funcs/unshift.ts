/** UNSHIFT(varname[,delimiter]) = value: puts a value in front of a list variable (write-only). */
import type { DialplanFunction } from '../types.js';
import { addElement } from './list-ops.js';

export const UNSHIFT: DialplanFunction = {
  name: 'UNSHIFT',
  synopsis: 'Inserts one or more values to the beginning of a variable containing delimited text',
  syntax: 'UNSHIFT(varname[,delimiter])',
  description: 'Write-only: Set(UNSHIFT(list)=value) puts the value in front of the list in the variable.',
  write: (call, value) => addElement(call, value, false),
};
