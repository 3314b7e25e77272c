/**
 * ARRAY(var1[,var2[,...]])=val1[,val2[,...]] (func_strings.c array): write-only; sets each
 * variable to the value at the same position, and to "" when there are fewer values.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { writeVariable } from './common.js';

/** Asterisk declares at most 100 names and values. */
export const ARRAY_MAX = 100;

export const ARRAY: DialplanFunction = {
  name: 'ARRAY',
  synopsis: 'Allows setting multiple variables at once.',
  syntax: 'ARRAY(var1[,var2[,...][,varN]])',
  description: 'Write-only: Set(ARRAY(a,b,c)=1,2,3) sets a to 1, b to 2 and c to 3 (missing values give empty variables).',
  read: () => {
    throw new FunctionError('ARRAY should only be used for writing');
  },
  write: (call, value) => {
    const names = splitArgs(call.args, ',', { max: ARRAY_MAX });
    const values = splitArgs(value, ',', { max: ARRAY_MAX });
    names.forEach((name, i) => writeVariable(call, name, values[i] ?? ''));
  },
};
