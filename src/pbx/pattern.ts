/**
 * Asterisk extension names and patterns (reference: asterisk-dialplan-xmpp.md §1.3, §1.4).
 *
 * - A name starting with '_' is a pattern; anything else is a literal, compared byte-wise.
 * - '-' is eye-candy: ignored in names and dialed strings, except inside '[...]'.
 * - X = 0-9, Z = 1-9, N = 2-9 (either case); '[...]' a set with 'a-d' ranges; '.' one or more
 *   of anything (ends the match); '!' zero or more ("early match", final for MATCHMORE);
 *   anything else is itself. A '/' in a pattern ends it (the caller-ID separator).
 * - Sort order (ext_cmp): literals first (byte order, '-' ignored), then patterns position by
 *   position with score = set size × 256 + lowest char; '.' = 0x18000, '!' = 0x28000,
 *   end = 0x30000; equal scores are broken by the set bitmaps (the set with lower chars first).
 *
 * Everything works on bytes: a name with non-ASCII characters is taken as its UTF-8 bytes.
 */

/** The three lookup modes of Asterisk's matcher. */
export type MatchMode = 'match' | 'canmatch' | 'matchmore';

/** Result of the core matcher: 0 no, 1 yes, 2 yes by reaching '!' (early match). */
export type CoreResult = 0 | 1 | 2;

const DASH = 0x2d;

/** Non-ASCII text is handled as its UTF-8 bytes, one JS char per byte (as Asterisk sees it). */
export function toByteString(s: string): string {
  return /[^\x00-\x7f]/.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

function stripDashes(s: string): string {
  return s.includes('-') ? s.replace(/-/g, '') : s;
}

/* ------------------------------------------------------------------------------------------ */
/* Matching                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** One position of a compiled pattern, for matching. */
type MatchToken =
  | { kind: 'char'; code: number }
  | { kind: 'range'; lo: number; hi: number }
  /** '[...]': pairs of inclusive [lo, hi] ranges (a reversed range matches nothing). */
  | { kind: 'set'; ranges: number[] }
  /** '[]': skipped while data remains, but still "pattern not ended" once data runs out. */
  | { kind: 'empty' }
  | { kind: 'dot' }
  | { kind: 'bang' }
  /** '[' with no ']': "Wrong usage of [] in the extension" — fails when reached. */
  | { kind: 'bad' };

const DIGIT_X: MatchToken = { kind: 'range', lo: 0x30, hi: 0x39 };
const DIGIT_Z: MatchToken = { kind: 'range', lo: 0x31, hi: 0x39 };
const DIGIT_N: MatchToken = { kind: 'range', lo: 0x32, hi: 0x39 };

/** One position of a pattern as the sort order sees it. */
interface SortPos {
  score: number;
  /** 256-bit set bitmap, char 0 at the most significant bit of word 0 (memcmp order). */
  bits: Uint32Array | null;
  /** Identity of this position (score and set), for the extension identity key. */
  key: string;
}

function sortPos(score: number, bits: Uint32Array | null): SortPos {
  const key = bits && (score & 0xff00) > 0x100 ? `${score.toString(16)}:${Array.from(bits, (w) => w.toString(16)).join('.')}` : score.toString(16);
  return { score, bits, key };
}

const SCORE_DOT = 0x18000;
const SCORE_BANG = 0x28000;
const SCORE_END = 0x30000;
const SCORE_BAD_SET = 0x40000;

/** A name compiled once (at load) for fast matching and ordering. */
export interface CompiledExten {
  /** As written. */
  readonly source: string;
  readonly isPattern: boolean;
  /** Literal: the name without '-' (as bytes). */
  readonly literal: string;
  /** Pattern: its match tokens (up to a '/'). */
  readonly tokens: readonly MatchToken[];
  /** Pattern: its sort positions, ending with the end marker. */
  readonly sortPos: readonly SortPos[];
  /** Two names with equal keys are the same extension (ext_cmp == 0). */
  readonly key: string;
}

function parseMatchTokens(p: string): MatchToken[] {
  const out: MatchToken[] = [];
  let i = 0;
  while (i < p.length) {
    const c = p.charCodeAt(i);
    if (c === DASH) {
      i++;
      continue;
    }
    if (c === 0x2f /* '/' */) break;
    switch (p[i]) {
      case '[': {
        const end = p.indexOf(']', i + 1);
        if (end < 0) {
          out.push({ kind: 'bad' });
          return out;
        }
        if (end === i + 1) {
          out.push({ kind: 'empty' });
          i = end + 1;
          continue;
        }
        const ranges: number[] = [];
        for (let j = i + 1; j < end; j++) {
          // "x-y" is a range only when all three characters are inside the brackets.
          if (j + 2 < end && p.charCodeAt(j + 1) === DASH) {
            ranges.push(p.charCodeAt(j), p.charCodeAt(j + 2));
            j += 2;
          } else {
            ranges.push(p.charCodeAt(j), p.charCodeAt(j));
          }
        }
        out.push({ kind: 'set', ranges });
        i = end + 1;
        continue;
      }
      case 'x':
      case 'X':
        out.push(DIGIT_X);
        break;
      case 'z':
      case 'Z':
        out.push(DIGIT_Z);
        break;
      case 'n':
      case 'N':
        out.push(DIGIT_N);
        break;
      case '.':
        out.push({ kind: 'dot' });
        break;
      case '!':
        out.push({ kind: 'bang' });
        break;
      default:
        out.push({ kind: 'char', code: c });
    }
    i++;
  }
  return out;
}

function bitsOf(codes: Iterable<number>): Uint32Array {
  const b = new Uint32Array(8);
  for (const c of codes) b[c >>> 5] |= 0x80000000 >>> (c & 31);
  return b;
}

const BITS_N = bitsOf([0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]);
const BITS_Z = bitsOf([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]);
const BITS_X = bitsOf([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39]);
const POS_N = sortPos(0x0800 | 0x32, BITS_N);
const POS_X = sortPos(0x0a00 | 0x30, BITS_X);
const POS_Z = sortPos(0x0900 | 0x31, BITS_Z);
const POS_DOT = sortPos(SCORE_DOT, null);
const POS_BANG = sortPos(SCORE_BANG, null);
const POS_END = sortPos(SCORE_END, null);
const POS_BAD_SET = sortPos(SCORE_BAD_SET, null);
/** One shared position per single character. */
const POS_CHAR: SortPos[] = Array.from({ length: 256 }, (_, c) => sortPos(0x0100 | c, bitsOf([c])));

/** The sort positions of a pattern body (without the leading '_'), per ext_cmp_pattern_pos. */
function parseSortPositions(p: string): SortPos[] {
  const out: SortPos[] = [];
  let i = 0;
  for (;;) {
    while (i < p.length && p.charCodeAt(i) === DASH) i++;
    if (i >= p.length) {
      out.push(POS_END);
      return out;
    }
    const ch = p[i];
    const c = p.charCodeAt(i);
    i++;
    switch (ch) {
      case 'n':
      case 'N':
        out.push(POS_N);
        continue;
      case 'x':
      case 'X':
        out.push(POS_X);
        continue;
      case 'z':
      case 'Z':
        out.push(POS_Z);
        continue;
      case '.':
        out.push(POS_DOT);
        continue;
      case '!':
        out.push(POS_BANG);
        continue;
      case '[':
        break;
      default:
        out.push(POS_CHAR[c & 0xff]);
        continue;
    }
    const end = p.indexOf(']', i);
    if (end < 0) {
      // Unterminated set: sorts last at this position; the following characters still count.
      out.push(POS_BAD_SET);
      continue;
    }
    const members = new Set<number>();
    let cmin = 0xff;
    for (let j = i; j < end; j++) {
      const c1 = p.charCodeAt(j) & 0xff;
      let c2 = c1;
      if (j + 2 < end && p.charCodeAt(j + 1) === DASH) {
        c2 = p.charCodeAt(j + 2) & 0xff;
        j += 2;
      }
      if (c1 < cmin) cmin = c1;
      for (let k = c1; k <= c2; k++) members.add(k);
    }
    i = end + 1;
    // An empty set (or a reversed range) does not count as a position at all.
    if (members.size === 0) continue;
    out.push(sortPos((members.size << 8) | cmin, bitsOf(members)));
  }
}

function sortKeyOf(pos: readonly SortPos[]): string {
  let k = '';
  for (const x of pos) k += `${x.key},`;
  return k;
}

/** Compile an extension name (or a caller-ID match) once. */
export function compileExten(name: string): CompiledExten {
  const bytes = toByteString(name);
  if (bytes.charCodeAt(0) !== 0x5f /* '_' */) {
    const literal = stripDashes(bytes);
    return { source: name, isPattern: false, literal, tokens: [], sortPos: [], key: `L${literal}` };
  }
  const body = bytes.slice(1);
  const sortPos = parseSortPositions(body);
  return { source: name, isPattern: true, literal: '', tokens: parseMatchTokens(body), sortPos, key: `P${sortKeyOf(sortPos)}` };
}

function tokenAccepts(t: MatchToken, c: number): boolean | 'dot' | 'bang' | 'bad' {
  switch (t.kind) {
    case 'char':
      return c === t.code;
    case 'range':
      return c >= t.lo && c <= t.hi;
    case 'set': {
      const r = t.ranges;
      for (let k = 0; k < r.length; k += 2) if (c >= r[k] && c <= r[k + 1]) return true;
      return false;
    }
    case 'dot':
      return 'dot';
    case 'bang':
      return 'bang';
    case 'bad':
      return 'bad';
    case 'empty':
      return true;
  }
}

/**
 * Asterisk's _extension_match_core on a compiled name. `data` is the dialed string (bytes).
 * 0 = no, 1 = yes, 2 = the pattern reached '!' (early match).
 */
export function matchCompiled(ext: CompiledExten, data: string, mode: MatchMode): CoreResult {
  if (!ext.isPattern) {
    const d = stripDashes(data);
    const lit = ext.literal;
    if (lit.length < d.length) return 0;
    if (mode === 'match') return lit === d ? 1 : 0;
    if (!lit.startsWith(d)) return 0;
    return mode === 'matchmore' ? (lit.length > d.length ? 1 : 0) : 1;
  }
  // A pattern "matches" the same pattern text (used when a label or priority is looked up
  // by the extension's own pattern name).
  if (mode === 'match' && data.charCodeAt(0) === 0x5f) {
    if (ext.source.toLowerCase() === data.toLowerCase()) return 1;
    if (extCmp(ext, compileExten(data)) === 0) return 1;
  }
  const tokens = ext.tokens;
  let di = 0;
  let ti = 0;
  const n = data.length;
  for (;;) {
    while (di < n && data.charCodeAt(di) === DASH) di++;
    if (di >= n || ti >= tokens.length) break;
    const t = tokens[ti];
    if (t.kind === 'empty') {
      ti++;
      continue;
    }
    const ok = tokenAccepts(t, data.charCodeAt(di));
    if (ok === 'dot') return 1;
    if (ok === 'bang') return 2;
    if (ok !== true) return 0;
    di++;
    ti++;
  }
  if (di < n) return 0;
  if (ti >= tokens.length) return mode === 'matchmore' ? 0 : 1;
  if (tokens[ti].kind === 'bang') return 2;
  return mode === 'match' ? 0 : 1;
}

/**
 * Whether a pattern could match a dialed string that starts with the bytes `prefix` ('-'
 * already removed): false only when one of its leading character, digit-class or set
 * positions rejects the byte at that place. Lookups use it to index patterns by prefix.
 */
export function mayStartWith(ext: CompiledExten, prefix: string): boolean {
  if (!ext.isPattern) return ext.literal.startsWith(prefix);
  const tokens = ext.tokens;
  for (let i = 0; i < prefix.length; i++) {
    const t = tokens[i];
    if (t === undefined) return false;
    if (t.kind !== 'char' && t.kind !== 'range' && t.kind !== 'set') return true;
    if (tokenAccepts(t, prefix.charCodeAt(i)) !== true) return false;
  }
  return true;
}

const cache = new Map<string, CompiledExten>();
const CACHE_MAX = 4096;

/** Compile with a small cache (for the string-based helpers below). */
export function compileCached(name: string): CompiledExten {
  let c = cache.get(name);
  if (!c) {
    if (cache.size >= CACHE_MAX) cache.clear();
    c = compileExten(name);
    cache.set(name, c);
  }
  return c;
}

/** The core result for a pattern or literal name against a dialed string. */
export function matchCore(pattern: string, exten: string, mode: MatchMode): CoreResult {
  return matchCompiled(compileCached(pattern), toByteString(exten), mode);
}

/** E_MATCH: the whole string matches (an early match on '!' counts). */
export function match(pattern: string, exten: string): boolean {
  return matchCore(pattern, exten, 'match') !== 0;
}

/** E_CANMATCH: matches now or could match with more digits. */
export function canMatch(pattern: string, exten: string): boolean {
  return matchCore(pattern, exten, 'canmatch') !== 0;
}

/** E_MATCHMORE: more digits could still match; an early match on '!' is a final no. */
export function matchMore(pattern: string, exten: string): boolean {
  return matchCore(pattern, exten, 'matchmore') === 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Ordering                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** Byte compare of two literals as C does with plain (signed) chars. */
function signedByte(c: number): number {
  return c >= 0x80 ? c - 0x100 : c;
}

function cmpLiteral(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = signedByte(a.charCodeAt(i)) - signedByte(b.charCodeAt(i));
    if (d) return d;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -signedByte(b.charCodeAt(n)) : signedByte(a.charCodeAt(n));
}

function cmpPositions(a: readonly SortPos[], b: readonly SortPos[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const pa = a[i];
    const pb = b[i];
    if (pa.score !== pb.score) return pa.score - pb.score;
    if (pa.bits && pb.bits) {
      for (let w = 0; w < 8; w++) {
        // memcmp(right, left): the set holding lower characters sorts first.
        if (pa.bits[w] !== pb.bits[w]) return pb.bits[w] > pa.bits[w] ? 1 : -1;
      }
    }
    if (pa.score === SCORE_END) return 0;
  }
  return a.length - b.length;
}

/** Asterisk's ext_cmp on compiled names: < 0 when a sorts first, 0 when they are the same extension. */
export function extCmp(a: CompiledExten, b: CompiledExten): number {
  if (!a.isPattern) return b.isPattern ? -1 : cmpLiteral(a.literal, b.literal);
  if (!b.isPattern) return 1;
  return cmpPositions(a.sortPos, b.sortPos);
}

/** ast_extension_cmp: -1, 0 or 1 for two names as written. */
export function compareExtensions(a: string, b: string): -1 | 0 | 1 {
  const d = extCmp(compileCached(a), compileCached(b));
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/**
 * Order of two entries of a context: by name, then the caller-ID variants before the plain
 * one, and caller-ID variants among themselves by their CID pattern.
 */
export function extEntryCmp(
  a: { name: CompiledExten; cid: CompiledExten | null },
  b: { name: CompiledExten; cid: CompiledExten | null },
): number {
  const d = extCmp(a.name, b.name);
  if (d) return d;
  if (!a.cid) return b.cid ? 1 : 0;
  if (!b.cid) return -1;
  return extCmp(a.cid, b.cid);
}

/** Sort names the way a context keeps them. */
export function sortExtensions(names: readonly string[]): string[] {
  return [...names].sort((x, y) => extCmp(compileCached(x), compileCached(y)));
}

/**
 * The extension Asterisk's lookup would pick for a dialed string among `names` (one context,
 * no priorities or caller ID involved): the first matching one in sort order, or null.
 */
export function bestMatch(names: readonly string[], exten: string): string | null {
  for (const n of sortExtensions(names)) if (match(n, exten)) return n;
  return null;
}
