/**
 * MIN(num1,num2), MAX(num1,num2), ABS(num) (func_math.c): numbers read like sscanf("%lf");
 * a whole result prints as an integer, anything else with "%f". MIN/MAX take the one number
 * given when the other is empty.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction, type FunctionCall } from '../types.js';
import { scanDouble } from './math.js';

function show(n: number): string {
  const asInt = Math.trunc(n);
  return Math.abs(n) < 2 ** 31 && asInt === n ? String(asInt) : n.toFixed(6);
}

function pick(call: FunctionCall, choose: (a: number, b: number) => number): string {
  const [a = '', b = ''] = splitArgs(call.args, ',', { max: 2 });
  if (a === '' && b === '') throw new FunctionError('Missing argument for number(s).');
  const x = a === '' ? null : scanDouble(a);
  if (a !== '' && x === null) throw new FunctionError(`'${a}' is not a valid number`);
  const y = b === '' ? x : scanDouble(b);
  if (b !== '' && y === null) throw new FunctionError(`'${b}' is not a valid number`);
  if (x === null) return show(y as number);
  return show(choose(x, y as number));
}

export const MIN: DialplanFunction = {
  name: 'MIN',
  synopsis: 'Returns the minimum of two numbers.',
  syntax: 'MIN([num1][,num2])',
  description: 'Gives the smaller of the two numbers (or the only one given).',
  read: (call) => pick(call, (a, b) => (a > b ? b : a)),
};

export const MAX: DialplanFunction = {
  name: 'MAX',
  synopsis: 'Returns the maximum of two numbers.',
  syntax: 'MAX([num1][,num2])',
  description: 'Gives the larger of the two numbers (or the only one given).',
  read: (call) => pick(call, (a, b) => (a < b ? b : a)),
};

export const ABS: DialplanFunction = {
  name: 'ABS',
  synopsis: 'Returns absolute value of a number.',
  syntax: 'ABS(num)',
  description: 'Gives the number without its sign.',
  read: (call) => {
    const [a = ''] = splitArgs(call.args, ',', { max: 1 });
    const x = a === '' ? null : scanDouble(a);
    if (x === null) throw new FunctionError(`Bad or missing argument for number: ${a}`);
    return show(Math.abs(x));
  },
};
