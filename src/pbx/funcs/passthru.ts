/** PASSTHRU(string) (func_strings.c): its argument, unchanged. */
import type { DialplanFunction } from '../types.js';

export const PASSTHRU: DialplanFunction = {
  name: 'PASSTHRU',
  synopsis: 'Pass the given argument back as a value.',
  syntax: 'PASSTHRU([string])',
  description: 'Gives its argument unchanged (useful to apply a substring to a literal, e.g. ${PASSTHRU(abcdef):2:2}).',
  read: (call) => call.args,
};
