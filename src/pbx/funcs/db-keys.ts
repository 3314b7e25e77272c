/**
 * DB_KEYS([prefix]) (func_db.c): the distinct next-level key names below the prefix, in key
 * order, comma-separated (a comma inside a name is escaped with a backslash).
 */
import type { DialplanFunction } from '../types.js';
import { asciiLower } from './common.js';

export const DB_KEYS: DialplanFunction = {
  name: 'DB_KEYS',
  synopsis: 'Obtain a list of keys within the Asterisk database.',
  syntax: 'DB_KEYS([prefix])',
  description: 'Lists the names one level below the given family (all top-level families without one), comma-separated.',
  read: (call) => {
    const prefix = call.args.replace(/^\/+/, '').replace(/\/+$/, '');
    const base = prefix === '' ? '' : `/${prefix}`;
    const names: string[] = [];
    let last = '';
    for (const entry of call.services.store.entries(prefix === '' ? undefined : prefix)) {
      const rest = entry.key.slice(base.length).replace(/^\//, '');
      const name = rest.split('/')[0] ?? '';
      if (asciiLower(name) === asciiLower(last) && names.length > 0) continue;
      last = name;
      names.push(name.replace(/,/g, '\\,'));
    }
    return names.join(',');
  },
};
