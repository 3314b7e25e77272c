/**
 * The loaded dialplan and Asterisk's lookup rules (reference: asterisk-dialplan-xmpp.md §1.4,
 * §1.5, §1.7 and §8 items 1–3). The API is described in src/pbx/model.ts.
 *
 * Lookup (pbx_find_extension): in one context, walk its extensions in sort order (literals,
 * then patterns; caller-ID variants before the plain entry) and take the first that matches
 * the dialed string AND the caller ID AND has the wanted priority/label; if none, search the
 * includes in order, depth-first, each only while its time spec holds. A context already
 * visited during this lookup is skipped (include loops; names compared ignoring case, as
 * Asterisk does), and at most 512 contexts are searched per lookup.
 * Switches are kept but never consulted (herald has none).
 */
import type { ConfDiagnostic } from '../config/types.js';
import { compileTimeSpec, matchTimeSpec, splitTimeSpec, type CompiledTimeSpec } from './include-time.js';
import type {
  DialplanContext,
  DialplanExtension,
  DialplanGeneral,
  DialplanHint,
  DialplanInclude,
  DialplanPriority,
  FoundExtension,
  FoundPriority,
  HintEntry,
} from './model.js';
import { compileExten, extEntryCmp, matchCompiled, mayStartWith, toByteString, type CompiledExten, type MatchMode } from './pattern.js';

/** Asterisk's AST_PBX_MAX_STACK: how many contexts one lookup may search (includes followed). */
export const MAX_CONTEXTS_PER_LOOKUP = 512;

/** Patterns are pre-filtered by this many leading dialed bytes. */
const PREFIX_INDEX_LENGTH = 2;
/** Cached prefix lists per context before the cache starts over. */
const PREFIX_INDEX_MAX = 2048;

/** Registrar shown by `dialplan show` for everything loaded from extensions.conf. */
export const PBX_CONFIG_REGISTRAR = 'pbx_config';

/** An include as stored: the model fields plus what `dialplan show` prints and the parsed time. */
export interface StoredInclude extends DialplanInclude {
  /** The value as written after `include =>`, e.g. "daytime,9:00-17:00,mon-fri,*,*". */
  fullName: string;
  registrar: string;
  time: CompiledTimeSpec | null;
}

/** A hint as stored: the model fields plus the text as written (what `dialplan show` prints). */
export interface StoredHint extends DialplanHint {
  text: string;
}

interface ExtEntry {
  ext: DialplanExtension;
  name: CompiledExten;
  cid: CompiledExten | null;
  /** First priority that defined each label. */
  labels: Map<string, DialplanPriority> | null;
}

interface ContextState {
  ctx: DialplanContext;
  /** Extensions by identity key (ext_cmp-equal names with the same CID rule are one extension). */
  byKey: Map<string, ExtEntry>;
  /** The same entries by name and CID as written (skips compiling on repeated lines). */
  byRaw: Map<string, ExtEntry>;
  /** Patterns that may match a string starting with a given 1- or 2-byte prefix, in sort order (built on demand). */
  byPrefix: Map<string, ExtEntry[]>;
  /** True when every literal is ASCII: their sort order is then plain string order (prefix scans). */
  literalsAscii: boolean;
  /** Built lazily: sorted entries, literal buckets for exact lookups, patterns in order. */
  sorted: ExtEntry[] | null;
  literalBuckets: Map<string, ExtEntry[]>;
  literals: ExtEntry[];
  patterns: ExtEntry[];
}

type Want = { priority: number } | { label: string } | null;

interface LookupState {
  /** Contexts searched so far in this lookup (lower-cased names). */
  visited: Set<string>;
  /** Set when a '!' early match makes a MATCHMORE lookup final. */
  final: boolean;
}

interface Hit {
  context: DialplanContext;
  entry: ExtEntry;
  priority: DialplanPriority | null;
}

/**
 * Remove spaces as Asterisk does when an extension is added (ext_strncpy): every ' ' goes,
 * except inside '[...]' of a pattern (a ']' ends the set; literals have no sets).
 */
export function normalizeExtenName(name: string): string {
  if (!name.includes(' ')) return name;
  const isPattern = name.startsWith('_');
  let out = '';
  let inSet = false;
  for (const ch of name) {
    if (ch === '[') {
      if (isPattern) inSet = true;
    } else if (ch === ']') {
      inSet = false;
    } else if (ch === ' ' && !inSet) {
      continue;
    }
    out += ch;
  }
  return out;
}

/** The priority entry of an extension (its list is sorted by number). */
function priorityOf(ext: DialplanExtension, priority: number): DialplanPriority | undefined {
  const list = ext.priorities;
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const n = list[mid].priority;
    if (n === priority) return list[mid];
    if (n < priority) lo = mid + 1;
    else hi = mid;
  }
  return undefined;
}

/** First index whose literal is >= key (literals sorted in plain string order). */
function lowerBound(list: readonly ExtEntry[], key: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid].name.literal < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function stripDashes(s: string): string {
  return s.includes('-') ? s.replace(/-/g, '') : s;
}

export interface DialplanOptions {
  /** Wall clock for include time specs (injectable for tests). */
  now?: () => Date;
}

export class Dialplan {
  readonly contexts = new Map<string, DialplanContext>();
  globals: Array<[string, string]> = [];
  general: DialplanGeneral = { static: false, writeprotect: false, autofallthrough: true, clearglobalvars: false };
  warnings: ConfDiagnostic[] = [];
  /** Wall clock used for include time specs. */
  now: () => Date;

  private readonly state = new Map<string, ContextState>();
  /** Context names in order of creation. */
  private readonly creation: string[] = [];

  constructor(options: DialplanOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Building                                                                                   */
  /* ---------------------------------------------------------------------------------------- */

  /** ast_context_find_or_create: a repeated name returns the existing context. */
  context(name: string, registrar: string = PBX_CONFIG_REGISTRAR): DialplanContext {
    const existing = this.contexts.get(name);
    if (existing) return existing;
    const ctx: DialplanContext = { name, extensions: [], includes: [], ignorePats: [], switches: [], registrar };
    this.contexts.set(name, ctx);
    this.state.set(name, {
      ctx,
      byKey: new Map(),
      byRaw: new Map(),
      byPrefix: new Map(),
      literalsAscii: true,
      sorted: null,
      literalBuckets: new Map(),
      literals: [],
      patterns: [],
    });
    this.creation.push(name);
    return ctx;
  }

  /**
   * Contexts in the order `dialplan show` lists them: newest first (pbx_config prepends each
   * new context to its list; the observed Asterisk 20 output lists macro-dialvm, from-internal,
   * default for a file that defines default, from-internal, macro-dialvm).
   */
  contextsInShowOrder(): DialplanContext[] {
    const out: DialplanContext[] = [];
    for (let i = this.creation.length - 1; i >= 0; i--) {
      const c = this.contexts.get(this.creation[i]);
      if (c) out.push(c);
    }
    return out;
  }

  /** The entry of the previous add (files usually list one extension's priorities in a row). */
  private last: { context: string; exten: string; cid: string | null; entry: ExtEntry } | null = null;

  private entryFor(contextName: string, extenName: string, cidMatch: string | null): ExtEntry {
    const last = this.last;
    if (last && last.exten === extenName && last.cid === cidMatch && last.context === contextName) return last.entry;
    const entry = this.entryForSlow(contextName, extenName, cidMatch);
    this.last = { context: contextName, exten: extenName, cid: cidMatch, entry };
    return entry;
  }

  private entryForSlow(contextName: string, extenName: string, cidMatch: string | null): ExtEntry {
    this.context(contextName);
    const st = this.state.get(contextName) as ContextState;
    const name = normalizeExtenName(extenName);
    const rawKey = cidMatch === null ? `${name}\u0000` : `${name}\u0000/${cidMatch}`;
    const known = st.byRaw.get(rawKey);
    if (known) return known;
    const compiled = compileExten(name);
    const cid = cidMatch === null ? null : compileExten(cidMatch);
    const key = `${compiled.key}\u0000${cid ? `C${cid.key}` : 'N'}`;
    let e = st.byKey.get(key);
    if (!e) {
      const ext: DialplanExtension = { name, isPattern: compiled.isPattern, cidMatch, priorities: [], hint: null };
      e = { ext, name: compiled, cid, labels: null };
      st.byKey.set(key, e);
      st.ctx.extensions.push(ext);
      st.sorted = null;
    }
    st.byRaw.set(rawKey, e);
    return e;
  }

  /**
   * Add one priority. Returns null, or a warning: either the priority was refused because the
   * same extension (same name by Asterisk's comparison and same caller-ID match) already has it
   * — the first definition wins — or it was added but its label is already used in the
   * extension (printed, but label lookups resolve to the first priority that carried it).
   */
  addPriority(contextName: string, extenName: string, cidMatch: string | null, p: DialplanPriority): string | null {
    const e = this.entryFor(contextName, extenName, cidMatch);
    const old = priorityOf(e.ext, p.priority);
    if (old) {
      return `extension '${e.ext.name}' priority ${p.priority} in '${contextName}' is already in use (${old.file}:${old.line}); line ignored`;
    }
    let warning: string | null = null;
    let entry = p;
    if (p.label !== null) {
      e.labels ??= new Map();
      const prev = e.labels.get(p.label);
      if (prev) {
        // Asterisk discards a repeated label: the priority is added without it.
        warning = `label '${p.label}' of extension '${e.ext.name}' in '${contextName}' is already used at priority ${prev.priority}; this priority is added without a label`;
        entry = { ...p, label: null };
      } else {
        e.labels.set(p.label, p);
      }
    }
    const list = e.ext.priorities;
    let i = list.length;
    while (i > 0 && list[i - 1].priority > entry.priority) i--;
    list.splice(i, 0, entry);
    // `dialplan show` prints the spelling of the extension's first priority (hint first).
    if (i === 0 && !e.ext.hint) e.ext.name = normalizeExtenName(extenName);
    return warning;
  }

  /** Add a hint (`exten => x,hint,devices[,presence]`); the text after the last comma is the presence provider. */
  addHint(contextName: string, extenName: string, cidMatch: string | null, text: string, file: string, line: number): string | null {
    const e = this.entryFor(contextName, extenName, cidMatch);
    if (e.ext.hint) {
      const h = e.ext.hint;
      return `extension '${e.ext.name}' in '${contextName}' already has a hint (${h.file}:${h.line}); line ignored`;
    }
    const comma = text.lastIndexOf(',');
    const hint: StoredHint = {
      devices: comma >= 0 ? text.slice(0, comma) : text,
      presence: comma >= 0 ? text.slice(comma + 1) : '',
      file,
      line,
      text,
    };
    e.ext.hint = hint;
    e.ext.name = normalizeExtenName(extenName);
    return null;
  }

  /**
   * `include => value` where value is "ctx" or "ctx,times,weekdays,mdays,months[,tz]" (the
   * legacy '|' is accepted with a warning). Returns the warnings (duplicate include, bad time
   * fields, legacy separator).
   */
  addInclude(contextName: string, value: string, file: string, line: number, registrar: string = PBX_CONFIG_REGISTRAR): string[] {
    const ctx = this.context(contextName);
    // Asterisk 1.6+ ends the context name at the first ','. Asterisk 1.4 also accepted '|';
    // herald still does, with a warning, when no ',' comes first.
    const comma = value.indexOf(',');
    const pipe = value.indexOf('|');
    const legacyPipe = pipe >= 0 && (comma < 0 || pipe < comma);
    const sep = legacyPipe ? pipe : comma;
    const target = (sep >= 0 ? value.slice(0, sep) : value).trim();
    const rawTime = sep >= 0 ? value.slice(sep + 1) : '';
    if (ctx.includes.some((i) => (i as StoredInclude).fullName === value)) {
      return [`context '${contextName}' already includes '${value}'; line ignored`];
    }
    const warnings: string[] = [];
    if (legacyPipe) warnings.push(`include '${value}': old '|' separator read as ','; Asterisk 1.6+ would look for a context named '${value}'`);
    let time: CompiledTimeSpec | null = null;
    if (sep >= 0) {
      time = compileTimeSpec(splitTimeSpec(rawTime));
      for (const w of time.warnings) warnings.push(`include '${value}': ${w}`);
    }
    const inc: StoredInclude = { context: target, timeSpec: sep >= 0 ? { raw: rawTime } : null, file, line, fullName: value, registrar, time };
    ctx.includes.push(inc);
    return warnings;
  }

  addIgnorePat(contextName: string, pattern: string): string | null {
    const ctx = this.context(contextName);
    if (ctx.ignorePats.includes(pattern)) return `ignore pattern '${pattern}' is already in context '${contextName}'; line ignored`;
    ctx.ignorePats.push(pattern);
    return null;
  }

  addSwitch(contextName: string, text: string): void {
    this.context(contextName).switches.push(text);
  }

  /** Sort every context now (lookups also do it lazily). */
  seal(): this {
    for (const st of this.state.values()) this.index(st);
    return this;
  }

  private index(st: ContextState): ContextState {
    if (st.sorted) return st;
    const sorted = [...st.byKey.values()].sort(extEntryCmp);
    st.sorted = sorted;
    st.ctx.extensions.length = 0;
    st.literalBuckets = new Map();
    st.literals = [];
    st.patterns = [];
    st.byPrefix = new Map();
    st.literalsAscii = sorted.every((e) => e.name.isPattern || !/[^\x00-\x7f]/.test(e.name.literal));
    for (const e of sorted) {
      st.ctx.extensions.push(e.ext);
      if (e.name.isPattern) {
        st.patterns.push(e);
      } else {
        st.literals.push(e);
        const b = st.literalBuckets.get(e.name.literal);
        if (b) b.push(e);
        else st.literalBuckets.set(e.name.literal, [e]);
      }
    }
    return st;
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Lookup                                                                                     */
  /* ---------------------------------------------------------------------------------------- */

  private cidMatches(e: ExtEntry, callerId: string): boolean {
    if (!e.cid) return true;
    // An empty CID match stands for "no caller ID"; with no caller ID only it matches.
    if (callerId === '') return e.cid.source === '';
    return matchCompiled(e.cid, callerId, 'match') !== 0;
  }

  private search(contextName: string, data: string, callerId: string, mode: MatchMode, want: Want, ls: LookupState, date: Date | null): Hit | null {
    // Asterisk keeps one stack of the contexts searched in this lookup (never popped): at most
    // 512 of them, and a name already on it (compared ignoring case) is not searched again.
    if (ls.visited.size >= MAX_CONTEXTS_PER_LOOKUP) return null;
    const visitKey = contextName.toLowerCase();
    if (ls.visited.has(visitKey)) return null;
    const raw = this.state.get(contextName);
    if (!raw) return null;
    ls.visited.add(visitKey);
    const st = this.index(raw);

    const consider = (e: ExtEntry): Hit | null | 'final' => {
      const r = matchCompiled(e.name, data, mode);
      if (r === 0 || !this.cidMatches(e, callerId)) return null;
      // An extension ending in '!' reached by a MATCHMORE lookup: the answer is a final no.
      if (r === 2 && mode === 'matchmore') return 'final';
      if (want === null) return { context: st.ctx, entry: e, priority: null };
      const p = 'priority' in want ? priorityOf(e.ext, want.priority) : e.labels?.get(want.label);
      return p ? { context: st.ctx, entry: e, priority: p } : null;
    };

    const walk = (list: readonly ExtEntry[], from: number, prefix: string | null): Hit | null | 'final' => {
      for (let i = from; i < list.length; i++) {
        const e = list[i];
        if (prefix !== null && !e.name.literal.startsWith(prefix)) break;
        const h = consider(e);
        if (h) return h;
      }
      return null;
    };

    let found: Hit | null | 'final' = null;
    if (mode === 'match') {
      const bucket = st.literalBuckets.get(stripDashes(data));
      if (bucket) found = walk(bucket, 0, null);
    } else if (st.literalsAscii) {
      // Literals that can still match are those starting with the dialed digits: one range.
      const d = stripDashes(data);
      found = walk(st.literals, lowerBound(st.literals, d), d);
    } else {
      found = walk(st.literals, 0, null);
    }
    if (!found) found = walk(this.patternCandidates(st, data, mode), 0, null);
    if (found === 'final') {
      ls.final = true;
      return null;
    }
    if (found) return found;

    for (const inc of st.ctx.includes as StoredInclude[]) {
      if (inc.time) {
        const when = date ?? this.now();
        if (!matchTimeSpec(inc.time, when)) continue;
      }
      const h = this.search(inc.context, data, callerId, mode, want, ls, date);
      if (h || ls.final) return h;
    }
    return null;
  }

  /** Patterns worth testing for this dialed string, in sort order (indexed by its first two bytes). */
  private patternCandidates(st: ContextState, data: string, mode: MatchMode): readonly ExtEntry[] {
    // A pattern-as-data lookup ("_X." looking up its own label) needs them all.
    if (mode === 'match' && data.charCodeAt(0) === 0x5f) return st.patterns;
    const d = stripDashes(data);
    if (d.length === 0) return st.patterns;
    const key = d.slice(0, PREFIX_INDEX_LENGTH);
    let list = st.byPrefix.get(key);
    if (!list) {
      const shorter = key.length > 1 ? this.patternCandidates(st, key.slice(0, -1), 'canmatch') : st.patterns;
      list = shorter.filter((e) => mayStartWith(e.name, key));
      // Bounded: arbitrary dialed strings must not grow the index without limit.
      if (st.byPrefix.size >= PREFIX_INDEX_MAX) st.byPrefix.clear();
      st.byPrefix.set(key, list);
    }
    return list;
  }

  private lookup(context: string, exten: string, callerId: string | null, mode: MatchMode, want: Want): Hit | null {
    const ls: LookupState = { visited: new Set(), final: false };
    return this.search(context, toByteString(exten), toByteString(callerId ?? ''), mode, want, ls, null);
  }

  /** The first extension (in lookup order) matching exten and the caller ID, whatever its priorities. */
  findExtension(context: string, exten: string, callerId: string | null): FoundExtension | null {
    const h = this.lookup(context, exten, callerId, 'match', null);
    return h ? { context: h.context, extension: h.entry.ext } : null;
  }

  /** The first extension in lookup order that matches AND has this priority (Asterisk's rule). */
  findPriority(context: string, exten: string, priority: number, callerId: string | null): FoundPriority | null {
    const h = this.lookup(context, exten, callerId, 'match', { priority });
    return h && h.priority ? { context: h.context, extension: h.entry.ext, priority: h.priority } : null;
  }

  /** Like findPriority, for a label (case-sensitive). */
  findLabel(context: string, exten: string, label: string, callerId: string | null): FoundPriority | null {
    const h = this.lookup(context, exten, callerId, 'match', { label });
    return h && h.priority ? { context: h.context, extension: h.entry.ext, priority: h.priority } : null;
  }

  /** ast_exists_extension(…, priority 1, …). */
  exists(context: string, exten: string, callerId: string | null): boolean {
    return this.lookup(context, exten, callerId, 'match', { priority: 1 }) !== null;
  }

  /** ast_canmatch_extension(…, priority 1, …): matches now or could with more digits. */
  canMatch(context: string, exten: string, callerId: string | null): boolean {
    return this.lookup(context, exten, callerId, 'canmatch', { priority: 1 }) !== null;
  }

  /** ast_matchmore_extension(…, priority 1, …): more digits could still match. */
  matchMore(context: string, exten: string, callerId: string | null): boolean {
    return this.lookup(context, exten, callerId, 'matchmore', { priority: 1 }) !== null;
  }

  /** Every hint, contexts in file order, extensions in sort order. */
  hints(): HintEntry[] {
    const out: HintEntry[] = [];
    for (const name of this.creation) {
      const st = this.state.get(name);
      if (!st) continue;
      for (const e of this.index(st).sorted ?? []) {
        if (e.ext.hint) out.push({ context: name, exten: e.ext.name, hint: e.ext.hint });
      }
    }
    return out;
  }

  /** The hint text as written (devices and presence joined as in the file). */
  static hintText(h: DialplanHint): string {
    return 'text' in h && typeof (h as StoredHint).text === 'string' ? (h as StoredHint).text : h.presence ? `${h.devices},${h.presence}` : h.devices;
  }

  /** Extensions, priorities (hints count as one, as `dialplan show` counts them) and contexts. */
  counts(): { extensions: number; priorities: number; contexts: number } {
    this.seal();
    let extensions = 0;
    let priorities = 0;
    for (const ctx of this.contexts.values()) {
      for (const e of ctx.extensions) {
        extensions++;
        priorities += e.priorities.length + (e.hint ? 1 : 0);
      }
    }
    return { extensions, priorities, contexts: this.contexts.size };
  }
}
