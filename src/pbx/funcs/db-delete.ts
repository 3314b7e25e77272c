/**
 * DB_DELETE(family/key) (func_db.c): gives the key's value and deletes it; DB_RESULT is set to
 * the value (empty when the key did not exist). The delete is durable once the store's promise
 * resolves; the read itself returns at once. Set(DB_DELETE(family/key)=) deletes the same way.
 */
import type { DialplanFunction, FunctionCall } from '../types.js';
import { writeVariable } from './common.js';
import { familyAndKey } from './db.js';

export const DB_DELETE: DialplanFunction = {
  name: 'DB_DELETE',
  synopsis: 'Return a value from the database and delete it.',
  syntax: 'DB_DELETE(family/key)',
  description: 'Gives the value stored under the key and removes the key from the database.',
  read: (call) => deleteKey(call),
  write: (call) => {
    deleteKey(call);
  },
};

function deleteKey(call: FunctionCall): string {
  const { family, key } = familyAndKey(call);
  const value = call.services.store.get(family, key);
  if (value !== undefined) {
    call.services.store.del(family, key).catch((err: unknown) => {
      call.services.log.warn(`DB_DELETE: ${family}/${key} could not be deleted from the database (${String(err)})`);
    });
  }
  writeVariable(call, 'DB_RESULT', value ?? '');
  return value ?? '';
}
