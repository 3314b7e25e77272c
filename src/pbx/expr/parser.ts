/**
 * Parser/evaluator for `$[...]`, a precedence-climbing rewrite of Asterisk's Bison grammar
 * (main/ast_expr2.y). Levels, lowest first (§3.4):
 *   2 `? ::` (left)  3 `|`  4 `&`  5 `= > < >= <= !=`  6 `+ -`  7 `* / %`
 *   8 unary `!` `-` (right)  9 `: =~ ~~`  then parentheses and `NAME(args)`.
 * Operands are evaluated while parsing, as Bison's actions are.
 *
 * Syntax errors reproduce what ast_expr() returns (§3.7):
 *  - the very first token cannot start an expression: "" (Bison reduced the empty `start` rule);
 *  - an unexpected token after a complete top-level expression: that expression's value
 *    (default reductions run up to `start` before the error is noticed);
 *  - an error in the middle of an expression (inside parentheses, arguments, after an operator,
 *    between `?` and `::`): "0" (no value was ever stored).
 */
import { callFunction, type FunctionReader } from './functions.js';
import { tokenize, type Token, type TokenKind } from './lexer.js';
import * as ops from './operators.js';
import { ExprValue, type Warnings } from './value.js';

const BINARY_LEVEL: Partial<Record<TokenKind, number>> = {
  COND: 2,
  OR: 3,
  AND: 4,
  EQ: 5,
  NE: 5,
  LT: 5,
  GT: 5,
  LE: 5,
  GE: 5,
  PLUS: 6,
  MINUS: 6,
  MULT: 7,
  DIV: 7,
  MOD: 7,
  COLON: 9,
  EQTILDE: 9,
  TILDETILDE: 9,
};
const LOWEST = 2;
const UNARY_OPERAND_LEVEL = 9;

/**
 * Token names as Asterisk's error message shows them: Bison's names passed through
 * expr2_token_subst (which knows no name for `~~`, so TOK_TILDETILDE stays as it is).
 */
const TOKEN_NAMES: Record<TokenKind, string> = {
  TOKEN: "'<token>'",
  OR: "'|'",
  AND: "'&'",
  EQ: "'='",
  NE: "'!='",
  LT: "'<'",
  GT: "'>'",
  LE: "'<='",
  GE: "'>='",
  PLUS: "'+'",
  MINUS: "'-'",
  MULT: "'*'",
  DIV: "'/'",
  MOD: "'%'",
  COND: "'?'",
  COLONCOLON: "'::'",
  COLON: "':'",
  EQTILDE: "'=~'",
  TILDETILDE: 'TOK_TILDETILDE',
  COMPL: "'!'",
  COMMA: "','",
  LP: "'('",
  RP: "')'",
  EOF: '$end',
};

/** Bison lists at most four expected tokens, in token-number order; more means no list. */
const EXPECT_OPERAND = "'-' or '!' or '(' or '<token>'";
const EXPECT_END = '$end';
const EXPECT_ARGUMENT_END = "',' or ')'";

class SyntaxFailure {
  constructor(
    readonly token: Token,
    /** null when Bison would have too many expected tokens to list. */
    readonly expecting: string | null,
  ) {}
}

/** Nesting deeper than this is treated as a syntax error (Bison's stack has a limit too). */
const MAX_DEPTH = 1000;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly w: Warnings,
    private readonly reader: FunctionReader | undefined,
  ) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    return this.tokens[this.pos++] as Token;
  }

  private expect(kind: TokenKind): void {
    const t = this.peek();
    // Where `)` or `::` is missing, every binary operator was acceptable too: no list.
    if (t.kind !== kind) throw new SyntaxFailure(t, null);
    this.pos++;
  }

  atEnd(): boolean {
    return this.peek().kind === 'EOF';
  }

  canStartExpression(): boolean {
    const k = this.peek().kind;
    return k === 'TOKEN' || k === 'LP' || k === 'MINUS' || k === 'COMPL';
  }

  unexpected(): SyntaxFailure {
    return new SyntaxFailure(this.peek(), EXPECT_END);
  }

  expression(minLevel: number): ExprValue {
    let left = this.prefix();
    for (;;) {
      const t = this.peek();
      const level = BINARY_LEVEL[t.kind];
      if (level === undefined || level < minLevel) return left;
      this.pos++;
      if (t.kind === 'COND') {
        const whenTrue = this.expression(LOWEST);
        this.expect('COLONCOLON');
        const whenFalse = this.expression(LOWEST + 1);
        left = ops.opCond(left, whenTrue, whenFalse, this.w);
        continue;
      }
      const right = this.expression(level + 1);
      left = this.apply(t.kind, left, right);
    }
  }

  private apply(kind: TokenKind, a: ExprValue, b: ExprValue): ExprValue {
    const w = this.w;
    switch (kind) {
      case 'OR':
        return ops.opOr(a, b, w);
      case 'AND':
        return ops.opAnd(a, b, w);
      case 'EQ':
      case 'NE':
      case 'LT':
      case 'GT':
      case 'LE':
      case 'GE':
        return ops.opCompare(kind, a, b, w);
      case 'PLUS':
        return ops.opPlus(a, b, w);
      case 'MINUS':
        return ops.opMinus(a, b, w);
      case 'MULT':
        return ops.opTimes(a, b, w);
      case 'DIV':
        return ops.opDivide(a, b, w);
      case 'MOD':
        return ops.opRemainder(a, b, w);
      case 'COLON':
        return ops.opRegex(a, b, true, w);
      case 'EQTILDE':
        return ops.opRegex(a, b, false, w);
      case 'TILDETILDE':
        return ops.opConcat(a, b);
      default:
        throw new Error(`not a binary operator: ${kind}`);
    }
  }

  private prefix(): ExprValue {
    const t = this.peek();
    if (++this.depth > MAX_DEPTH) throw new SyntaxFailure(t, null);
    try {
      return this.prefixInner(t);
    } finally {
      this.depth--;
    }
  }

  private prefixInner(t: Token): ExprValue {
    switch (t.kind) {
      case 'TOKEN': {
        this.pos++;
        if (this.peek().kind === 'LP') {
          this.pos++;
          const args = this.argumentList();
          this.next(); // ')'

          return callFunction(t.text, args, this.w, this.reader);
        }
        return ExprValue.text(t.text, t.numeric);
      }
      case 'LP': {
        this.pos++;
        const inner = this.expression(LOWEST);
        this.expect('RP');
        return inner;
      }
      case 'MINUS':
        this.pos++;
        return ops.opNegate(this.expression(UNARY_OPERAND_LEVEL), this.w);
      case 'COMPL':
        this.pos++;
        return ops.opComplement(this.expression(UNARY_OPERAND_LEVEL));
      default:
        throw new SyntaxFailure(t, EXPECT_OPERAND);
    }
  }

  /**
   * `arglist: expr | arglist ',' expr | arglist ','` — the first argument is required; an empty
   * argument after a comma is an empty string.
   */
  private argumentList(): ExprValue[] {
    const args: ExprValue[] = [this.expression(LOWEST)];
    for (;;) {
      const k = this.peek().kind;
      if (k === 'RP') return args;
      if (k !== 'COMMA') throw new SyntaxFailure(this.peek(), EXPECT_ARGUMENT_END);
      this.next();
      const after = this.peek().kind;
      if (after === 'COMMA' || after === 'RP') args.push(ExprValue.makeStr(''));
      else args.push(this.expression(LOWEST));
    }
  }
}

export interface EvalOutcome {
  /** null: no value was stored (ast_expr then prints "0"). */
  value: ExprValue | null;
  syntaxError: { token: Token; expecting: string | null } | null;
}

export function parseAndEvaluate(input: string, w: Warnings, reader: FunctionReader | undefined): EvalOutcome {
  const parser = new Parser(tokenize(input), w, reader);
  if (parser.atEnd()) return { value: ExprValue.makeStr(''), syntaxError: null };
  if (!parser.canStartExpression()) {
    const f = parser.unexpected();
    return { value: ExprValue.makeStr(''), syntaxError: { token: f.token, expecting: EXPECT_END } };
  }
  try {
    const value = parser.expression(LOWEST);
    if (parser.atEnd()) return { value, syntaxError: null };
    const f = parser.unexpected();
    return { value, syntaxError: { token: f.token, expecting: f.expecting } };
  } catch (err) {
    if (err instanceof SyntaxFailure) {
      return { value: null, syntaxError: { token: err.token, expecting: err.expecting } };
    }
    throw err;
  }
}

export function tokenName(t: Token): string {
  return TOKEN_NAMES[t.kind];
}
