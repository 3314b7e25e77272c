/**
 * The math functions of `$[...]` (COS, SIN, TAN, ACOS, ASIN, ATAN, ATAN2, EXP, EXP2, EXP10, LOG,
 * LOG2, LOG10, POW) computed with 128-bit binary floating point (BigInt mantissa) and then
 * rounded once to the 64-bit mantissa of an x87 long double. glibc's long double functions are
 * accurate to well under an ulp, so this reproduces Asterisk's printed digits (checked against
 * the shared vectors) where a double-precision Math.* call would differ in the 17th digit.
 *
 * Invalid arguments give a NaN printed `nan` (what glibc's wrappers return, e.g. ACOS(12)),
 * except where the x87 unit itself raises invalid (sin/cos/tan of ±inf, pow of a negative
 * number to a fraction): x87's default NaN, printed `-nan`.
 */
import { bitLength, ExtendedFloat, fromDouble, isqrt, NAN_DEFAULT, NAN_POSITIVE, roundScaled, toDouble, type Num } from './long-double.js';

const P = 128;

/** value = m · 2^e; |m| kept below 2^P. */
interface BigFloat {
  m: bigint;
  e: number;
}

function norm(m: bigint, e: number): BigFloat {
  const bl = bitLength(m);
  if (bl > P) {
    const s = BigInt(bl - P);
    return { m: m < 0n ? -(-m >> s) : m >> s, e: e + Number(s) };
  }
  return { m, e };
}

const ZERO: BigFloat = { m: 0n, e: 0 };
const ONE: BigFloat = { m: 1n, e: 0 };

function fromInt(n: number | bigint): BigFloat {
  return norm(BigInt(n), 0);
}

function neg(a: BigFloat): BigFloat {
  return { m: -a.m, e: a.e };
}

function isZero(a: BigFloat): boolean {
  return a.m === 0n;
}

/** Binary exponent of the top bit (a rough magnitude); -Infinity for zero. */
function magnitude(a: BigFloat): number {
  return a.m === 0n ? -Infinity : bitLength(a.m) + a.e;
}

function add(a: BigFloat, b: BigFloat): BigFloat {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const ma = magnitude(a);
  const mb = magnitude(b);
  if (ma - mb > P + 8) return a;
  if (mb - ma > P + 8) return b;
  const e = Math.min(a.e, b.e);
  return norm((a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e)), e);
}

function sub(a: BigFloat, b: BigFloat): BigFloat {
  return add(a, neg(b));
}

function mul(a: BigFloat, b: BigFloat): BigFloat {
  return norm(a.m * b.m, a.e + b.e);
}

function div(a: BigFloat, b: BigFloat): BigFloat {
  if (b.m === 0n) throw new RangeError('division by zero');
  const s = Math.max(0, P + 2 + bitLength(b.m) - bitLength(a.m));
  return norm((a.m << BigInt(s)) / b.m, a.e - b.e - s);
}

function divInt(a: BigFloat, k: number): BigFloat {
  return div(a, fromInt(k));
}

function sqrt(a: BigFloat): BigFloat {
  if (a.m <= 0n) return ZERO;
  let s = Math.max(0, 2 * P + 4 - bitLength(a.m));
  if ((a.e - s) % 2 !== 0) s++;
  return norm(isqrt(a.m << BigInt(s)), (a.e - s) / 2);
}

function cmp(a: BigFloat, b: BigFloat): number {
  const d = sub(a, b);
  return d.m === 0n ? 0 : d.m < 0n ? -1 : 1;
}

/** Smaller than 2^-(P+4) relative to a result of order 1. */
function negligible(term: BigFloat): boolean {
  return magnitude(term) < -(P + 4);
}

/** atanh(t) for small |t| (series t + t³/3 + t⁵/5 …). */
function atanhSeries(t: BigFloat): BigFloat {
  const t2 = mul(t, t);
  let power = t;
  let sum = t;
  for (let k = 3; k < 4000; k += 2) {
    power = mul(power, t2);
    const term = divInt(power, k);
    if (negligible(term)) break;
    sum = add(sum, term);
  }
  return sum;
}

/** atan(t) for small |t| (series t − t³/3 + t⁵/5 …). */
function atanSeries(t: BigFloat): BigFloat {
  const t2 = mul(t, t);
  let power = t;
  let sum = t;
  for (let k = 3, sign = -1; k < 4000; k += 2, sign = -sign) {
    power = mul(power, t2);
    const term = divInt(power, k);
    if (negligible(term)) break;
    sum = sign < 0 ? sub(sum, term) : add(sum, term);
  }
  return sum;
}

let ln2Cache: BigFloat | null = null;
let piCache: BigFloat | null = null;
let ln10Cache: BigFloat | null = null;

function LN2(): BigFloat {
  ln2Cache ??= mul(fromInt(2), atanhSeries(div(ONE, fromInt(3))));
  return ln2Cache;
}

function PI(): BigFloat {
  // Machin: π = 16·atan(1/5) − 4·atan(1/239).
  piCache ??= sub(mul(fromInt(16), atanSeries(div(ONE, fromInt(5)))), mul(fromInt(4), atanSeries(div(ONE, fromInt(239)))));
  return piCache;
}

function LN10(): BigFloat {
  ln10Cache ??= logPositive(fromInt(10));
  return ln10Cache;
}

/** Natural log of a positive value: x = m·2^k with m near 1, log m = 2·atanh((m−1)/(m+1)). */
function logPositive(x: BigFloat): BigFloat {
  let k = magnitude(x) - 1; // x / 2^k in [1, 2)
  let m: BigFloat = { m: x.m, e: x.e - k };
  // Move m into [√½, √2) so |t| ≤ 0.172.
  if (cmp(m, { m: 181n, e: -7 }) > 0) {
    m = { m: m.m, e: m.e - 1 };
    k += 1;
  }
  const t = div(sub(m, ONE), add(m, ONE));
  return add(mul(fromInt(k), LN2()), mul(fromInt(2), atanhSeries(t)));
}

/** e^x; the caller handles overflow. */
function expBig(x: BigFloat): BigFloat {
  const k = roundToBigInt(div(x, LN2()));
  const r = sub(x, mul(norm(k, 0), LN2())); // |r| ≤ ~0.35
  let term = ONE;
  let sum = ONE;
  for (let i = 1; i < 4000; i++) {
    term = divInt(mul(term, r), i);
    if (negligible(term)) break;
    sum = add(sum, term);
  }
  return { m: sum.m, e: sum.e + Number(k) };
}

function roundToBigInt(a: BigFloat): bigint {
  if (a.e >= 0) return a.m << BigInt(a.e);
  const s = BigInt(-a.e);
  const half = 1n << (s - 1n);
  return a.m >= 0n ? (a.m + half) >> s : -((-a.m + half) >> s);
}

/** Fixed-point bits of the wide π/2 used for argument reduction. */
const WIDE = 448;
let halfPiWide: bigint | null = null;

/** atan(1/n) · 2^bits, integer series. */
function atanInverse(n: bigint, bits: bigint): bigint {
  const one = 1n << bits;
  let power = one / n;
  let sum = power;
  const n2 = n * n;
  for (let k = 3n, sign = -1n; power !== 0n; k += 2n, sign = -sign) {
    power /= n2;
    sum += (sign * power) / k;
  }
  return sum;
}

/** π/2 with WIDE fractional bits (Machin's formula with 16 guard bits). */
function HALF_PI_WIDE(): bigint {
  if (halfPiWide === null) {
    const bits = BigInt(WIDE + 16);
    const pi = 16n * atanInverse(5n, bits) - 4n * atanInverse(239n, bits);
    halfPiWide = pi >> 17n;
  }
  return halfPiWide;
}

/**
 * x − q·π/2 for the nearest integer q, computed with a 448-bit π/2 so that the cancellation
 * near a multiple of π/2 (e.g. SIN of a long double close to π) keeps full precision.
 */
function reduceHalfPi(x: BigFloat): { q: bigint; r: BigFloat } {
  const halfPi: BigFloat = { m: PI().m, e: PI().e - 1 };
  const q = roundToBigInt(div(x, halfPi));
  if (q === 0n) return { q, r: x };
  const shift = x.e + WIDE;
  const fixed = shift >= 0 ? x.m << BigInt(shift) : x.m >> BigInt(-shift);
  return { q, r: norm(fixed - q * HALF_PI_WIDE(), -WIDE) };
}

/** sin and cos of x (|x| < 2^64; larger arguments are left to double precision). */
function sinCos(x: BigFloat): { sin: BigFloat; cos: BigFloat } {
  const { q, r } = reduceHalfPi(x); // |r| ≤ π/4
  const r2 = mul(r, r);
  let sinSum = r;
  let sinTerm = r;
  let cosSum = ONE;
  let cosTerm = ONE;
  for (let i = 1; i < 2000; i++) {
    sinTerm = neg(div(mul(sinTerm, r2), fromInt((2 * i) * (2 * i + 1))));
    cosTerm = neg(div(mul(cosTerm, r2), fromInt((2 * i - 1) * (2 * i))));
    if (negligible(sinTerm) && negligible(cosTerm)) break;
    sinSum = add(sinSum, sinTerm);
    cosSum = add(cosSum, cosTerm);
  }
  switch (Number(((q % 4n) + 4n) % 4n)) {
    case 0:
      return { sin: sinSum, cos: cosSum };
    case 1:
      return { sin: cosSum, cos: neg(sinSum) };
    case 2:
      return { sin: neg(sinSum), cos: neg(cosSum) };
    default:
      return { sin: neg(cosSum), cos: sinSum };
  }
}

/** atan(x) for any finite x. */
function atanBig(x: BigFloat): BigFloat {
  if (isZero(x)) return ZERO;
  const negative = x.m < 0n;
  let a = negative ? neg(x) : x;
  let invert = false;
  if (cmp(a, ONE) > 0) {
    a = div(ONE, a);
    invert = true;
  }
  // Halve the angle twice: atan(a) = 2·atan(a / (1 + √(1 + a²))).
  for (let i = 0; i < 2; i++) a = div(a, add(ONE, sqrt(add(ONE, mul(a, a)))));
  let r = mul(fromInt(4), atanSeries(a));
  if (invert) r = sub({ m: PI().m, e: PI().e - 1 }, r);
  return negative ? neg(r) : r;
}

/** atan2(y, x) with C's quadrant and signed-zero rules. */
function atan2Big(y: BigFloat, yNeg: boolean, x: BigFloat, xNeg: boolean): BigFloat | 'negzero' {
  if (isZero(y)) {
    if (!xNeg) return yNeg ? 'negzero' : ZERO;
    return yNeg ? neg(PI()) : PI();
  }
  if (isZero(x)) {
    const hp = { m: PI().m, e: PI().e - 1 };
    return yNeg ? neg(hp) : hp;
  }
  const base = atanBig(div(y, x));
  if (!xNeg) return base;
  return yNeg ? sub(base, PI()) : add(base, PI());
}

// ---- conversion between Num and BigFloat --------------------------------------------------

type Special = 'nan' | 'inf' | '-inf';

function toBig(x: Num): BigFloat | Special {
  if (typeof x === 'number') {
    if (Number.isNaN(x)) return 'nan';
    if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
    if (Number.isInteger(x) && Math.abs(x) <= Number.MAX_SAFE_INTEGER) return fromInt(x);
    return toBig(fromDoubleExact(x));
  }
  if (x.kind === 'nan') return 'nan';
  if (x.kind === 'inf') return x.negative ? '-inf' : 'inf';
  return { m: x.negative ? -x.mantissa : x.mantissa, e: x.exponent };
}

function fromDoubleExact(d: number): ExtendedFloat {
  const r = fromDouble(d);
  if (typeof r !== 'number') return r;
  return new ExtendedFloat('finite', r < 0 || Object.is(r, -0), BigInt(Math.abs(r)), 0);
}

function isNegative(x: Num): boolean {
  return typeof x === 'number' ? x < 0 || Object.is(x, -0) : x.negative;
}

/** Round once to a long double (64-bit mantissa, ties to even). */
function toNum(a: BigFloat): Num {
  if (a.m === 0n) return 0;
  return roundScaled(a.m < 0n, a.m < 0n ? -a.m : a.m, a.e);
}

const INF = fromDouble(Infinity);
const NEG_INF = fromDouble(-Infinity);

// Long double range: e^11356.5 ≈ LDBL_MAX; below e^-11400 everything rounds to 0.
const EXP_OVERFLOW = 11357;
const EXP_UNDERFLOW = -11400;

function expNum(x: BigFloat): Num {
  const approx = Number(x.m) * 2 ** x.e;
  if (approx > EXP_OVERFLOW) return INF;
  if (approx < EXP_UNDERFLOW) return 0;
  return toNum(expBig(x));
}

export function expL(x: Num): Num {
  const b = toBig(x);
  if (b === 'nan') return x;
  if (b === 'inf') return INF;
  if (b === '-inf') return 0;
  return expNum(b);
}

export function exp2L(x: Num): Num {
  const b = toBig(x);
  if (b === 'nan') return x;
  if (b === 'inf') return INF;
  if (b === '-inf') return 0;
  return expNum(mul(b, LN2()));
}

export function exp10L(x: Num): Num {
  const b = toBig(x);
  if (b === 'nan') return x;
  if (b === 'inf') return INF;
  if (b === '-inf') return 0;
  return expNum(mul(b, LN10()));
}

function logWith(x: Num, scale: (l: BigFloat) => BigFloat): Num {
  const b = toBig(x);
  if (b === 'nan') return x;
  if (b === 'inf') return INF;
  if (b === '-inf') return NAN_POSITIVE;
  if (b.m === 0n) return NEG_INF;
  if (b.m < 0n) return NAN_POSITIVE;
  return toNum(scale(logPositive(b)));
}

export function logL(x: Num): Num {
  return logWith(x, (l) => l);
}

export function log2L(x: Num): Num {
  return logWith(x, (l) => div(l, LN2()));
}

export function log10L(x: Num): Num {
  return logWith(x, (l) => div(l, LN10()));
}

/** sin/cos/tan; beyond 2^63 (where x87 gives up) fall back to double precision. */
function trig(x: Num, pick: (sc: { sin: BigFloat; cos: BigFloat }) => BigFloat, fallback: (d: number) => number): Num {
  const b = toBig(x);
  if (b === 'nan') return x;
  if (b === 'inf' || b === '-inf') return NAN_DEFAULT;
  if (b.m === 0n && pick === pickSin) return x;
  if (magnitude(b) > 63) return fromDouble(fallback(toDouble(x)));
  return toNum(pick(sinCos(b)));
}

const pickSin = (sc: { sin: BigFloat; cos: BigFloat }): BigFloat => sc.sin;
const pickCos = (sc: { sin: BigFloat; cos: BigFloat }): BigFloat => sc.cos;
const pickTan = (sc: { sin: BigFloat; cos: BigFloat }): BigFloat => div(sc.sin, sc.cos);

export function sinL(x: Num): Num {
  return trig(x, pickSin, Math.sin);
}

export function cosL(x: Num): Num {
  return trig(x, pickCos, Math.cos);
}

export function tanL(x: Num): Num {
  const b = toBig(x);
  if (b !== 'nan' && b !== 'inf' && b !== '-inf' && b.m === 0n) return x;
  return trig(x, pickTan, Math.tan);
}

export function atanL(x: Num): Num {
  const b = toBig(x);
  if (b === 'nan') return x;
  const hp = { m: PI().m, e: PI().e - 1 };
  if (b === 'inf') return toNum(hp);
  if (b === '-inf') return toNum(neg(hp));
  if (b.m === 0n) return x;
  return toNum(atanBig(b));
}

export function atan2L(y: Num, x: Num): Num {
  const by = toBig(y);
  const bx = toBig(x);
  if (by === 'nan') return y;
  if (bx === 'nan') return x;
  if (typeof by === 'string' || typeof bx === 'string') {
    return fromDouble(Math.atan2(toDouble(y), toDouble(x)));
  }
  const r = atan2Big(by, isNegative(y), bx, isNegative(x));
  return r === 'negzero' ? -0 : toNum(r);
}

/** asin/acos through atan2 with √(1 − x²); |x| > 1 is a domain error (`nan`). */
function arc(x: Num, fn: (x: BigFloat, root: BigFloat, xNeg: boolean) => BigFloat | 'negzero'): Num {
  const b = toBig(x);
  if (b === 'nan') return x;
  if (b === 'inf' || b === '-inf') return NAN_POSITIVE;
  if (cmp(b.m < 0n ? neg(b) : b, ONE) > 0) return NAN_POSITIVE;
  const root = sqrt(sub(ONE, mul(b, b)));
  const r = fn(b, root, isNegative(x));
  return r === 'negzero' ? -0 : toNum(r);
}

export function asinL(x: Num): Num {
  if (typeof x === 'number' && x === 0) return x;
  return arc(x, (v, root, vNeg) => atan2Big(v, vNeg, root, false));
}

export function acosL(x: Num): Num {
  return arc(x, (v, root, vNeg) => atan2Big(root, false, v, vNeg));
}

/** powl for the common cases; special values follow C99 Annex F. */
export function powL(x: Num, y: Num): Num {
  const bx = toBig(x);
  const by = toBig(y);
  if (by !== 'nan' && by !== 'inf' && by !== '-inf' && by.m === 0n) return 1;
  if (bx === 'nan') return x;
  if (by === 'nan') return y;
  if (typeof bx === 'string' || typeof by === 'string') {
    return fromDouble(Math.pow(toDouble(x), toDouble(y)), true);
  }
  const yInt = by.e >= 0 || (by.m & ((1n << BigInt(-by.e)) - 1n)) === 0n;
  const yOdd = yInt && (by.e > 0 ? false : ((by.e === 0 ? by.m : by.m >> BigInt(-by.e)) & 1n) !== 0n);
  if (bx.m === 0n) {
    const negZero = isNegative(x);
    if (by.m > 0n) return yOdd && negZero ? -0 : 0;
    return yOdd && negZero ? NEG_INF : INF;
  }
  let base = bx;
  let negate = false;
  if (bx.m < 0n) {
    if (!yInt) return NAN_DEFAULT;
    base = neg(bx);
    negate = yOdd;
  }
  const l = mul(by, logPositive(base));
  const r = expNum(l);
  if (!negate) return r;
  return typeof r === 'number' ? -r : new ExtendedFloat(r.kind, !r.negative, r.mantissa, r.exponent);
}
