/** ABS(num) (func_math.c): the number without its sign. */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { scanDouble } from './math.js';
import { show } from './min-max.js';

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
