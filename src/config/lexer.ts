/**
 * The one lexer for every Asterisk-style .conf file (sip.conf, extensions.conf, jabber.conf,
 * herald.conf …). It follows Asterisk's main/config.c rules as summarised in
 * reference/asterisk-dialplan-xmpp.md §1.1 and §7; typed loaders read the ConfDocument.
 *
 * Deliberate differences from Asterisk, all on the side of refusing or warning rather than
 * misreading a file:
 *  (a line that is neither comment, section, directive nor `key = value` is skipped with a
 *  warning naming file:line, as Asterisk does, so one bad line does not stop the rest loading)
 *  - a stray `--;` outside a block comment acts as a plain `;` comment (Asterisk would drive
 *    its nesting counter negative and silently drop the rest of the file);
 *  - `#exec` is never run (herald runs no shell commands): it is reported as a warning;
 *  - include loops are reported as such instead of running into the depth limit;
 *  - white space around the words inside `[name](a, b)` is ignored.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import {
  ConfError,
  type ConfDiagnostic,
  type ConfDocument,
  type ConfEntry,
  type ConfSection,
} from './types.js';
import { expandGlob, hasGlobMagic, type ListDir } from './glob.js';

export interface ParseOptions {
  /** Where relative `#include` paths resolve (Asterisk: its config directory). Default: the directory of the top-level file. */
  baseDir?: string;
  /** Read a file (tests); throws an error with code ENOENT when it does not exist. Default: fs.readFileSync utf8. */
  readFile?: (path: string) => string;
  /** List a directory for `#include` globs (tests). Default: fs.readdirSync. */
  listDir?: ListDir;
}

/** Asterisk's MAX_INCLUDE_LEVEL. */
export const MAX_INCLUDE_LEVEL = 10;
/** Asterisk's MAX_NESTED_COMMENTS. */
export const MAX_NESTED_COMMENTS = 128;
/** Asterisk reads lines into an 8192-byte buffer: a line of 8191 bytes or more is skipped. */
export const MAX_LINE_BYTES = 8191;

const defaultReadFile = (p: string): string => readFileSync(p, 'utf8');

/** Asterisk's ast_strip(): drop every byte below 33 (blanks and control characters) at both ends. */
export function confStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) < 33) start++;
  while (end > start && s.charCodeAt(end - 1) < 33) end--;
  return s.slice(start, end);
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

function isMissing(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** Block-comment state of one file while its lines are read. */
interface CommentState {
  /** Line numbers where the currently open `;--` blocks started (innermost last). */
  open: number[];
}

/**
 * Remove comments from one line, as Asterisk does: `;` ends the line unless escaped as `\;`
 * (the backslash is dropped); `;--` (not `;---`) opens a block that nests and `--;` closes it;
 * text after a closing `--;` on the same line is kept. Returns the text to process, or null
 * when the whole line is inside a block comment.
 */
function stripComments(
  raw: string,
  lineNo: number,
  state: CommentState,
  warn: (line: number, message: string) => void,
): string | null {
  let line = raw;
  let out: string | null = state.open.length > 0 ? null : '';
  let segStart = state.open.length > 0 ? -1 : 0;
  let scan = 0;
  for (;;) {
    const p = line.indexOf(';', scan);
    if (p < 0) break;
    if (p > scan && line[p - 1] === '\\') {
      // "\;" is a literal semicolon: drop the backslash and keep scanning after the ';'.
      line = line.slice(0, p - 1) + line.slice(p);
      scan = p;
    } else if (line[p + 1] === '-' && line[p + 2] === '-' && line[p + 3] !== '-') {
      // ";--" opens a (nestable) block comment; ";---" does not.
      if (segStart >= 0) {
        out = (out ?? '') + line.slice(segStart, p);
        segStart = -1;
      }
      if (state.open.length < MAX_NESTED_COMMENTS) state.open.push(lineNo);
      else warn(lineNo, `Maximum nest limit of ${MAX_NESTED_COMMENTS} reached`);
      scan = p + 3;
    } else if (p >= scan + 2 && line[p - 1] === '-' && line[p - 2] === '-' && state.open.length > 0) {
      // "--;" closes the innermost block; what follows on the line is live again.
      state.open.pop();
      scan = p + 1;
      if (state.open.length === 0) {
        if (out === null) out = '';
        segStart = p + 1;
      }
    } else if (state.open.length === 0) {
      // A plain ';' outside a block: the rest of the line is a comment.
      out = (out ?? '') + line.slice(segStart, p);
      segStart = -1;
      break;
    } else {
      scan = p + 1;
    }
  }
  if (segStart >= 0) out = (out ?? '') + line.slice(segStart);
  return out;
}

/** Everything one load shares across the included files. */
interface LoadContext {
  baseDir: string;
  readFile: (path: string) => string;
  listDir: ListDir | undefined;
  sections: ConfSection[];
  files: string[];
  warnings: ConfDiagnostic[];
}

/** Asterisk matches section names case-insensitively when looking up a base or a `+` target. */
function findSection(ctx: LoadContext, name: string, filter?: string): ConfSection | undefined {
  const lower = name.toLowerCase();
  return ctx.sections.find((s) => s.name.toLowerCase() === lower && matchesFilter(s, filter));
}

/** `[x](+name=value&name2=value2)`: the existing section must carry those values. */
function matchesFilter(section: ConfSection, filter: string | undefined): boolean {
  if (filter === undefined || filter === '') return true;
  return filter.split('&').every((cond) => {
    const eq = cond.indexOf('=');
    if (eq < 0) return false;
    const key = confStrip(cond.slice(0, eq)).toLowerCase();
    const value = confStrip(cond.slice(eq + 1));
    return section.entries.some((e) => e.key.toLowerCase() === key && e.value === value);
  });
}

class FileParser {
  private current: ConfSection | undefined;
  private readonly comments: CommentState = { open: [] };

  constructor(
    private readonly ctx: LoadContext,
    private readonly file: string,
    /** Files being read, outermost first (include loop detection). */
    private readonly stack: string[],
    start: ConfSection | undefined,
  ) {
    this.current = start;
  }

  private warn(line: number, message: string): void {
    this.ctx.warnings.push({ file: this.file, line, message });
  }

  parse(text: string): void {
    const lines = text.split('\n');
    // Each file ends with a newline or not; a trailing empty piece is not a line.
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    lines.forEach((rawLine, index) => {
      const lineNo = index + 1;
      let raw = rawLine;
      if (lineNo === 1 && raw.startsWith('\uFEFF')) raw = raw.slice(1);
      if (Buffer.byteLength(raw, 'utf8') >= MAX_LINE_BYTES) {
        this.warn(lineNo, `Line ${lineNo} too long, skipping. It begins with: ${raw.slice(0, 32)}`);
        return;
      }
      const live = stripComments(raw, lineNo, this.comments, (l, m) => this.warn(l, m));
      if (live === null) return;
      const stripped = confStrip(live);
      if (stripped === '') return;
      this.processLine(stripped, lineNo);
    });
    if (this.comments.open.length > 0) {
      const started = this.comments.open[this.comments.open.length - 1]!;
      this.warn(started, `Unterminated comment detected beginning on line ${started}`);
    }
  }

  /** The current section after this file ended (Asterisk keeps it for the rest of the includer). */
  get section(): ConfSection | undefined {
    return this.current;
  }

  private processLine(line: string, lineNo: number): void {
    if (line.startsWith('[')) this.sectionHeader(line, lineNo);
    else if (line.startsWith('#')) this.directive(line, lineNo);
    else this.keyValue(line, lineNo);
  }

  /** `[name]`, optionally followed at once by `(opt,opt…)`: `!` template, `+` append, else a base to inherit. */
  private sectionHeader(line: string, lineNo: number): void {
    const close = line.indexOf(']');
    if (close < 0) throw new ConfError(this.file, lineNo, "parse error: no closing ']'");
    const name = line.slice(1, close);
    let section: ConfSection = {
      name,
      isTemplate: false,
      templates: [],
      entries: [],
      file: this.file,
      line: lineNo,
    };
    let appendTo: ConfSection | undefined;
    if (line[close + 1] === '(') {
      const end = line.indexOf(')', close + 2);
      if (end < 0) throw new ConfError(this.file, lineNo, "parse error: no closing ')'");
      const options = line.slice(close + 2, end).split(',').map(confStrip).filter((o) => o !== '');
      for (const opt of options) {
        if (opt === '!') {
          section.isTemplate = true;
        } else if (opt.startsWith('+')) {
          const target = findSection(this.ctx, name, opt.slice(1));
          if (!target) {
            throw new ConfError(this.file, lineNo, `Category addition requested, but category '${name}' does not exist`);
          }
          // Entries already inherited by this header move over to the existing section.
          target.isTemplate ||= section.isTemplate;
          target.entries.push(...section.entries);
          target.templates.push(...section.templates);
          section = target;
          appendTo = target;
        } else {
          const base = findSection(this.ctx, opt);
          if (!base) {
            throw new ConfError(this.file, lineNo, `Inheritance requested, but category '${opt}' does not exist`);
          }
          section.templates.push(opt);
          for (const e of base.entries) section.entries.push({ ...e, inherited: true });
        }
      }
    }
    if (!appendTo) this.ctx.sections.push(section);
    this.current = section;
  }

  /** `#include`, `#tryinclude`, `#exec`; anything else is warned about and ignored. */
  private directive(line: string, lineNo: number): void {
    const m = /^#(\S*)\s*(.*)$/s.exec(line);
    const word = (m?.[1] ?? '').toLowerCase();
    let arg = confStrip(m?.[2] ?? '');
    if (word !== 'include' && word !== 'tryinclude' && word !== 'exec') {
      this.warn(lineNo, `Unknown directive '#${m?.[1] ?? ''}'`);
      return;
    }
    if (arg === '') {
      this.warn(lineNo, `Directive '#${word}' needs an argument`);
      return;
    }
    if (word === 'exec') {
      this.warn(lineNo, `#exec ${arg} ignored: herald does not run shell commands`);
      return;
    }
    // The argument may be wrapped in "..." or <...>.
    const first = arg[0];
    const closing = first === '"' ? '"' : first === '<' ? '>' : undefined;
    if (closing && arg.length > 1 && arg.endsWith(closing)) arg = arg.slice(1, -1);
    this.include(arg, lineNo, word === 'tryinclude');
  }

  private include(arg: string, lineNo: number, optional: boolean): void {
    if (this.stack.length >= MAX_INCLUDE_LEVEL) {
      throw new ConfError(this.file, lineNo, `Maximum include level (${MAX_INCLUDE_LEVEL}) exceeded by '${arg}'`);
    }
    const target = isAbsolute(arg) ? arg : resolve(this.ctx.baseDir, arg);
    const paths = hasGlobMagic(target) ? expandGlob(target, this.ctx.listDir) : [target];
    let loaded = 0;
    for (const path of paths) {
      const cycleAt = this.stack.indexOf(path);
      if (cycleAt >= 0) {
        const chain = [...this.stack.slice(cycleAt), path].join(' -> ');
        throw new ConfError(this.file, lineNo, `#include loop: ${chain}`);
      }
      let text: string;
      try {
        text = this.ctx.readFile(path);
      } catch (err) {
        if (isMissing(err)) continue;
        if (errorCode(err) === 'EISDIR') {
          this.warn(lineNo, `'${path}' is a directory, ignoring`);
          continue;
        }
        throw new ConfError(this.file, lineNo, `cannot read '${path}': ${err instanceof Error ? err.message : String(err)}`);
      }
      loaded++;
      if (!this.ctx.files.includes(path)) this.ctx.files.push(path);
      // Asterisk: an included file starts in the includer's current section; the includer
      // then carries on in its own section.
      const child = new FileParser(this.ctx, path, [...this.stack, path], this.current);
      child.parse(text);
    }
    if (loaded === 0 && !optional) {
      throw new ConfError(this.file, lineNo, `The file '${arg}' was listed as a #include but it does not exist.`);
    }
  }

  /** `key = value`, `key => value`, `key += value` (appends to the last `key` of the section). */
  private keyValue(line: string, lineNo: number): void {
    if (!this.current) throw new ConfError(this.file, lineNo, 'parse error: No category context for line');
    // "A line starting with \ escapes its first character" (so a key may start with '[' or '#').
    let cur = line;
    const escaped = cur.startsWith('\\');
    if (escaped) {
      cur = cur.slice(1);
      if (cur === '' || cur.charCodeAt(0) < 33) throw new ConfError(this.file, lineNo, 'Invalid escape');
    }
    const eq = cur.indexOf('=', escaped ? 1 : 0);
    if (eq < 0) {
      this.warn(lineNo, `No '=' (equal sign) in line: not a section, directive or key = value: ${line.slice(0, 60)}`);
      return;
    }
    const section = this.current;
    if (eq > (escaped ? 1 : 0) && cur[eq - 1] === '+') {
      const key = confStrip(cur.slice(0, eq - 1));
      // The appended text keeps its leading blanks: "a = x" then "a += y" gives "x y".
      const tail = cur.slice(eq + 1);
      let lastIndex = -1;
      section.entries.forEach((e, i) => {
        if (e.key === key) lastIndex = i;
      });
      if (lastIndex >= 0) {
        const prev = section.entries[lastIndex]!;
        section.entries[lastIndex] = { ...prev, value: confStrip(prev.value + tail), inherited: false };
        return;
      }
      this.addEntry(section, key, confStrip(tail), '+=', lineNo);
      return;
    }
    let valueStart = eq + 1;
    let op: '=' | '=>' = '=';
    if (cur[valueStart] === '>') {
      op = '=>';
      valueStart++;
    }
    this.addEntry(section, confStrip(cur.slice(0, eq)), confStrip(cur.slice(valueStart)), op, lineNo);
  }

  private addEntry(section: ConfSection, key: string, value: string, op: ConfEntry['op'], lineNo: number): void {
    if (key === '') {
      this.warn(lineNo, 'No variable name in line');
      return;
    }
    section.entries.push({ key, value, op, file: this.file, line: lineNo, inherited: false });
  }
}

/** Parse config text that came from `file` (used in messages and as the default include base). */
export function parseConfText(text: string, file: string, opts: ParseOptions = {}): ConfDocument {
  const ctx: LoadContext = {
    baseDir: resolve(opts.baseDir ?? dirname(file)),
    readFile: opts.readFile ?? defaultReadFile,
    listDir: opts.listDir,
    sections: [],
    files: [file],
    warnings: [],
  };
  new FileParser(ctx, file, [resolve(file)], undefined).parse(text);
  return { file, files: ctx.files, sections: ctx.sections, warnings: ctx.warnings };
}

/** Read and parse a .conf file; a missing or unreadable file is a ConfError at line 0. */
export function loadConfFile(path: string, opts: ParseOptions = {}): ConfDocument {
  const read = opts.readFile ?? defaultReadFile;
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    const why = isMissing(err) ? 'file not found' : err instanceof Error ? err.message : String(err);
    throw new ConfError(path, 0, `cannot load ${path}: ${why}`);
  }
  return parseConfText(text, path, { ...opts, baseDir: opts.baseDir ?? dirname(resolve(path)) });
}
