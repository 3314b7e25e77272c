/** PUSH(varname[,delimiter]) = value: appends to a list variable (write-only). */
import type { DialplanFunction } from '../types.js';
import { addElement } from './list-ops.js';

export const PUSH: DialplanFunction = {
  name: 'PUSH',
  synopsis: 'Appends one or more values to the end of a variable containing delimited text',
  syntax: 'PUSH(varname[,delimiter])',
  description: 'Write-only: Set(PUSH(list)=value) appends the value to the list in the variable.',
  write: (call, value) => addElement(call, value, true),
};
