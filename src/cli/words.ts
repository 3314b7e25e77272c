/**
 * Splitting a CLI line into words the way Asterisk's CLI does (main/cli.c parse_args):
 * white space separates words, a double quote starts/ends a quoted run (the quotes are removed,
 * so `"AWAY,lunch,Out to lunch"` is one word), and a backslash makes the next character literal.
 * An unterminated quote runs to the end of the line.
 */
export interface SplitLine {
  words: string[];
  /** True when the line ends in white space outside quotes: the next word has not started yet. */
  endsInSpace: boolean;
}

export function splitWords(line: string): SplitLine {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quoted = false;
  let escaped = false;
  for (const ch of line) {
    if (escaped) {
      current += ch;
      escaped = false;
      inWord = true;
      continue;
    }
    if (ch === '\\') {
      escaped = true;
      inWord = true;
      continue;
    }
    if (ch === '"') {
      quoted = !quoted;
      inWord = true;
      continue;
    }
    if (!quoted && (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n')) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
      continue;
    }
    current += ch;
    inWord = true;
  }
  if (inWord) words.push(current);
  return { words, endsInSpace: !inWord };
}

/** Quote a word for display or for sending back (completion): only when it needs it. */
export function quoteWord(word: string): string {
  if (word !== '' && !/[\s"\\]/.test(word)) return word;
  return `"${word.replace(/(["\\])/g, '\\$1')}"`;
}
