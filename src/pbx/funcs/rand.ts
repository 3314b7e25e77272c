/**
 * RAND([min][,max]) (func_rand.c): a random integer in [min, max] inclusive; min defaults to 0,
 * max to RAND_MAX (2147483647); reversed bounds are swapped.
 */
import { randomInt } from 'node:crypto';
import { splitArgs } from '../args.js';
import type { DialplanFunction } from '../types.js';
import { scanInt } from './common.js';

const RAND_MAX = 2147483647;

export const RAND: DialplanFunction = {
  name: 'RAND',
  synopsis: 'Choose a random number in a range.',
  syntax: 'RAND([min][,max])',
  description: 'Gives a random whole number between min (default 0) and max (default 2147483647), both included.',
  read: (call) => {
    const [minArg = '', maxArg = ''] = splitArgs(call.args, ',', { max: 2 });
    let min = scanInt(minArg) ?? 0;
    let max = scanInt(maxArg) ?? RAND_MAX;
    if (max < min) [min, max] = [max, min];
    return String(min + randomInt(0, max - min + 1));
  },
};
