/**
 * Tokens of `$[...]`, following Asterisk's flex scanner (main/ast_expr2.fl):
 *  - blanks (space, tab, CR, LF) separate tokens; operators need no blanks around them;
 *  - operators, longest match first: `|| && == =~ ~~ >= <= != ::` then `| & = > < + - * / % ? : ! , ( )`;
 *  - `"..."` (no escapes) is one string token that keeps its quotes;
 *  - `[0-9]+(\.[0-9]+)?` is a numeric string; a longer word wins (`3a`, `1.`, `1e3` are strings);
 *  - a word is made of `a-z A-Z 0-9 . ' ; \ _ ^ # @`, bytes >= 0x80, or `$` + any non-`{` char;
 *  - `${...}` plus trailing text is gathered into one string token;
 *  - any other character is dropped (flex's default rule) and only splits tokens.
 */

export type TokenKind =
  | 'TOKEN'
  | 'OR'
  | 'AND'
  | 'EQ'
  | 'NE'
  | 'LT'
  | 'GT'
  | 'LE'
  | 'GE'
  | 'PLUS'
  | 'MINUS'
  | 'MULT'
  | 'DIV'
  | 'MOD'
  | 'COND'
  | 'COLONCOLON'
  | 'COLON'
  | 'EQTILDE'
  | 'TILDETILDE'
  | 'COMPL'
  | 'COMMA'
  | 'LP'
  | 'RP'
  | 'EOF';

export interface Token {
  kind: TokenKind;
  /** Token text as written (for TOKEN: the value, with quotes for a quoted string). */
  text: string;
  /** For TOKEN: whether flex classified it as a numeric string. */
  numeric: boolean;
  /** Offset of the token in the input (for the `^` marker of syntax errors). */
  pos: number;
}

const TWO_CHAR: Record<string, TokenKind> = {
  '||': 'OR',
  '&&': 'AND',
  '==': 'EQ',
  '=~': 'EQTILDE',
  '~~': 'TILDETILDE',
  '>=': 'GE',
  '<=': 'LE',
  '!=': 'NE',
  '::': 'COLONCOLON',
};

const ONE_CHAR: Record<string, TokenKind> = {
  '|': 'OR',
  '&': 'AND',
  '=': 'EQ',
  '>': 'GT',
  '<': 'LT',
  '+': 'PLUS',
  '-': 'MINUS',
  '*': 'MULT',
  '/': 'DIV',
  '%': 'MOD',
  '?': 'COND',
  ':': 'COLON',
  '!': 'COMPL',
  ',': 'COMMA',
  '(': 'LP',
  ')': 'RP',
};

function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 46 || // .
    c === 39 || // '
    c === 59 || // ;
    c === 92 || // backslash
    c === 95 || // _
    c === 94 || // ^
    c === 35 || // #
    c === 64 || // @
    c >= 0x80
  );
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Characters that end the text trailing a `${...}` (the scanner's "trail" state). */
const TRAIL_STOP = new Set('-\t\r \n$():?%/+=*<>!|&');

/** Length of a word starting at i (0 when none); stops before a `${`. */
function wordLength(s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (isWordChar(c)) {
      j++;
    } else if (c === 36 /* $ */ && j + 1 < s.length && s[j + 1] !== '{') {
      j += 2;
    } else {
      break;
    }
  }
  return j - i;
}

/** Length of `[0-9]+(\.[0-9]+)?` at i. */
function numberLength(s: string, i: number): number {
  let j = i;
  while (j < s.length && isDigit(s.charCodeAt(j))) j++;
  if (j === i) return 0;
  if (s[j] === '.' && j + 1 < s.length && isDigit(s.charCodeAt(j + 1))) {
    j++;
    while (j < s.length && isDigit(s.charCodeAt(j))) j++;
  }
  return j - i;
}

/**
 * From just after a `${`: the `{}`-balanced body, then trailing text up to a stop character,
 * repeating for further `${`. Returns the end offset, or -1 when the input ends inside the
 * braces (flex then hits end of input in its <var> state and the pending text is lost).
 */
function variableTokenEnd(s: string, afterOpen: number): number {
  let j = afterOpen;
  for (;;) {
    let depth = 0;
    // <var> state: count braces until the `}` that closes the `${`.
    for (;;) {
      if (j >= s.length) return -1;
      const ch = s[j];
      j++;
      if (ch === '{') depth++;
      else if (ch === '}') {
        depth--;
        if (depth < 0) break;
      }
    }
    // <trail> state.
    while (j < s.length && !TRAIL_STOP.has(s[j] as string)) j++;
    if (s[j] === '$' && s[j + 1] === '{') {
      j += 2;
      continue;
    }
    return j;
  }
}

export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  const s = input;
  let i = 0;
  while (i < s.length) {
    const ch = s[i] as string;
    const c = s.charCodeAt(i);
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') {
      i++;
      continue;
    }
    if (ch === '"') {
      const close = s.indexOf('"', i + 1);
      if (close >= 0) {
        tokens.push({ kind: 'TOKEN', text: s.slice(i, close + 1), numeric: false, pos: i });
        i = close + 1;
        continue;
      }
      i++; // an unmatched quote is not a token: dropped
      continue;
    }
    if (ch === '$' && s[i + 1] === '{') {
      const end = variableTokenEnd(s, i + 2);
      if (end < 0) break;
      tokens.push({ kind: 'TOKEN', text: s.slice(i, end), numeric: false, pos: i });
      i = end;
      continue;
    }
    const two = s.slice(i, i + 2);
    const twoKind = TWO_CHAR[two];
    if (twoKind !== undefined) {
      tokens.push({ kind: twoKind, text: two, numeric: false, pos: i });
      i += 2;
      continue;
    }
    const oneKind = ONE_CHAR[ch];
    if (oneKind !== undefined) {
      tokens.push({ kind: oneKind, text: ch, numeric: false, pos: i });
      i++;
      continue;
    }
    if (isWordChar(c) || (c === 36 && i + 1 < s.length)) {
      const wl = wordLength(s, i);
      if (wl > 0) {
        const end = i + wl;
        if (s[end] === '$' && s[end + 1] === '{') {
          const vend = variableTokenEnd(s, end + 2);
          if (vend < 0) break;
          tokens.push({ kind: 'TOKEN', text: s.slice(i, vend), numeric: false, pos: i });
          i = vend;
          continue;
        }
        const nl = numberLength(s, i);
        tokens.push({ kind: 'TOKEN', text: s.slice(i, end), numeric: nl === wl, pos: i });
        i = end;
        continue;
      }
    }
    i++; // no rule matches this character: flex echoes and drops it
  }
  tokens.push({ kind: 'EOF', text: '', numeric: false, pos: s.length });
  return tokens;
}
