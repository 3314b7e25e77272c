/**
 * Ordered header list (RFC 3261 §7.3). Names match case-insensitively and by compact form; the
 * wire spelling of known headers is canonical ("Call-ID", "CSeq"), unknown names keep theirs.
 */
import { isListHeader, lookupHeaderName } from './header-names.js';
import { splitList, trimLws } from './lex.js';
import type { SipHeadersShape } from './types.js';

/**
 * A new exact-size array with `item` inserted at `at` (at = length appends). Filled by a loop:
 * concat() is several times slower, and slice()+splice() or push() reserve spare slots.
 */
function insertAt(list: string[], at: number, item: string): string[] {
  const n = list.length;
  const out = new Array<string>(n + 1);
  for (let i = 0; i < at; i++) out[i] = list[i] as string;
  out[at] = item;
  for (let i = at; i < n; i++) out[i + 1] = list[i] as string;
  return out;
}

export class SipHeaders implements SipHeadersShape {
  /** Lower-cased keys (compact forms resolved), names as written out, raw values — parallel arrays. */
  keys: string[] = [];
  names: string[] = [];
  values: string[] = [];
  /** Bumped by every mutation so messages know their cached parses are stale. */
  generation = 0;
  /**
   * The received datagram/frame, kept while the headers are unmodified so a parsed message can be
   * re-sent without rebuilding them: bytes [rawOffset, rawEnd) are its header lines exactly as
   * received (CRLF-terminated, unfolded); `rawContentLength` is its single Content-Length value.
   */
  raw: Buffer | null = null;
  rawOffset = 0;
  rawEnd = 0;
  rawContentLength = -1;
  /**
   * True while keys/names/values may be the same arrays as another SipHeaders' (clone() shares
   * them): every change then writes new arrays first. The stack copies each request it sends
   * and adds a Via (and User-Agent) to the copy; copying the arrays for the clone and again for
   * each addition made three times the garbage the request itself is.
   */
  private shared = false;

  constructor(entries?: Array<[string, string]>) {
    if (entries !== undefined) for (const [n, v] of entries) this.add(n, v);
  }

  /** Internal append used by the parser: no invalidation work. */
  add(name: string, value: string): void {
    const h = lookupHeaderName(name);
    if (this.shared) {
      // Exact-size copies: a shared list is usually a sent request's, kept by its transaction.
      this.keys = insertAt(this.keys, this.keys.length, h.key);
      this.names = insertAt(this.names, this.names.length, h.name);
      this.values = insertAt(this.values, this.values.length, value);
      this.shared = false;
      return;
    }
    this.keys.push(h.key);
    this.names.push(h.name);
    this.values.push(value);
  }

  /** Own copies of the arrays before changing them in place. */
  private own(): void {
    if (!this.shared) return;
    this.keys = this.keys.slice();
    this.names = this.names.slice();
    this.values = this.values.slice();
    this.shared = false;
  }

  private changed(): void {
    this.generation++;
    this.raw = null;
  }

  /** Number of header lines with this name. */
  count(name: string): number {
    const key = lookupHeaderName(name).key;
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) n++;
    return n;
  }

  get(name: string): string | undefined {
    const key = lookupHeaderName(name).key;
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.values[i];
    return undefined;
  }

  getAll(name: string): string[] {
    const key = lookupHeaderName(name).key;
    return this.allOf(key, isListHeader(key));
  }

  /**
   * getAll by lower-cased key. The usual single value is returned in an exact one-element array
   * (a pushed-to empty array reserves 17 slots).
   */
  allOf(key: string, list: boolean): string[] {
    const keys = this.keys;
    let one: string | null = null;
    let out: string[] | null = null;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] !== key) continue;
      const v = this.values[i] as string;
      if (list && v.indexOf(',') >= 0) {
        for (const item of splitList(v)) {
          if (out !== null) out.push(item);
          else if (one === null) one = item;
          else out = [one, item];
        }
        continue;
      }
      const item = list ? trimLws(v) : v;
      if (list && item.length === 0) continue;
      if (out !== null) out.push(item);
      else if (one === null) one = item;
      else out = [one, item];
    }
    return out ?? (one === null ? [] : [one]);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, value: string | string[]): void {
    const h = lookupHeaderName(name);
    const vals = typeof value === 'string' ? [value] : value;
    let at = this.keys.indexOf(h.key);
    if (at < 0) at = this.keys.length;
    this.own();
    this.removeKey(h.key);
    this.keys.splice(at, 0, ...vals.map(() => h.key));
    this.names.splice(at, 0, ...vals.map(() => h.name));
    this.values.splice(at, 0, ...vals);
    this.changed();
  }

  append(name: string, value: string): void {
    this.add(name, value);
    this.changed();
  }

  /** Replace the value of header line `index` in place (same name and position). */
  replaceAt(index: number, value: string): void {
    if (index < 0 || index >= this.values.length) throw new RangeError(`no header line ${index}`);
    this.own();
    this.values[index] = value;
    this.changed();
  }

  prepend(name: string, value: string): void {
    const h = lookupHeaderName(name);
    // Absent: put it first (a new top Via belongs at the top of the header section).
    let at = this.keys.indexOf(h.key);
    if (at < 0) at = 0;
    // New exact-size arrays (splice would grow them by half again: a request kept by its
    // transaction would carry the spare slots).
    this.keys = insertAt(this.keys, at, h.key);
    this.names = insertAt(this.names, at, h.name);
    this.values = insertAt(this.values, at, value);
    this.shared = false;
    this.changed();
  }

  private removeKey(key: string): void {
    for (let i = this.keys.length - 1; i >= 0; i--) {
      if (this.keys[i] === key) {
        this.keys.splice(i, 1);
        this.names.splice(i, 1);
        this.values.splice(i, 1);
      }
    }
  }

  remove(name: string): void {
    this.own();
    this.removeKey(lookupHeaderName(name).key);
    this.changed();
  }

  entries(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < this.keys.length; i++) out.push([this.names[i] as string, this.values[i] as string]);
    return out;
  }

  /** A copy sharing this one's arrays until either changes (then that one copies them). */
  clone(): SipHeaders {
    const c = new SipHeaders();
    c.keys = this.keys;
    c.names = this.names;
    c.values = this.values;
    c.shared = true;
    this.shared = true;
    c.raw = this.raw;
    c.rawOffset = this.rawOffset;
    c.rawEnd = this.rawEnd;
    c.rawContentLength = this.rawContentLength;
    return c;
  }
}
