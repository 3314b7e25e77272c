/**
 * Operator semantics of ast_expr2.y (op_or, op_and, op_eq…, op_plus…, op_colon, op_eqtilde,
 * op_tildetilde, op_cond, op_compl, op_negate). Facts: asterisk-dialplan-xmpp.md §3.5.
 */
import * as ld from './long-double.js';
import { compileEre, execEre, RegexCompileError } from './regex.js';
import { ExprValue, isZeroOrNull, toNumber, toStringValue, type Warnings } from './value.js';

/** INT_MAX: what Asterisk returns for a division by zero or a non-numeric divisor. */
const INT_MAX = 2147483647;
/** QUAD_MIN, which chk_minus and chk_div single out. */
const QUAD_MIN = ld.strtold('-9223372036854775808').value;

function positive(n: ld.Num): boolean {
  return ld.compare(n, 0) > 0;
}

function negative(n: ld.Num): boolean {
  return ld.compare(n, 0) < 0;
}

/** chk_plus: two positives giving r <= 0, or two negatives giving r >= 0, log "overflow". */
function plusOverflows(a: ld.Num, b: ld.Num, r: ld.Num): boolean {
  if (positive(a) && positive(b) && !positive(r)) return true;
  return negative(a) && negative(b) && !negative(r);
}

/** chk_minus: subtracting QUAD_MIN overflows for a >= 0; otherwise chk_plus(a, -b, r). */
function minusOverflows(a: ld.Num, b: ld.Num, r: ld.Num): boolean {
  if (ld.compare(b, QUAD_MIN) === 0) return ld.compare(a, 0) >= 0;
  return plusOverflows(a, ld.negate(b), r);
}

/** chk_times: r / a must give b back (so inexact products log "overflow" too, as in Asterisk). */
function timesOverflows(a: ld.Num, b: ld.Num, r: ld.Num): boolean {
  if (ld.isZero(a)) return false;
  if (typeof a === 'number' && typeof b === 'number' && typeof r === 'number') return false;
  return ld.compare(ld.div(r, a), b) !== 0;
}

/** `a | b`: a unless a is null, then b. */
export function opOr(a: ExprValue, b: ExprValue, w: Warnings): ExprValue {
  return isZeroOrNull(a, w) ? b : a;
}

/** `a & b`: a when neither is null, otherwise the number 0. */
export function opAnd(a: ExprValue, b: ExprValue, w: Warnings): ExprValue {
  if (isZeroOrNull(a, w) || isZeroOrNull(b, w)) return ExprValue.number(0);
  return a;
}

/** Code-point order: strcoll in the C.UTF-8 locale Asterisk runs with. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) as number;
    const cb = b.codePointAt(i) as number;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (ca > 0xffff) i++;
  }
  return a.length < b.length ? -1 : 1;
}

export type Comparison = 'EQ' | 'NE' | 'LT' | 'GT' | 'LE' | 'GE';

/** Comparisons: string compare when either side is a non-numeric string, else numeric; 1 or 0. */
export function opCompare(op: Comparison, a: ExprValue, b: ExprValue, w: Warnings): ExprValue {
  let c: number;
  if (a.type === 'string' || b.type === 'string') {
    toStringValue(a);
    toStringValue(b);
    c = compareStrings(a.text, b.text);
  } else {
    toNumber(a, w);
    toNumber(b, w);
    c = ld.compare(a.num, b.num);
  }
  let r: boolean;
  switch (op) {
    case 'EQ':
      r = c === 0;
      break;
    case 'NE':
      r = c !== 0;
      break;
    case 'LT':
      r = c < 0;
      break;
    case 'GT':
      r = c > 0;
      break;
    case 'LE':
      r = c <= 0;
      break;
    case 'GE':
      r = c >= 0;
      break;
  }
  return ExprValue.number(r ? 1 : 0);
}

/** `+`: a non-numeric side is ignored (left one with a warning); both non-numeric give 0. */
export function opPlus(a: ExprValue, b: ExprValue, w: Warnings): ExprValue {
  if (!toNumber(a, w)) {
    w.add('non-numeric argument');
    return toNumber(b, w) ? b : ExprValue.number(0);
  }
  if (!toNumber(b, w)) return a;
  const r = ld.add(a.num, b.num);
  if (plusOverflows(a.num, b.num, r)) w.add('overflow');
  return ExprValue.number(r);
}

/** `-`: non-numeric left gives -b, non-numeric right gives a, both give 0. */
export function opMinus(a: ExprValue, b: ExprValue, w: Warnings): ExprValue {
  if (!toNumber(a, w)) {
    w.add('non-numeric argument');
    return toNumber(b, w) ? ExprValue.number(ld.sub(0, b.num)) : ExprValue.number(0);
  }
  if (!toNumber(b, w)) {
    w.add('non-numeric argument');
    return a;
  }
  const r = ld.sub(a.num, b.num);
  if (minusOverflows(a.num, b.num, r)) w.add('overflow');
  return ExprValue.number(r);
}

export function opTimes(a: ExprValue, b: ExprValue, w: Warnings): ExprValue {
  if (!toNumber(a, w) || !toNumber(b, w)) {
    w.add('non-numeric argument');
    return ExprValue.number(0);
  }
  const r = ld.mul(a.num, b.num);
  if (timesOverflows(a.num, b.num, r)) w.add('overflow');
  return ExprValue.number(r);
}

/** `/`: non-numeric dividend 0; non-numeric or zero divisor INT_MAX. */
export function opDivide(a: ExprValue, b: ExprValue, w: Warnings): ExprValue {
  if (!toNumber(a, w)) {
    w.add('non-numeric argument');
    return ExprValue.number(0);
  }
  if (!toNumber(b, w)) {
    w.add('non-numeric argument');
    return ExprValue.number(INT_MAX);
  }
  if (ld.isZero(b.num)) {
    w.add('division by zero');
    return ExprValue.number(INT_MAX);
  }
  // chk_div: only QUAD_MIN / -1 counts as an overflow.
  if (ld.compare(a.num, QUAD_MIN) === 0 && ld.compare(b.num, -1) === 0) w.add('overflow');
  return ExprValue.number(ld.div(a.num, b.num));
}

/** `%`: fmodl (sign of the dividend); non-numeric gives 0; a zero divisor is returned itself. */
export function opRemainder(a: ExprValue, b: ExprValue, w: Warnings): ExprValue {
  if (!toNumber(a, w) || !toNumber(b, w)) {
    w.add('non-numeric argument');
    return ExprValue.number(0);
  }
  if (ld.isZero(b.num)) {
    w.add('div by zero');
    return b;
  }
  return ExprValue.number(ld.fmod(a.num, b.num));
}

/** Unary `-`: non-numeric gives 0. */
export function opNegate(a: ExprValue, w: Warnings): ExprValue {
  if (!toNumber(a, w)) {
    w.add('non-numeric argument');
    return ExprValue.number(0);
  }
  const r = ld.negate(a.num);
  if (minusOverflows(0, a.num, r)) w.add('overflow');
  return ExprValue.number(r);
}

/**
 * C atoi() truth: leading blanks, sign, digits; strtol saturates at LONG_MAX/LONG_MIN and the
 * result is then truncated to int.
 */
export function atoiNonZero(text: string): boolean {
  const m = /^[ \t\n\v\f\r]*([+-]?)(\d+)/.exec(text);
  if (!m) return false;
  let v = BigInt(m[2] as string);
  if (m[1] === '-') v = -v;
  const LONG_MAX = (1n << 63n) - 1n;
  const LONG_MIN = -(1n << 63n);
  if (v > LONG_MAX) v = LONG_MAX;
  if (v < LONG_MIN) v = LONG_MIN;
  return BigInt.asIntN(32, v) !== 0n;
}

/** Unary `!`: number: value == 0; text: empty or "0" → 1, otherwise !atoi(text). */
export function opComplement(a: ExprValue): ExprValue {
  let truth: boolean;
  if (a.type === 'number') truth = !ld.isZero(a.num);
  else if (a.text === '' || a.text === '0') truth = false;
  else truth = atoiNonZero(a.text);
  return ExprValue.number(truth ? 0 : 1);
}

/** strip_quotes(): text that begins and ends with `"` loses every `"`. */
function stripQuotes(v: ExprValue): void {
  if (v.type === 'number') return;
  if (v.text.startsWith('"') && v.text.endsWith('"')) v.text = v.text.replace(/"/g, '');
}

/** `:` (anchored) and `=~` (anywhere): group 1 text, else match length; no match: "" or 0. */
export function opRegex(a: ExprValue, b: ExprValue, anchored: boolean, w: Warnings): ExprValue {
  toStringValue(a);
  toStringValue(b);
  stripQuotes(a);
  stripQuotes(b);
  let re;
  try {
    re = compileEre(b.text);
  } catch (err) {
    const msg = err instanceof RegexCompileError ? err.message : String(err);
    w.add(`regcomp() error : ${msg}`);
    return ExprValue.makeStr('');
  }
  const m = execEre(re, a.text);
  if (m && (!anchored || m.start === 0)) {
    if (re.groups > 0 && m.group1 !== undefined) return ExprValue.makeStr(m.group1);
    // rm_eo - rm_so counts bytes.
    return ExprValue.number(Buffer.byteLength(a.text.slice(m.start, m.end), 'utf8'));
  }
  return re.groups === 0 ? ExprValue.number(0) : ExprValue.makeStr('');
}

/** `~~`: both as strings, quotes stripped, joined. */
export function opConcat(a: ExprValue, b: ExprValue): ExprValue {
  toStringValue(a);
  toStringValue(b);
  stripQuotes(a);
  stripQuotes(b);
  return ExprValue.makeStr(a.text + b.text);
}

/**
 * `c ? a :: b` (all evaluated): a string condition is false when empty, `""` or `0`; a numeric
 * one when its value is 0.
 */
export function opCond(c: ExprValue, a: ExprValue, b: ExprValue, w: Warnings): ExprValue {
  if (c.type === 'string') {
    return c.text !== '' && c.text !== '""' && c.text !== '0' ? a : b;
  }
  toNumber(c, w);
  return ld.isZero(c.num) ? b : a;
}
