/**
 * HASH(hashname[,hashkey]) and HASHKEYS(hashname) (func_strings.c). A hash entry is the channel
 * variable `~HASH~hashname~hashkey~` (a leading `_`/`__` on hashname makes it inheritable).
 *  - HASH(name,key) reads/writes one entry;
 *  - HASH(name) reads all values, in HASHKEYS order, joined by ',', and stores the key list in
 *    `~ODBCFIELDS~`; Set(HASH(name)=v1,v2…) assigns those values to the keys listed in
 *    `~ODBCFIELDS~` (as set by a previous read);
 *  - HASHKEYS(name) lists the keys, most recently set first (Asterisk keeps channel variables
 *    newest first).
 */
import { splitArgs } from '../args.js';
import { stripInheritPrefix } from '../../channels/channel.js';
import { FunctionError, type DialplanChannel, type DialplanFunction } from '../types.js';
import { requireChannel } from './common.js';

export function hashVariableName(hashname: string, key: string): string {
  if (hashname.startsWith('__')) return `__~HASH~${hashname.slice(2)}~${key}~`;
  if (hashname.startsWith('_')) return `_~HASH~${hashname.slice(1)}~${key}~`;
  return `~HASH~${hashname}~${key}~`;
}

export function hashKeys(channel: DialplanChannel, hashname: string): string[] {
  const prefix = `~HASH~${hashname}~`;
  const keys: string[] = [];
  for (const [name] of channel.listVars().reverse()) {
    const bare = stripInheritPrefix(name);
    if (bare.startsWith(prefix) && bare.length > prefix.length) keys.push(bare.slice(prefix.length, -1));
  }
  return keys;
}

const ODBC_FIELDS = '~ODBCFIELDS~';

export const HASH: DialplanFunction = {
  name: 'HASH',
  synopsis: 'Implementation of a dialplan associative array',
  syntax: 'HASH(hashname[,hashkey])',
  description:
    'Reads or writes one key of an associative array kept in channel variables; with only the array name, reads all values (comma-separated) or, when written, assigns comma-separated values to the keys of the last full read.',
  read: (call) => {
    const [hashname = '', key] = splitArgs(call.args, ',', { max: 2 });
    if (key !== undefined) {
      return call.channel?.getVar(`~HASH~${hashname}~${key}~`) ?? '';
    }
    if (!call.channel) throw new FunctionError('No channel and only 1 parameter was provided to HASH function.');
    const keys = hashKeys(call.channel, hashname);
    call.channel.setVar(ODBC_FIELDS, keys.join(','));
    return keys.map((k) => call.channel?.getVar(`~HASH~${hashname}~${k}~`) ?? '').join(',');
  },
  write: (call, value) => {
    const channel = requireChannel(call);
    if (!call.args.includes(',')) {
      const fields = channel.getVar(ODBC_FIELDS);
      if (fields === undefined) throw new FunctionError(`HASH(${call.args}) was written without a previous HASH(${call.args}) read`);
      const keys = splitArgs(fields, ',', { max: 100 });
      const values = splitArgs(value, ',', { max: 100 });
      keys.forEach((k, i) => {
        const v = values[i];
        channel.setVar(v === undefined ? `~HASH~${call.args}~${k}~` : hashVariableName(call.args, k), v ?? '');
      });
      return;
    }
    const [hashname = '', key = ''] = splitArgs(call.args, ',', { max: 2 });
    channel.setVar(hashVariableName(hashname, key), value);
  },
};
