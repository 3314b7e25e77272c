/**
 * Key rules shared by every KvStore backend. Asterisk's astdb stores `/family/key` as one
 * string; `database show SIP` selects `key || '/' LIKE '/SIP' || '/%'`, i.e. the key `/SIP`
 * itself and everything below `/SIP/` — never `/SIPX/...`. herald compares case-sensitively.
 */
import type { StoreEntry } from './types.js';

/** The full astdb key for (family, key): `/family/key`. */
export function fullKey(family: string, key: string): string {
  return `/${family}/${key}`;
}

/** The full-key prefix for `entries(prefix)` / `deltree(family, keytree)`: `/prefix`. */
export function treePrefix(prefix: string): string {
  return '/' + prefix.replace(/^\/+/, '');
}

/** True when `key` is `prefix` itself or lies below it on a path boundary. */
export function underPrefix(key: string, prefix: string): boolean {
  return key === prefix || key.startsWith(prefix + '/');
}

/** Byte order like SQLite's BINARY collation for the keys herald writes. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The entries of a key→value map under `prefix` (or all), sorted by key. */
export function selectEntries(map: ReadonlyMap<string, string>, prefix?: string): StoreEntry[] {
  const out: StoreEntry[] = [];
  const p = prefix === undefined || prefix === '' ? undefined : treePrefix(prefix);
  for (const [key, value] of map) {
    if (p === undefined || underPrefix(key, p)) out.push({ key, value });
  }
  return out.sort((x, y) => compareKeys(x.key, y.key));
}

/** The keys `deltree(family, keytree)` removes from a map. */
export function treeKeys(map: ReadonlyMap<string, string>, family: string, keytree?: string): string[] {
  const p = keytree === undefined || keytree === '' ? treePrefix(family) : fullKey(family, keytree);
  const out: string[] = [];
  for (const key of map.keys()) if (underPrefix(key, p)) out.push(key);
  return out;
}
