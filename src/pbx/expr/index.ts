/**
 * The `$[...]` expression language (Asterisk's ast_expr2): evaluateExpression() takes the text
 * between the brackets, already ${}-substituted, and returns what Asterisk substitutes for it,
 * plus the WARNING text Asterisk would have logged. It never throws.
 */
import { parseAndEvaluate, tokenName } from './parser.js';
import { resultText } from './value.js';

export { checkCondition } from './condition.js';

export interface ExpressionOptions {
  /** Reads a dialplan function by name with its joined arguments; undefined when unknown. */
  callFunction?: (name: string, args: string) => string | undefined;
}

export interface ExpressionResult {
  value: string;
  /** Asterisk's WARNING lines, joined with "\n"; absent when there were none. */
  warning?: string;
}

const DOCS_HINT =
  'If you have questions, please refer to https://docs.asterisk.org/Configuration/Dialplan/Variables/Channel-Variables/';

export function evaluateExpression(expr: string, opts?: ExpressionOptions): ExpressionResult {
  const warnings: string[] = [];
  const sink = { add: (m: string): void => void warnings.push(m) };
  let value: string;
  try {
    const outcome = parseAndEvaluate(expr, sink, opts?.callFunction);
    value = outcome.value === null ? '0' : resultText(outcome.value);
    if (outcome.syntaxError) {
      const { token, expecting } = outcome.syntaxError;
      const marker = `${' '.repeat(token.pos)}^`;
      const expected = expecting === null ? '' : `, expecting ${expecting}`;
      // Worded as asterisk-dialplan-xmpp.md §3.7 gives it (one space after "ast_yyerror():"; the C
      // format "ast_yyerror(): %s syntax error: …" with an empty %s would print two).
      warnings.push(
        `ast_yyerror(): syntax error: syntax error, unexpected ${tokenName(token)}${expected}; Input:\n${expr}\n${marker}`,
      );
      warnings.push(DOCS_HINT);
    }
  } catch (err) {
    // A failing dialplan function reader or an internal fault: Asterisk would print "0".
    warnings.push(`expression evaluation failed: ${(err as Error).message}`);
    value = '0';
  }
  return warnings.length > 0 ? { value, warning: warnings.join('\n') } : { value };
}
