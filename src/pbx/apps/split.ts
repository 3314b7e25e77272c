/**
 * A raw splitter (Asterisk's AST_NONSTANDARD_RAW_ARGS idea): separators inside (), [] or ""
 * do not split; quotes and backslashes are kept. limit = maximum number of fields.
 */
export function splitOutside(text: string, sep: string, limit = Infinity): string[] {
  const out: string[] = [];
  let depthParen = 0;
  let depthBracket = 0;
  let inQuote = false;
  let start = 0;
  for (let i = 0; i < text.length && out.length < limit - 1; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    else if (inQuote) continue;
    else if (c === '(') depthParen++;
    else if (c === ')') depthParen = Math.max(0, depthParen - 1);
    else if (c === '[') depthBracket++;
    else if (c === ']') depthBracket = Math.max(0, depthBracket - 1);
    else if (c === sep && depthParen === 0 && depthBracket === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/**
 * Asterisk's standard argument splitter (AST_STANDARD_APP_ARGS, asterisk-dialplan-xmpp.md §2.7):
 * `,` separates; a comma inside (), [] or "" does not; double quotes are removed and a backslash
 * makes the next character literal; splitting stops after maxArgs-1 separators and the last
 * declared argument is kept verbatim. Empty data gives no arguments.
 */
export function splitStandard(data: string, maxArgs: number): string[] {
  if (data === '') return [];
  const out: string[] = [];
  let cur = '';
  let paren = 0;
  let bracket = 0;
  let quote = false;
  let i = 0;
  for (; i < data.length; i++) {
    if (out.length === maxArgs - 1) break;
    const c = data[i]!;
    if (c === '(') paren++;
    else if (c === ')') {
      if (paren) paren--;
    } else if (c === '[') bracket++;
    else if (c === ']') {
      if (bracket) bracket--;
    } else if (c === '"') {
      quote = !quote;
      continue;
    } else if (c === '\\') {
      i++;
      if (i < data.length) cur += data[i];
      continue;
    } else if (c === ',' && !paren && !quote && !bracket) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(out.length === maxArgs - 1 ? data.slice(i) : cur);
  return out;
}
