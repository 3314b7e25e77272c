/**
 * Application-side names for the one argument splitter (src/pbx/args.ts, Asterisk's
 * __ast_app_separate_args, asterisk-dialplan-xmpp.md §2.7).
 */
import { splitArgs } from '../args.js';

/**
 * AST_NONSTANDARD_RAW_ARGS: separators inside (), [] or "" do not split; quotes and backslashes
 * are kept. limit = maximum number of fields (the last takes the rest verbatim).
 */
export function splitOutside(text: string, sep: string, limit = Infinity): string[] {
  const out = splitArgs(text, sep, { removeQuotes: false, max: limit });
  return out.length === 0 ? [''] : out;
}

/**
 * AST_STANDARD_APP_ARGS with maxArgs declared arguments: double quotes removed, a backslash makes
 * the next character literal, the last declared argument is kept verbatim. Empty data gives no
 * arguments.
 */
export function splitStandard(data: string, maxArgs: number): string[] {
  return splitArgs(data, ',', { max: maxArgs });
}
