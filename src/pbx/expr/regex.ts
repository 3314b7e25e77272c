/**
 * POSIX extended regular expressions (regcomp with REG_EXTENDED, no REG_NEWLINE) on top of JS
 * RegExp, for the `:` and `=~` operators.
 *
 * Translation: bracket expressions are rebuilt (a backslash is literal inside them, `]` first is
 * literal, `[:digit:]`-style classes expand to ASCII sets); outside brackets `\(` `\)` `\{` `\.`
 * etc. are literals, glibc's `\w \W \s \S \b \B \< \> \` \'` and back-references keep their
 * meaning; `{` that does not start a valid interval is literal; stacked quantifiers (`a*?`) mean
 * "quantify again" in POSIX, not "lazy", so they are wrapped in a group. `.` also matches a
 * newline (flag `s`).
 *
 * Matching: POSIX wants the leftmost-longest match, JS gives the leftmost-first one. They differ
 * only when alternation is involved (`a|ab`), so for patterns with a top-level or nested `|` we
 * search for the longest match at the leftmost start position.
 */

export class RegexCompileError extends Error {}

const CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: '0-9a-zA-Z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
  xdigit: '0-9A-Fa-f',
  word: '0-9a-zA-Z_',
};

function escapeInClass(ch: string): string {
  return /[\\\]^[-]/.test(ch) ? `\\${ch}` : ch;
}

function escapeLiteral(ch: string): string {
  return /[\\^$.|?*+()[\]{}/]/.test(ch) ? `\\${ch}` : ch;
}

/** Translate a bracket expression starting at `[`; returns [js, indexAfter]. */
function translateBracket(p: string, start: number): [string, number] {
  let i = start + 1;
  let negate = false;
  if (p[i] === '^') {
    negate = true;
    i++;
  }
  let out = '';
  let first = true;
  for (;;) {
    if (i >= p.length) throw new RegexCompileError('Unmatched [, [^, [:, [., or [=');
    const ch = p[i] as string;
    if (ch === ']' && !first) {
      i++;
      break;
    }
    first = false;
    if (ch === '[' && (p[i + 1] === ':' || p[i + 1] === '.' || p[i + 1] === '=')) {
      const kind = p[i + 1] as string;
      const close = p.indexOf(`${kind}]`, i + 2);
      if (close < 0) throw new RegexCompileError('Unmatched [, [^, [:, [., or [=');
      const name = p.slice(i + 2, close);
      i = close + 2;
      if (kind === ':') {
        const cls = CLASSES[name];
        if (cls === undefined) throw new RegexCompileError('Invalid character class name');
        out += cls;
      } else {
        // Collating symbol / equivalence class: a single character in the C/UTF-8 locale.
        if ([...name].length !== 1) throw new RegexCompileError('Invalid collation character');
        out += escapeInClass(name);
      }
      continue;
    }
    // A range a-b or a single character; '-' first or last is literal.
    if (p[i + 1] === '-' && p[i + 2] !== undefined && p[i + 2] !== ']') {
      const lo = ch;
      const hi = p[i + 2] as string;
      if (hi.charCodeAt(0) < lo.charCodeAt(0)) throw new RegexCompileError('Invalid range end');
      out += `${escapeInClass(lo)}-${escapeInClass(hi)}`;
      i += 3;
      continue;
    }
    out += escapeInClass(ch);
    i++;
  }
  if (out === '') return [negate ? '[\\s\\S]' : '[^\\s\\S]', i];
  return [`[${negate ? '^' : ''}${out}]`, i];
}

export interface CompiledEre {
  regex: RegExp;
  /** re_nsub: the number of `( )` groups. */
  groups: number;
  /**
   * The pattern has alternation or a quantified group, where the backtracking (leftmost-first)
   * match can be shorter than POSIX's leftmost-longest one.
   */
  hasAlternation: boolean;
  /** The JS source (for the longest-match search). */
  source: string;
  /**
   * For the longest-match search: the pattern anchored at the end (`(?:source)$`, sticky), run on
   * the subject cut at each candidate end. Null when the source looks past the match's end
   * (`$`, `\b`, `\B`, lookahead), where cutting the subject would change the answer.
   */
  endAnchored: RegExp | null;
}

/** Constructs whose outcome depends on the text after the match (checked conservatively). */
const LOOKS_PAST_END = /\$|\\[bB]|\(\?[=!]/;

export function translateEre(pattern: string): { source: string; groups: number; hasAlternation: boolean } {
  let out = '';
  let groups = 0;
  let depth = 0;
  let hasAlternation = false;
  /** Output offset where the last quantifiable atom starts; -1 when none. */
  let atomStart = -1;
  let lastWasQuantifier = false;
  const atomStarts: number[] = [];
  let i = 0;
  let lastAtomWasGroup = false;
  const quantify = (q: string): void => {
    if (atomStart < 0) throw new RegexCompileError('Invalid preceding regular expression');
    if (lastAtomWasGroup) hasAlternation = true;
    if (lastWasQuantifier) out = `${out.slice(0, atomStart)}(?:${out.slice(atomStart)})`;
    out += q;
    lastWasQuantifier = true;
  };
  while (i < pattern.length) {
    const ch = pattern[i] as string;
    if (ch === '[') {
      const [cls, next] = translateBracket(pattern, i);
      atomStart = out.length;
      lastAtomWasGroup = false;
      out += cls;
      i = next;
      lastWasQuantifier = false;
      continue;
    }
    if (ch === '(') {
      groups++;
      depth++;
      atomStarts.push(out.length);
      out += '(';
      atomStart = -1;
      lastWasQuantifier = false;
      i++;
      continue;
    }
    if (ch === ')') {
      if (depth === 0) throw new RegexCompileError('Unmatched ( or \\(');
      depth--;
      atomStart = atomStarts.pop() as number;
      out += ')';
      lastAtomWasGroup = true;
      lastWasQuantifier = false;
      i++;
      continue;
    }
    if (ch === '|') {
      hasAlternation = true;
      out += '|';
      atomStart = -1;
      lastWasQuantifier = false;
      i++;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?') {
      quantify(ch);
      i++;
      continue;
    }
    if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (m && atomStart >= 0) {
        if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) {
          throw new RegexCompileError('Invalid content of \\{\\}');
        }
        quantify(m[0]);
        i += m[0].length;
        continue;
      }
      atomStart = out.length;
      lastAtomWasGroup = false;
      out += '\\{';
      lastWasQuantifier = false;
      i++;
      continue;
    }
    if (ch === '^' || ch === '$') {
      out += ch;
      atomStart = -1;
      lastWasQuantifier = false;
      i++;
      continue;
    }
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new RegexCompileError('Trailing backslash');
      i += 2;
      lastWasQuantifier = false;
      switch (next) {
        case 'w':
        case 'W':
        case 's':
        case 'S':
          atomStart = out.length;
          lastAtomWasGroup = false;
          out += `\\${next}`;
          continue;
        case 'b':
        case 'B':
          out += `\\${next}`;
          atomStart = -1;
          continue;
        case '<':
          out += '\\b(?=\\w)';
          atomStart = -1;
          continue;
        case '>':
          out += '\\b(?<=\\w)';
          atomStart = -1;
          continue;
        case '`':
          out += '^';
          atomStart = -1;
          continue;
        case "'":
          out += '$';
          atomStart = -1;
          continue;
        default:
          atomStart = out.length;
          lastAtomWasGroup = false;
          if (next >= '1' && next <= '9') {
            if (Number(next) > groups) throw new RegexCompileError('Invalid back reference');
            out += `\\${next}`;
          } else {
            out += escapeLiteral(next);
          }
          continue;
      }
    }
    atomStart = out.length;
    lastAtomWasGroup = false;
    out += ch === '.' ? '.' : escapeLiteral(ch);
    lastWasQuantifier = false;
    i++;
  }
  if (depth !== 0) throw new RegexCompileError('Unmatched ( or \\(');
  return { source: out, groups, hasAlternation };
}

const cache = new Map<string, CompiledEre>();

export function compileEre(pattern: string): CompiledEre {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const t = translateEre(pattern);
  let regex: RegExp;
  try {
    regex = new RegExp(t.source, 's');
  } catch (err) {
    throw new RegexCompileError((err as Error).message);
  }
  const endAnchored = t.hasAlternation && !LOOKS_PAST_END.test(t.source) ? new RegExp(`(?:${t.source})$`, 'sy') : null;
  const compiled: CompiledEre = { regex, groups: t.groups, hasAlternation: t.hasAlternation, source: t.source, endAnchored };
  if (cache.size > 500) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

export interface EreMatch {
  start: number;
  end: number;
  /** Group 1's text when it took part in the match. */
  group1: string | undefined;
}

/** regexec: the leftmost(-longest) match, or null. */
export function execEre(re: CompiledEre, subject: string): EreMatch | null {
  re.regex.lastIndex = 0;
  const m = re.regex.exec(subject);
  if (!m) return null;
  const start = m.index;
  if (!re.hasAlternation || start + m[0].length === subject.length) {
    return { start, end: start + m[0].length, group1: m[1] };
  }
  // Longest match at this start: the match must end exactly `rest` characters before the end.
  // (Bounded: beyond 1024 characters the backtracking match is kept.)
  const last = Math.min(subject.length, start + m[0].length + 1024);
  const anchored = re.endAnchored;
  for (let end = last; end > start + m[0].length; end--) {
    if (anchored) {
      // One compiled RegExp for every candidate end (compiling one per end cost ~15 us each).
      anchored.lastIndex = start;
      const lm = anchored.exec(subject.slice(0, end));
      if (lm) return { start, end, group1: lm[1] };
      continue;
    }
    const rest = subject.length - end;
    const exact = new RegExp(`(?:${re.source})(?=[\\s\\S]{${rest}}$)`, 'sy');
    exact.lastIndex = start;
    const lm = exact.exec(subject);
    if (lm && lm.index === start && lm[0].length === end - start) {
      return { start, end, group1: lm[1] };
    }
  }
  return { start, end: start + m[0].length, group1: m[1] };
}
