/**
 * DB(family/key) (func_db.c): reads (setting DB_RESULT when found) or writes a key of the
 * astdb-like store. The argument splits at the first '/': family, then the key (which may
 * contain more '/').
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction, type FunctionCall } from '../types.js';
import { writeVariable } from './common.js';

export function familyAndKey(call: FunctionCall, forWrite = false): { family: string; key: string } {
  const [family = '', key] = splitArgs(call.args, '/', { max: 2 });
  if (call.args === '' || key === undefined) {
    throw new FunctionError(`${call.name} requires an argument, ${call.name}(<family>/<key>)${forWrite ? '=<value>' : ''}`);
  }
  return { family, key };
}

export const DB: DialplanFunction = {
  name: 'DB',
  synopsis: 'Read from or write to the Asterisk database.',
  syntax: 'DB(family/key)',
  description: 'Reads a value from the database (also setting DB_RESULT) or, with Set(DB(family/key)=value), stores one.',
  read: (call) => {
    const { family, key } = familyAndKey(call);
    const value = call.services.store.get(family, key);
    if (value === undefined) return '';
    writeVariable(call, 'DB_RESULT', value);
    return value;
  },
  write: async (call, value) => {
    const { family, key } = familyAndKey(call, true);
    try {
      await call.services.store.put(family, key, value);
    } catch (err) {
      call.services.log.warn(`DB: Error writing value to database. (${String(err)})`);
    }
  },
};
