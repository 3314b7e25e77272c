/**
 * What MIN, MAX and ABS share (func_math.c): numbers read like sscanf("%lf"); a whole result
 * prints as an integer, anything else with "%f". MIN/MAX take the one number given when the
 * other is empty.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type FunctionCall } from '../types.js';
import { scanDouble } from './math.js';

export function show(n: number): string {
  const asInt = Math.trunc(n);
  return Math.abs(n) < 2 ** 31 && asInt === n ? String(asInt) : n.toFixed(6);
}

export function pick(call: FunctionCall, choose: (a: number, b: number) => number): string {
  const [a = '', b = ''] = splitArgs(call.args, ',', { max: 2 });
  if (a === '' && b === '') throw new FunctionError('Missing argument for number(s).');
  const x = a === '' ? null : scanDouble(a);
  if (a !== '' && x === null) throw new FunctionError(`'${a}' is not a valid number`);
  const y = b === '' ? x : scanDouble(b);
  if (b !== '' && y === null) throw new FunctionError(`'${b}' is not a valid number`);
  if (x === null) return show(y as number);
  return show(choose(x, y as number));
}
