/**
 * Argument splitting shared by dialplan applications and functions: Asterisk's
 * `__ast_app_separate_args` (main/app.c), asterisk-dialplan-xmpp.md §2.7.
 *
 *  - the delimiter (default ',') does not split inside `(...)`, `[...]` or `"..."`;
 *  - with removeQuotes (AST_STANDARD_APP_ARGS, the default) double quotes are dropped (they only
 *    group) and a backslash is dropped with the next character taken literally (`\,` → `,`);
 *    without it (the RAW variants) quotes and backslashes stay, but `\x` still never splits;
 *  - with `max` (the number of declared arguments) splitting stops after max−1 fields and the
 *    rest of the text is the last argument, verbatim: commas, quotes and backslashes kept;
 *  - empty input gives no arguments; a trailing delimiter gives a final empty argument.
 */
export interface SplitOptions {
  /** Remove grouping quotes and escaping backslashes (default true). */
  removeQuotes?: boolean;
  /** Number of declared arguments; the last one takes the rest verbatim (default: unlimited). */
  max?: number;
}

export function splitArgs(data: string, delim = ',', opts: SplitOptions = {}): string[] {
  const removeChars = opts.removeQuotes ?? true;
  const max = opts.max ?? Infinity;
  const out: string[] = [];
  if (data === '' || max < 1) return out;
  let paren = 0;
  let bracket = 0;
  let quote = false;
  let i = 0;
  let endedOnDelimiter = false;
  while (i < data.length && out.length < max - 1) {
    let field = '';
    endedOnDelimiter = false;
    for (; i < data.length; i++) {
      const ch = data[i] as string;
      if (ch === '(') {
        paren++;
      } else if (ch === ')') {
        if (paren > 0) paren--;
      } else if (ch === '[') {
        bracket++;
      } else if (ch === ']') {
        if (bracket > 0) bracket--;
      } else if (ch === '"' && delim !== '"') {
        quote = !quote;
        if (removeChars) continue;
      } else if (ch === '\\') {
        // The next character is literal; with removeChars the backslash itself goes.
        if (!removeChars) field += ch;
        i++;
        if (i < data.length) field += data[i] as string;
        continue;
      } else if (ch === delim && paren === 0 && !quote && bracket === 0) {
        i++;
        endedOnDelimiter = true;
        break;
      }
      field += ch;
    }
    out.push(field);
  }
  if (i < data.length || endedOnDelimiter) out.push(data.slice(i));
  return out;
}

/** Asterisk's ast_strip(): leading and trailing white space removed. */
export function stripBlanks(s: string): string {
  return s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
}
