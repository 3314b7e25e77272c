/** DB_EXISTS(family/key) (func_db.c): 1 when the key exists (DB_RESULT then holds its value), else 0. */
import type { DialplanFunction } from '../types.js';
import { writeVariable } from './common.js';
import { familyAndKey } from './db.js';

export const DB_EXISTS: DialplanFunction = {
  name: 'DB_EXISTS',
  synopsis: 'Check to see if a key exists in the Asterisk database.',
  syntax: 'DB_EXISTS(family/key)',
  description: 'Gives 1 when the key is in the database (and puts its value in DB_RESULT), 0 when it is not.',
  read: (call) => {
    const { family, key } = familyAndKey(call);
    const value = call.services.store.get(family, key);
    if (value === undefined) return '0';
    writeVariable(call, 'DB_RESULT', value);
    return '1';
  },
};
