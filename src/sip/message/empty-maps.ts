/**
 * Shared read-only empty maps for parsed values without parameters or URI headers (most URIs
 * and many name-addrs: a SUBSCRIBE's Request-URI, To, Contact and their URIs). Each `new Map()`
 * costs ~200 bytes even when empty, and a SUBSCRIBE alone parsed five of them. Nothing adds to
 * a parsed value's maps (code that edits parameters copies them first: `new Map(na.params)`);
 * should anything try, set() throws rather than giving every other parsed value that entry.
 */
import type { Params } from './types.js';

class ReadOnlyEmptyMap<V> extends Map<string, V> {
  override set(): this {
    throw new TypeError('a parsed value without parameters shares one empty map: assign a new Map to add entries');
  }
}

/** The `params` of a parsed URI, name-addr or Via that has none. */
export const NO_PARAMS: Params = new ReadOnlyEmptyMap<string | null>();

/** The `headers` of a parsed URI without `?headers`. */
export const NO_URI_HEADERS: Map<string, string> = new ReadOnlyEmptyMap<string>();
