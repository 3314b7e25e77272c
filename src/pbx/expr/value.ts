/**
 * The three value types of ast_expr2.y: number (long double), numeric string and string.
 * Values are mutable on purpose: Asterisk's to_number()/to_string() convert a value in place, so
 * e.g. `03 | 1` returns the converted number 3, not the text "03".
 */
import { formatNum, strtold, type Num } from './long-double.js';

export type ValueType = 'number' | 'numeric' | 'string';

export class ExprValue {
  constructor(
    public type: ValueType,
    public text: string,
    public num: Num,
  ) {}

  static number(n: Num): ExprValue {
    return new ExprValue('number', '', n);
  }

  /** A token or operator result; `numeric` says whether it is a numeric string. */
  static text(s: string, numeric: boolean): ExprValue {
    return new ExprValue(numeric ? 'numeric' : 'string', s, 0);
  }

  /**
   * make_str(): numeric string when it starts with a digit, '-' or '.', and has only digits and
   * '.' after that.
   */
  static makeStr(s: string): ExprValue {
    return ExprValue.text(s, looksNumeric(s));
  }
}

export function looksNumeric(s: string): boolean {
  if (s.length === 0) return false;
  const c0 = s.charCodeAt(0);
  if (!((c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 46)) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 46)) return false;
  }
  return true;
}

/** Where the evaluator collects Asterisk's WARNING texts. */
export interface Warnings {
  add(message: string): void;
}

/** to_number(): converts a numeric string in place; a plain string cannot be converted. */
export function toNumber(v: ExprValue, warnings: Warnings): boolean {
  if (v.type === 'number') return true;
  if (v.type === 'string') return false;
  const r = strtold(v.text);
  if (r.overflow) {
    warnings.add(`Conversion of ${v.text} to number under/overflowed!`);
    v.type = 'string';
    return false;
  }
  v.type = 'number';
  v.num = r.value;
  v.text = '';
  return true;
}

/** to_string(): a number becomes its %.18Lg text (and a plain string from then on). */
export function toStringValue(v: ExprValue): void {
  if (v.type !== 'number') return;
  v.text = formatNum(v.num);
  v.type = 'string';
}

/** The text Asterisk would print for a final result. */
export function resultText(v: ExprValue): string {
  return v.type === 'number' ? formatNum(v.num) : v.text;
}

/**
 * is_zero_or_null(): a number equal to 0, an empty string, or a numeric string worth 0
 * (converting it). A non-numeric, non-empty string — including the token `""` — is not null.
 */
export function isZeroOrNull(v: ExprValue, warnings: Warnings): boolean {
  if (v.type === 'number') return isNumZero(v.num);
  if (v.text === '') return true;
  return toNumber(v, warnings) && isNumZero(v.num);
}

function isNumZero(n: Num): boolean {
  return typeof n === 'number' ? n === 0 : n.kind === 'finite' && n.mantissa === 0n;
}
