/** HASHKEYS(hashname) (func_strings.c): the keys of a HASH, newest first, comma-separated. */
import type { DialplanFunction } from '../types.js';
import { requireChannel } from './common.js';
import { hashKeys } from './hash.js';

export const HASHKEYS: DialplanFunction = {
  name: 'HASHKEYS',
  synopsis: 'Retrieve the keys of the HASH() function.',
  syntax: 'HASHKEYS(hashname)',
  description: 'Lists the keys set in the associative array, comma-separated, most recently set first.',
  read: (call) => hashKeys(requireChannel(call), call.args).join(','),
};
