/**
 * Ordered header list (RFC 3261 §7.3). Names match case-insensitively and by compact form; the
 * wire spelling of known headers is canonical ("Call-ID", "CSeq"), unknown names keep theirs.
 */
import { isListHeader, lookupHeaderName, type HeaderName } from './header-names.js';
import { splitList, trimLws } from './lex.js';
import type { SipHeadersShape } from './types.js';

/**
 * A new array with `item` inserted at `at` (at = length appends) and `spare` free slots after it.
 * Filled by a loop: concat() is several times slower, and slice()+splice() or push() reserve
 * more spare slots than asked for.
 */
function insertAt<T>(list: T[], at: number, item: T, spare: number): T[] {
  const n = list.length;
  const out = new Array<T>(n + 1 + spare);
  for (let i = 0; i < at; i++) out[i] = list[i] as T;
  out[at] = item;
  for (let i = at; i < n; i++) out[i + 1] = list[i] as T;
  // Shorter by `spare`: the slots stay reserved (V8 trims only when more than half is unused).
  if (spare > 0) out.length = n + 1;
  return out;
}

export function hasLineBreak(v: string): boolean {
  return v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0;
}

/** `item` inserted at `at` into `list` in place, into a slot known to be free at its end. */
function shiftIn<T>(list: T[], at: number, item: T): void {
  for (let i = list.length; i > at; i--) list[i] = list[i - 1] as T;
  list[at] = item;
}

export class SipHeaders implements SipHeadersShape {
  /**
   * Each line's name (lower-cased key, wire name, the text written before its value) and its raw
   * value, as parallel arrays. Two arrays, not three: this is per message, and kept messages
   * (transactions, dialogs) hold them.
   */
  defs: HeaderName[];
  values: string[];
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
   * True while defs/values may be the same arrays as another SipHeaders' (clone() shares them):
   * every change then writes new arrays first. The stack copies each request it sends and adds
   * User-Agent and a Via to the copy; copying the arrays for the clone and again for each
   * addition made three times the garbage the request itself is.
   */
  private shared = false;
  /** Free slots known to be reserved at the end of both arrays (for a prepend after an add). */
  private spare = 0;
  /**
   * True once a value set by code holds CR or LF (the serializer then turns them into spaces).
   * Parsed values never do (§7.3.1 lines end at LF, a bare CR is refused, folds are joined), so
   * messages built from received lines skip that scan.
   */
  lineBreaks = false;

  /**
   * `defs`/`values`: parallel arrays to take over as they are (the parser and createResponse fill
   * them first), instead of two empty ones made and dropped.
   */
  constructor(entries?: Array<[string, string]>, defs?: HeaderName[], values?: string[]) {
    this.defs = defs ?? [];
    this.values = values ?? [];
    if (entries !== undefined) for (const [n, v] of entries) this.add(n, v);
  }

  /** Lower-cased names (compact forms resolved), in wire order. */
  get keys(): string[] {
    return this.defs.map((d) => d.key);
  }

  /** Names as written out, in wire order. */
  get names(): string[] {
    return this.defs.map((d) => d.name);
  }

  /** Internal append used by the parser and builders: no invalidation work. */
  add(name: string, value: string): void {
    this.addDef(lookupHeaderName(name), value);
  }

  /** Note a value set by code that holds CR or LF. */
  private check(value: string): void {
    if (!this.lineBreaks && hasLineBreak(value)) this.lineBreaks = true;
  }

  private addDef(h: HeaderName, value: string): void {
    this.check(value);
    if (this.shared) {
      // Own copies with one slot to spare: the stack's copy of a request gets User-Agent
      // appended and then a Via prepended, which then needs no third pair of arrays.
      this.defs = insertAt(this.defs, this.defs.length, h, 1);
      this.values = insertAt(this.values, this.values.length, value, 1);
      this.shared = false;
      this.spare = 1;
      return;
    }
    this.defs.push(h);
    this.values.push(value);
    if (this.spare > 0) this.spare--;
  }

  /** Own copies of the arrays before changing them in place. */
  private own(): void {
    if (!this.shared) return;
    this.defs = this.defs.slice();
    this.values = this.values.slice();
    this.shared = false;
    this.spare = 0;
  }

  private changed(): void {
    this.generation++;
    this.raw = null;
  }

  /** Index of the first line with this key, -1 if none. */
  indexOfKey(key: string): number {
    const defs = this.defs;
    for (let i = 0; i < defs.length; i++) if ((defs[i] as HeaderName).key === key) return i;
    return -1;
  }

  /** Number of header lines with this name. */
  count(name: string): number {
    const key = lookupHeaderName(name).key;
    const defs = this.defs;
    let n = 0;
    for (let i = 0; i < defs.length; i++) if ((defs[i] as HeaderName).key === key) n++;
    return n;
  }

  get(name: string): string | undefined {
    const i = this.indexOfKey(lookupHeaderName(name).key);
    return i < 0 ? undefined : this.values[i];
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
    const defs = this.defs;
    let one: string | null = null;
    let out: string[] | null = null;
    for (let i = 0; i < defs.length; i++) {
      if ((defs[i] as HeaderName).key !== key) continue;
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
    let at = this.indexOfKey(h.key);
    if (at < 0) at = this.defs.length;
    this.own();
    this.removeKey(h.key);
    this.defs.splice(at, 0, ...vals.map(() => h));
    this.values.splice(at, 0, ...vals);
    for (const v of vals) this.check(v);
    this.spare = 0;
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
    this.check(value);
    this.changed();
  }

  prepend(name: string, value: string): void {
    const h = lookupHeaderName(name);
    // Absent: put it first (a new top Via belongs at the top of the header section).
    let at = this.indexOfKey(h.key);
    if (at < 0) at = 0;
    this.check(value);
    if (!this.shared && this.spare > 0) {
      shiftIn(this.defs, at, h);
      shiftIn(this.values, at, value);
      this.spare--;
    } else {
      // New exact-size arrays (splice would grow them by half again: a request kept by its
      // transaction would carry the spare slots).
      this.defs = insertAt(this.defs, at, h, 0);
      this.values = insertAt(this.values, at, value, 0);
      this.shared = false;
      this.spare = 0;
    }
    this.changed();
  }

  private removeKey(key: string): void {
    for (let i = this.defs.length - 1; i >= 0; i--) {
      if ((this.defs[i] as HeaderName).key === key) {
        this.defs.splice(i, 1);
        this.values.splice(i, 1);
      }
    }
  }

  remove(name: string): void {
    this.own();
    this.removeKey(lookupHeaderName(name).key);
    this.spare = 0;
    this.changed();
  }

  entries(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let i = 0; i < this.defs.length; i++) out.push([(this.defs[i] as HeaderName).name, this.values[i] as string]);
    return out;
  }

  /** A copy sharing this one's arrays until either changes (then that one copies them). */
  clone(): SipHeaders {
    const c = new SipHeaders(undefined, this.defs, this.values);
    c.shared = true;
    this.shared = true;
    c.raw = this.raw;
    c.rawOffset = this.rawOffset;
    c.rawEnd = this.rawEnd;
    c.rawContentLength = this.rawContentLength;
    c.lineBreaks = this.lineBreaks;
    return c;
  }
}
