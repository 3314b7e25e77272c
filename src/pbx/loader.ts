/**
 * extensions.conf → Dialplan, as Asterisk's pbx_config does it (reference:
 * asterisk-dialplan-xmpp.md §1.2, §1.5, §1.6, §7; decisions in docs/dialplan-decisions.md).
 *
 * A bad line never stops the load: it becomes a warning with file:line and is skipped, the
 * rest loads. Only the lexer's ConfError (a file that cannot be read at all) propagates, so the
 * caller keeps its previous dialplan.
 */
import { loadConfFile, type ParseOptions } from '../config/lexer.js';
import { confTrue, type ConfDiagnostic, type ConfDocument, type ConfEntry, type ConfSection } from '../config/types.js';
import { Dialplan, type DialplanOptions } from './dialplan.js';

export type LoadOptions = DialplanOptions;

/** pbx_strsep: split at the first `delim` outside '[...]'; a backslash protects the next character (and stays). */
export function splitOutsideBrackets(s: string, delim: string): [string, string | null] {
  let square = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '[') square++;
    else if (c === ']') {
      if (square) square--;
    } else if (c === '\\') i++;
    else if (c === delim && !square) return [s.slice(0, i), s.slice(i + 1)];
  }
  return [s, null];
}

/** ast_shrink_phone_number for a caller-ID match: drop '(', ')', spaces, '-' outside '[...]', '.' unless last. */
export function shrinkPhoneNumber(n: string): string {
  let out = '';
  let bracketed = 0;
  for (let i = 0; i < n.length; i++) {
    const c = n[i];
    if (c === '[') {
      bracketed++;
      out += c;
    } else if (c === ']') {
      bracketed--;
      out += c;
    } else if (c === '-') {
      if (bracketed > 0) out += c;
    } else if (c === '.') {
      if (i === n.length - 1) out += c;
    } else if (c !== '(' && c !== ')' && c !== ' ') {
      out += c;
    }
  }
  return out;
}

/** The application field: `App(data)` (data up to the LAST ')'), `App` alone, or kept whole when `${`/`$[` comes before '('. */
export function parseApplication(field: string): { app: string; data: string; missingParen: boolean } {
  const open = field.indexOf('(');
  if (open < 0) return { app: field.trimStart(), data: '', missingParen: false };
  const name = field.slice(0, open);
  if (name.includes('${') || name.includes('$[')) return { app: field.trimStart(), data: '', missingParen: false };
  const rest = field.slice(open + 1);
  const close = rest.lastIndexOf(')');
  if (close < 0) return { app: name.trimStart(), data: rest, missingParen: true };
  return { app: name.trimStart(), data: rest.slice(0, close), missingParen: false };
}

/** C's sscanf("%d"): optional blanks and sign, then digits; trailing text ignored. */
function scanInt(s: string): number | null {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1], 10) : null;
}

/** Minimal load-time substitution: `${NAME}` from [globals] (unknown → empty, as Asterisk). */
function substituteGlobals(text: string, globals: Map<string, string>): { text: string; unresolved: boolean } {
  if (!text.includes('${')) return { text, unresolved: false };
  let unresolved = false;
  const out = text.replace(/\$\{([^{}]*)\}/g, (whole, name: string) => {
    if (/^[A-Za-z0-9_]+$/.test(name)) return globals.get(name) ?? '';
    unresolved = true;
    return whole;
  });
  return { text: out, unresolved };
}

function isSection(s: ConfSection, name: string): boolean {
  return s.name.toLowerCase() === name;
}

interface SectionState {
  context: string;
  /** Raw extension field (with any '/cid') of the last `exten` line, for `same`. */
  lastExtension: string;
  /** Priority of the last accepted line; -2 = none yet (pbx_config's start value), -1 = a hint. */
  lastPriority: number;
}

class DialplanLoader {
  readonly dp: Dialplan;
  private readonly warnings: ConfDiagnostic[] = [];
  private readonly globals = new Map<string, string>();

  constructor(private readonly doc: ConfDocument, options: LoadOptions) {
    this.dp = new Dialplan(options);
  }

  private warn(where: { file: string; line: number }, message: string): void {
    this.warnings.push({ file: where.file, line: where.line, message });
  }

  load(): Dialplan {
    const real = this.doc.sections.filter((s) => !s.isTemplate);
    this.loadGeneral(real.filter((s) => isSection(s, 'general')));
    for (const s of real.filter((x) => isSection(x, 'globals'))) {
      for (const e of s.entries) {
        this.dp.globals.push([e.key, e.value]);
        this.globals.set(e.key, substituteGlobals(e.value, this.globals).text);
      }
    }
    for (const s of real) {
      if (isSection(s, 'general') || isSection(s, 'globals')) continue;
      this.loadContext(s);
    }
    this.verifyIncludes();
    this.dp.seal();
    this.dp.warnings = [...this.doc.warnings, ...this.warnings];
    return this.dp;
  }

  private loadGeneral(sections: ConfSection[]): void {
    // ast_variable_retrieve: the first value found for a key wins.
    const first = new Map<string, ConfEntry>();
    for (const s of sections) for (const e of s.entries) if (!first.has(e.key.toLowerCase())) first.set(e.key.toLowerCase(), e);
    const g = this.dp.general;
    g.static = confTrue(first.get('static')?.value);
    g.writeprotect = confTrue(first.get('writeprotect')?.value);
    g.clearglobalvars = confTrue(first.get('clearglobalvars')?.value);
    const af = first.get('autofallthrough');
    if (af) g.autofallthrough = confTrue(af.value);
    const os = first.get('overrideswitch');
    if (os && os.value !== '') this.warn(os, `overrideswitch '${os.value}' is not supported by herald and is ignored`);
  }

  private loadContext(section: ConfSection): void {
    this.dp.context(section.name);
    // pbx_config resets the `same`/`n` tracking at the start of each section.
    const st: SectionState = { context: section.name, lastExtension: '', lastPriority: -2 };
    for (const e of section.entries) {
      const key = e.key.toLowerCase();
      if (key === 'exten') this.extenLine(st, e, e.value, null);
      else if (key.startsWith('same')) this.sameLine(st, e);
      else if (key === 'include') this.includeLine(st, e);
      else if (key === 'ignorepat') {
        const w = this.dp.addIgnorePat(st.context, substituteGlobals(e.value, this.globals).text);
        if (w) this.warn(e, w);
      } else if (key === 'switch' || key === 'lswitch' || key === 'eswitch') {
        const text = key === 'switch' ? substituteGlobals(e.value, this.globals).text : e.value;
        this.dp.addSwitch(st.context, text);
        this.warn(e, `${e.key} '${e.value}' in context '${st.context}' is kept but not supported: herald never consults switches`);
      } else if (key === 'autohints') {
        this.warn(e, `autohints in context '${st.context}' is not supported by herald and is ignored`);
      } else {
        this.warn(e, `unknown directive '${e.key}' in context '${st.context}'; line ignored`);
      }
    }
  }

  private sameLine(st: SectionState, e: ConfEntry): void {
    if (st.lastExtension === '') {
      this.warn(e, `'same' before any 'exten' in context '${st.context}'; line ignored`);
      return;
    }
    this.extenLine(st, e, e.value, st.lastExtension);
  }

  /** `exten => ext[/cid],prio,app` (or, for `same`, `prio,app` with the remembered ext). */
  private extenLine(st: SectionState, e: ConfEntry, value: string, sameExt: string | null): void {
    let extField: string;
    let rest: string | null;
    if (sameExt === null) {
      [extField, rest] = splitOutsideBrackets(value, ',');
      st.lastExtension = extField;
    } else {
      extField = sameExt;
      rest = value;
    }
    const comma = rest === null ? -1 : rest.indexOf(',');
    const priField = rest === null ? '' : comma >= 0 ? rest.slice(0, comma) : rest;
    const appField = rest === null || comma < 0 ? '' : rest.slice(comma + 1);

    // Extension and caller-ID match: globals are substituted in the whole field, then the
    // caller-ID part is split off at the first '/'.
    const sub = substituteGlobals(extField, this.globals);
    if (sub.unresolved) this.warn(e, `extension '${extField}': only \${NAME} of [globals] is substituted at load; the rest is kept as written`);
    let cid: string | null = null;
    let ext = sub.text;
    const slash = ext.indexOf('/');
    if (slash >= 0) {
      cid = shrinkPhoneNumber(ext.slice(slash + 1));
      ext = ext.slice(0, slash);
    }
    if (ext.trim() === '') {
      this.warn(e, `empty extension name in context '${st.context}'; line ignored`);
      return;
    }

    // Priority field: name(label), then +N, then hint | n/next | s/same | number | label.
    let pri = priField.trim();
    let label: string | null = null;
    const open = pri.indexOf('(');
    if (open >= 0) {
      const close = pri.indexOf(')', open + 1);
      if (close < 0) {
        this.warn(e, `label in priority '${priField.trim()}' has no closing ')'; line ignored`);
        return;
      }
      label = pri.slice(open + 1, close);
      pri = pri.slice(0, open);
    }
    let plus: string | null = null;
    const plusAt = pri.indexOf('+');
    if (plusAt >= 0) {
      plus = pri.slice(plusAt + 1);
      pri = pri.slice(0, plusAt);
    }

    let priority: number;
    if (pri === 'hint') {
      if (plus !== null) {
        this.warn(e, `'hint+${plus}' is not a valid priority; line ignored`);
        return;
      }
      this.addHint(st, e, ext, cid, appField);
      return;
    } else if (pri === 'n' || pri === 'next' || pri === 's' || pri === 'same') {
      if (st.lastPriority === -2) {
        this.warn(e, `'${pri}' priority cannot be used on the first line of a context section; line ignored`);
        return;
      }
      priority = pri === 'n' || pri === 'next' ? st.lastPriority + 1 : st.lastPriority;
      if (priority < 1) {
        // After a hint the previous priority is -1, so Asterisk computes 0 and drops the line silently.
        this.warn(e, `'${pri}' after a hint line gives priority ${priority}; line ignored (use a number)`);
        return;
      }
    } else {
      const n = scanInt(pri);
      if (n === null) {
        const found = pri === '' ? null : this.dp.findLabel(st.context, ext, pri, cid);
        if (!found) {
          this.warn(e, `invalid priority or unknown label '${pri}'; line ignored`);
          return;
        }
        priority = found.priority.priority;
      } else if (n < 1) {
        this.warn(e, `invalid priority '${pri}' (priorities start at 1); line ignored`);
        return;
      } else {
        priority = n;
      }
    }
    if (plus !== null) priority += scanInt(plus) ?? 0;
    st.lastPriority = priority;
    if (ext === '_.' || ext === '_!') {
      this.warn(e, `extension '${ext}' matches everything, including the special extensions (h, i, t …); '_X${ext[1]}' is usually meant`);
    }
    if (priority < 1) {
      this.warn(e, `priority ${priority} is not valid; line ignored`);
      return;
    }

    let app = parseApplication(appField);
    if (app.missingParen) this.warn(e, `no closing parenthesis in '${appField}'; the data runs to the end of the line`);
    const legacy = app.data === '' ? /^([^,]+),(.*)$/s.exec(app.app) : null;
    if (legacy && !appField.includes('(')) {
      // Asterisk 1.4 accepted `App,arg1,arg2`; 1.6+ would look for an application named "App,arg1,arg2".
      app = { app: legacy[1], data: legacy[2], missingParen: false };
      this.warn(e, `old 'App,args' form: read as ${app.app}(${app.data})`);
    }
    if (app.app.trim() === '') this.warn(e, `priority ${priority} of extension '${ext}' has no application (it does nothing when reached)`);
    const w = this.dp.addPriority(st.context, ext, cid, { priority, label: label === '' ? null : label, app: app.app, appData: app.data, file: e.file, line: e.line });
    if (w) this.warn(e, w);
  }

  private addHint(st: SectionState, e: ConfEntry, ext: string, cid: string | null, appField: string): void {
    st.lastPriority = -1;
    // The hint goes through the same application-field parsing: text from '(' on is cut off.
    const app = parseApplication(appField);
    if (app.data !== '' || app.missingParen) this.warn(e, `hint '${appField}' contains '(': only '${app.app}' is kept, as Asterisk does`);
    const w = this.dp.addHint(st.context, ext, cid, app.app, e.file, e.line);
    if (w) this.warn(e, w);
  }

  private includeLine(st: SectionState, e: ConfEntry): void {
    const value = substituteGlobals(e.value, this.globals).text;
    if (value.trim() === '') {
      this.warn(e, `empty include in context '${st.context}'; line ignored`);
      return;
    }
    for (const w of this.dp.addInclude(st.context, value, e.file, e.line)) this.warn(e, w);
  }

  private verifyIncludes(): void {
    for (const ctx of this.dp.contexts.values()) {
      for (const inc of ctx.includes) {
        if (!this.dp.contexts.has(inc.context)) {
          this.warn(inc, `context '${ctx.name}' includes '${inc.context}', which does not exist (kept; lookups skip it)`);
        }
      }
    }
  }
}

/** Build the dialplan from a parsed extensions.conf. Never throws for bad lines. */
export function loadDialplan(doc: ConfDocument, options: LoadOptions = {}): Dialplan {
  return new DialplanLoader(doc, options).load();
}

/** Read extensions.conf with the lexer and load it. A ConfError from the lexer propagates. */
export function loadDialplanFile(
  path: string,
  options: LoadOptions & { parse?: ParseOptions } = {},
): { dialplan: Dialplan; warnings: ConfDiagnostic[] } {
  const doc = loadConfFile(path, options.parse ?? {});
  const dialplan = loadDialplan(doc, options);
  return { dialplan, warnings: dialplan.warnings };
}
