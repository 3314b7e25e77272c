/**
 * Function calls inside `$[...]` (ast_expr2.y op_func): the built-in math functions, else a
 * read of a dialplan function with the evaluated arguments joined by ','.
 * Facts: asterisk-dialplan-xmpp.md §3.6.
 */
import * as ld from './long-double.js';
import * as tr from './transcendental.js';
import { ExprValue, toNumber, type Warnings } from './value.js';

/** Reads a dialplan function; undefined when no such function exists. */
export type FunctionReader = (name: string, args: string) => string | undefined;

type Unary = (x: ld.Num) => ld.Num;
type Binary = (x: ld.Num, y: ld.Num) => ld.Num;

const UNARY: Record<string, Unary> = {
  COS: tr.cosL,
  SIN: tr.sinL,
  TAN: tr.tanL,
  ACOS: tr.acosL,
  ASIN: tr.asinL,
  ATAN: tr.atanL,
  SQRT: ld.sqrt,
  FLOOR: (x) => ld.roundToInteger(x, 'floor'),
  CEIL: (x) => ld.roundToInteger(x, 'ceil'),
  ROUND: (x) => ld.roundToInteger(x, 'round'),
  RINT: (x) => ld.roundToInteger(x, 'rint'),
  TRUNC: (x) => ld.roundToInteger(x, 'trunc'),
  EXP: tr.expL,
  EXP2: tr.exp2L,
  EXP10: tr.exp10L,
  LOG: tr.logL,
  LOG2: tr.log2L,
  LOG10: tr.log10L,
  ABS: ld.abs,
};

const BINARY: Record<string, Binary> = {
  ATAN2: tr.atan2L,
  POW: tr.powL,
  REMAINDER: ld.remainder,
};

/**
 * The numeric value of an argument. A plain string cannot be converted; Asterisk then reads
 * the string pointer's bits as a long double (a tiny denormal), which we take as 0.
 */
function argNumber(v: ExprValue, w: Warnings): ld.Num {
  return toNumber(v, w) ? v.num : 0;
}

/** is_really_num(): only `-0123456789. \t` (an empty result counts as the number 0). */
function isReallyNum(s: string): boolean {
  return /^[-0-9. \t]*$/.test(s);
}

/** compose_func_args(): arguments joined with ',', numbers printed with %.18Lg. */
function composeArgs(args: ExprValue[]): string {
  return args.map((a) => (a.type === 'number' ? ld.formatNum(a.num) : a.text)).join(',');
}

export function callFunction(
  name: string,
  args: ExprValue[],
  w: Warnings,
  reader: FunctionReader | undefined,
): ExprValue {
  if (!/^[A-Z_0-9]*$/.test(name)) {
    w.add(`Error! '${name}' is not possibly a function name!`);
    return ExprValue.number(0);
  }
  const unary = UNARY[name];
  if (unary) {
    if (args.length !== 1) {
      w.add(`Wrong args to ${name}() function`);
      return ExprValue.number(0);
    }
    return ExprValue.number(unary(argNumber(args[0] as ExprValue, w)));
  }
  const binary = BINARY[name];
  if (binary) {
    if (args.length !== 2) {
      w.add(`Wrong args to ${name}() function`);
      return ExprValue.number(0);
    }
    const x = argNumber(args[0] as ExprValue, w);
    const y = argNumber(args[1] as ExprValue, w);
    return ExprValue.number(binary(x, y));
  }
  const result = reader ? reader(name, composeArgs(args)) : undefined;
  if (result === undefined) {
    w.add(`Error! '${name}' doesn't appear to be an available function!`);
    return ExprValue.number(0);
  }
  // The read goes into a 512-byte workspace.
  const text = result.length > 511 ? result.slice(0, 511) : result;
  if (isReallyNum(text)) return ExprValue.number(ld.strtold(text).value);
  return ExprValue.makeStr(text);
}
