/**
 * Numbers of the `$[...]` language. Asterisk computes in `long double` (x86-64: 80-bit, 64-bit
 * mantissa, round-to-nearest-even) and prints with `%.18Lg`. We emulate that:
 *
 *  - a plain JS number is used while the value is an integer of at most 53 bits (exact in both
 *    formats), which keeps typical dialplan arithmetic and comparisons fast;
 *  - anything else is an `ExtendedFloat`: sign × mantissa (BigInt, < 2^64) × 2^exponent, rounded
 *    after every + - * / exactly like the x87 unit would (ties to even). `fmod`, `remainder`,
 *    `sqrt` and the rounding functions are computed exactly too.
 *
 * Transcendental functions (COS, LOG, …) are computed in double precision and widened, so their
 * 17th/18th significant digits can differ from glibc's long double versions.
 */

export class ExtendedFloat {
  constructor(
    /** 'finite' | 'inf' | 'nan' */
    readonly kind: 'finite' | 'inf' | 'nan',
    readonly negative: boolean,
    /** 0 ≤ mantissa < 2^64 (finite only). */
    readonly mantissa: bigint,
    readonly exponent: number,
  ) {}
}

/** A `$[]` number: a safe integer as a JS number, or an extended float. */
export type Num = number | ExtendedFloat;

const TWO63 = 1n << 63n;
const TWO64 = 1n << 64n;
/** Largest binary exponent of a long double (values below 2^16384). */
const MAX_TOP_BIT = 16383;
const MIN_TOP_BIT = -16445;

/** Number of bits in |n| (0 for 0). */
export function bitLength(n: bigint): number {
  if (n < 0n) n = -n;
  if (n < 0x20000000000000n) {
    const v = Number(n);
    if (v < 0x100000000) return 32 - Math.clz32(v);
    return 64 - Math.clz32(Math.floor(v / 0x100000000));
  }
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0] as string, 16)));
}

export const NAN_POSITIVE = new ExtendedFloat('nan', false, 0n, 0);
/** x87's "default NaN" (what an invalid operation produces) has its sign bit set: printed `-nan`. */
export const NAN_DEFAULT = new ExtendedFloat('nan', true, 0n, 0);
const INF = new ExtendedFloat('inf', false, 0n, 0);
const NEG_INF = new ExtendedFloat('inf', true, 0n, 0);

/** Collapse to a JS number when the value is a safe integer (or ±0). */
function simplify(x: ExtendedFloat): Num {
  if (x.kind !== 'finite') return x;
  if (x.mantissa === 0n) return x.negative ? -0 : 0;
  if (x.exponent >= 0) {
    if (bitLength(x.mantissa) + x.exponent <= 53) {
      const v = Number(x.mantissa << BigInt(x.exponent));
      return x.negative ? -v : v;
    }
    return x;
  }
  const shift = BigInt(-x.exponent);
  if ((x.mantissa & ((1n << shift) - 1n)) === 0n) {
    const ip = x.mantissa >> shift;
    if (ip <= 0x1fffffffffffffn) return x.negative ? -Number(ip) : Number(ip);
  }
  return x;
}

/**
 * Round sign × num/den × 2^exp2 to a 64-bit mantissa, ties to even (num ≥ 0, den > 0).
 */
function round(negative: boolean, num: bigint, den: bigint, exp2: number): Num {
  if (num === 0n) return negative ? -0 : 0;
  let e = bitLength(num) - bitLength(den) - 66;
  let n = num;
  let d = den;
  if (e >= 0) d = den << BigInt(e);
  else n = num << BigInt(-e);
  let q = n / d;
  const sticky = n - q * d !== 0n;
  const shift = bitLength(q) - 64;
  const dropped = q & ((1n << BigInt(shift)) - 1n);
  q >>= BigInt(shift);
  e += shift;
  const half = 1n << BigInt(shift - 1);
  if (dropped > half || (dropped === half && (sticky || (q & 1n) === 1n))) {
    q += 1n;
    if (q === TWO64) {
      q = TWO63;
      e += 1;
    }
  }
  const exponent = e + exp2;
  if (exponent + 63 > MAX_TOP_BIT) return negative ? NEG_INF : INF;
  if (exponent + 63 < MIN_TOP_BIT) return negative ? -0 : 0;
  return simplify(new ExtendedFloat('finite', negative, q, exponent));
}

/** sign × m × 2^e rounded to a long double (m ≥ 0). */
export function roundScaled(negative: boolean, m: bigint, e: number): Num {
  return round(negative, m, 1n, e);
}

/** A view of any Num as sign/mantissa/exponent. */
function parts(x: Num): ExtendedFloat {
  if (typeof x !== 'number') return x;
  if (Number.isNaN(x)) return NAN_POSITIVE;
  if (!Number.isFinite(x)) return x > 0 ? INF : NEG_INF;
  const negative = x < 0 || Object.is(x, -0);
  if (Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER) {
    return new ExtendedFloat('finite', negative, BigInt(Math.abs(x)), 0);
  }
  // Exact decomposition of a double.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  return new ExtendedFloat('finite', negative, mant, exp);
}

/** Widen a double (results of Math.*) to a Num exactly. NaN gets the given sign. */
export function fromDouble(d: number, nanNegative = false): Num {
  if (Number.isNaN(d)) return nanNegative ? NAN_DEFAULT : NAN_POSITIVE;
  if (!Number.isFinite(d)) return d > 0 ? INF : NEG_INF;
  if (Number.isSafeInteger(d) || d === 0) return d;
  const p = parts(d);
  return simplify(p);
}

export function toDouble(x: Num): number {
  if (typeof x === 'number') return x;
  if (x.kind === 'nan') return NaN;
  if (x.kind === 'inf') return x.negative ? -Infinity : Infinity;
  let v = Number(x.mantissa);
  let e = x.exponent;
  while (e > 1000) {
    v *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    v *= 2 ** -1000;
    e += 1000;
  }
  v *= 2 ** e;
  return x.negative ? -v : v;
}

export function isZero(x: Num): boolean {
  return typeof x === 'number' ? x === 0 : x.kind === 'finite' && x.mantissa === 0n;
}

/** Operations on non-finite values go through doubles; a NaN operand is passed on as it is. */
function nonFinite(a: ExtendedFloat, b: ExtendedFloat, op: (x: number, y: number) => number): Num {
  if (a.kind === 'nan') return a;
  if (b.kind === 'nan') return b;
  return fromDouble(op(toDouble(a), toDouble(b)), true);
}

export function add(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const x = parts(a);
  const y = parts(b);
  if (x.kind !== 'finite' || y.kind !== 'finite') return nonFinite(x, y, (p, q) => p + q);
  if (y.mantissa === 0n) return x.mantissa === 0n ? (x.negative && y.negative ? -0 : 0) : simplify(x);
  if (x.mantissa === 0n) return simplify(y);
  const topX = bitLength(x.mantissa) + x.exponent;
  const topY = bitLength(y.mantissa) + y.exponent;
  // A value more than 66 bits smaller cannot move the rounded result (no exact tie possible).
  if (topX - topY > 66) return simplify(x);
  if (topY - topX > 66) return simplify(y);
  const e = Math.min(x.exponent, y.exponent);
  const mx = x.mantissa << BigInt(x.exponent - e);
  const my = y.mantissa << BigInt(y.exponent - e);
  const sum = (x.negative ? -mx : mx) + (y.negative ? -my : my);
  if (sum === 0n) return 0;
  return round(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

export function negate(a: Num): Num {
  if (typeof a === 'number') return -a;
  return new ExtendedFloat(a.kind, !a.negative, a.mantissa, a.exponent);
}

export function sub(a: Num, b: Num): Num {
  return add(a, negate(b));
}

export function mul(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r) || r === 0) return r;
  }
  const x = parts(a);
  const y = parts(b);
  if (x.kind !== 'finite' || y.kind !== 'finite') return nonFinite(x, y, (p, q) => p * q);
  return round(x.negative !== y.negative, x.mantissa * y.mantissa, 1n, x.exponent + y.exponent);
}

/** a / b; the caller has already handled b == 0 the Asterisk way. */
export function div(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number' && b !== 0 && a % b === 0) return a / b;
  const x = parts(a);
  const y = parts(b);
  if (x.kind !== 'finite' || y.kind !== 'finite') return nonFinite(x, y, (p, q) => p / q);
  if (y.mantissa === 0n) return fromDouble(toDouble(x) / toDouble(y), true);
  return round(x.negative !== y.negative, x.mantissa, y.mantissa, x.exponent - y.exponent);
}

/** Aligned integer magnitudes of two finite values: |x| = A·2^e, |y| = B·2^e. */
function align(x: ExtendedFloat, y: ExtendedFloat): { A: bigint; B: bigint; e: number } {
  const e = Math.min(x.exponent, y.exponent);
  return {
    A: x.mantissa << BigInt(x.exponent - e),
    B: y.mantissa << BigInt(y.exponent - e),
    e,
  };
}

/** C fmodl: exact, result has the sign of the dividend. */
export function fmod(a: Num, b: Num): Num {
  if (typeof a === 'number' && typeof b === 'number' && b !== 0) return a % b;
  const x = parts(a);
  const y = parts(b);
  if (x.kind === 'nan') return x;
  if (y.kind === 'nan') return y;
  if (x.kind === 'inf' || (y.kind === 'finite' && y.mantissa === 0n)) return NAN_DEFAULT;
  if (y.kind === 'inf') return simplify(x);
  const { A, B, e } = align(x, y);
  const r = A % B;
  if (r === 0n) return x.negative ? -0 : 0;
  return round(x.negative, r, 1n, e);
}

/** C remainderl: x − n·y with n = x/y rounded to nearest, ties to even. Exact. */
export function remainder(a: Num, b: Num): Num {
  const x = parts(a);
  const y = parts(b);
  if (x.kind === 'nan') return x;
  if (y.kind === 'nan') return y;
  if (x.kind === 'inf' || (y.kind === 'finite' && y.mantissa === 0n)) return NAN_DEFAULT;
  if (y.kind === 'inf') return simplify(x);
  const { A, B, e } = align(x, y);
  const q = A / B;
  let r = A % B;
  if (2n * r > B || (2n * r === B && (q & 1n) === 1n)) r -= B;
  if (r === 0n) return x.negative ? -0 : 0;
  const neg = r < 0n ? !x.negative : x.negative;
  return round(neg, r < 0n ? -r : r, 1n, e);
}

/** -1, 0, 1, or NaN when unordered. -0 equals 0. */
export function compare(a: Num, b: Num): number {
  if (typeof a === 'number' && typeof b === 'number') {
    return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  }
  const x = parts(a);
  const y = parts(b);
  if (x.kind === 'nan' || y.kind === 'nan') return NaN;
  const sx = signOf(x);
  const sy = signOf(y);
  if (sx !== sy) return sx < sy ? -1 : 1;
  if (sx === 0) return 0;
  const mag = compareMagnitude(x, y);
  return sx > 0 ? mag : -mag;
}

function signOf(x: ExtendedFloat): number {
  if (x.kind === 'finite' && x.mantissa === 0n) return 0;
  return x.negative ? -1 : 1;
}

function compareMagnitude(x: ExtendedFloat, y: ExtendedFloat): number {
  if (x.kind === 'inf' || y.kind === 'inf') {
    if (x.kind === y.kind) return 0;
    return x.kind === 'inf' ? 1 : -1;
  }
  const tx = bitLength(x.mantissa) + x.exponent;
  const ty = bitLength(y.mantissa) + y.exponent;
  if (tx !== ty) return tx < ty ? -1 : 1;
  const { A, B } = align(x, y);
  return A < B ? -1 : A > B ? 1 : 0;
}

/** Asterisk's ABS: `x < 0 ? x * -1 : x`, so -0 and NaN come back unchanged. */
export function abs(a: Num): Num {
  return compare(a, 0) < 0 ? negate(a) : a;
}

export type RoundingMode = 'floor' | 'ceil' | 'trunc' | 'round' | 'rint';

/** FLOOR, CEIL, TRUNC, ROUND (halves away from zero), RINT (halves to even); signs of zero kept. */
export function roundToInteger(a: Num, mode: RoundingMode): Num {
  if (typeof a === 'number') return a;
  if (a.kind !== 'finite' || a.exponent >= 0) return a;
  const shift = BigInt(-a.exponent);
  let ip = a.mantissa >> shift;
  const frac = a.mantissa - (ip << shift);
  const half = 1n << (shift - 1n);
  let up = false;
  if (frac !== 0n) {
    switch (mode) {
      case 'floor':
        up = a.negative;
        break;
      case 'ceil':
        up = !a.negative;
        break;
      case 'trunc':
        up = false;
        break;
      case 'round':
        up = frac >= half;
        break;
      case 'rint':
        up = frac > half || (frac === half && (ip & 1n) === 1n);
        break;
    }
  }
  if (up) ip += 1n;
  if (ip === 0n) return a.negative ? -0 : 0;
  return round(a.negative, ip, 1n, 0);
}

/** floor(sqrt(n)) for n ≥ 0. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** sqrtl, correctly rounded. sqrt of a negative number is x87's default NaN (`-nan`). */
export function sqrt(a: Num): Num {
  const x = parts(a);
  if (x.kind === 'nan') return x;
  if (x.kind === 'finite' && x.mantissa === 0n) return x.negative ? -0 : 0;
  if (x.negative) return NAN_DEFAULT;
  if (x.kind === 'inf') return INF;
  let s = Math.max(0, 132 - bitLength(x.mantissa));
  if ((x.exponent - s) % 2 !== 0) s += 1;
  const m = x.mantissa << BigInt(s);
  const r = isqrt(m);
  const sticky = r * r !== m ? 1n : 0n;
  return round(false, 2n * r + sticky, 2n, (x.exponent - s) / 2);
}

const POW10: bigint[] = [];
function pow10(k: number): bigint {
  if (k < 64) {
    let v = POW10[k];
    if (v === undefined) {
      v = 10n ** BigInt(k);
      POW10[k] = v;
    }
    return v;
  }
  return 10n ** BigInt(k);
}

export interface StrtoldResult {
  value: Num;
  /** strtold set ERANGE (the value overflowed a long double). */
  overflow: boolean;
}

const WHITESPACE = ' \t\n\v\f\r';

/**
 * strtold on the kind of text `$[]` feeds it (digits, '.', '-', '+', blanks): the longest valid
 * prefix, 0 when there is none.
 */
export function strtold(text: string): StrtoldResult {
  if (text.length <= 15 && /^[0-9]+$/.test(text)) return { value: Number(text), overflow: false };
  let i = 0;
  while (i < text.length && WHITESPACE.includes(text[i] as string)) i++;
  let negative = false;
  if (text[i] === '-' || text[i] === '+') {
    negative = text[i] === '-';
    i++;
  }
  const intStart = i;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i++;
  const intDigits = text.slice(intStart, i);
  let fracDigits = '';
  if (text[i] === '.') {
    const fracStart = i + 1;
    let j = fracStart;
    while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
    fracDigits = text.slice(fracStart, j);
  }
  if (intDigits === '' && fracDigits === '') return { value: 0, overflow: false };
  const digits = (intDigits + fracDigits).replace(/^0+/, '');
  if (digits === '') return { value: negative ? -0 : 0, overflow: false };
  if (digits.length - fracDigits.length > 4933) {
    return { value: negative ? NEG_INF : INF, overflow: true };
  }
  const value = round(negative, BigInt(digits), pow10(fracDigits.length), 0);
  const overflow = typeof value !== 'number' && value.kind === 'inf';
  return { value, overflow };
}

/**
 * printf("%.18Lg"): 18 significant digits, trailing zeros removed, exponent form when the
 * decimal exponent is below -4 or at least 18; `nan`/`-nan`, `inf`/`-inf`.
 */
export function formatNum(x: Num): string {
  if (typeof x === 'number') {
    if (Number.isSafeInteger(x)) return Object.is(x, -0) ? '-0' : String(x);
    return formatNum(parts(x));
  }
  if (x.kind === 'nan') return x.negative ? '-nan' : 'nan';
  if (x.kind === 'inf') return x.negative ? '-inf' : 'inf';
  const sign = x.negative ? '-' : '';
  if (x.mantissa === 0n) return `${sign}0`;
  const PRECISION = 18;
  // Exact decimal expansion: value = D × 10^q.
  let digits: string;
  let q: number;
  if (x.exponent >= 0) {
    digits = (x.mantissa << BigInt(x.exponent)).toString();
    q = 0;
  } else {
    digits = (x.mantissa * 5n ** BigInt(-x.exponent)).toString();
    q = x.exponent;
  }
  let decExp = digits.length - 1 + q;
  if (digits.length > PRECISION) {
    const kept = digits.slice(0, PRECISION);
    const rest = digits.slice(PRECISION);
    const first = rest.charCodeAt(0) - 48;
    const tail = /[1-9]/.test(rest.slice(1));
    let n = BigInt(kept);
    const lastOdd = (kept.charCodeAt(PRECISION - 1) - 48) % 2 === 1;
    if (first > 5 || (first === 5 && (tail || lastOdd))) n += 1n;
    digits = n.toString();
    if (digits.length > PRECISION) {
      digits = digits.slice(0, PRECISION);
      decExp += 1;
    }
  }
  digits = digits.replace(/0+$/, '');
  if (digits === '') digits = '0';
  if (decExp < -4 || decExp >= PRECISION) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(decExp);
    return `${sign}${mantissa}e${decExp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (decExp < 0) return `${sign}0.${'0'.repeat(-decExp - 1)}${digits}`;
  if (digits.length <= decExp + 1) return `${sign}${digits}${'0'.repeat(decExp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, decExp + 1)}.${digits.slice(decExp + 1)}`;
}
