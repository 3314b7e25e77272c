/** printf-style floating point conversions (%e %f %g %a) for non-negative doubles. */

function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  return s.replace(/\.?0+$/, '');
}

function expForm(v: number, precision: number, upper: boolean): string {
  let s = v.toExponential(precision); // "1.23e+5"
  s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  return upper ? s.toUpperCase() : s;
}

/** Format |v| (v ≥ 0) for conversion e, E, f, F, g, G, a or A. */
export function formatDouble(v: number, conv: string, precisionArg: number | null, alt: boolean): string {
  const upper = conv === conv.toUpperCase();
  if (Number.isNaN(v)) return upper ? 'NAN' : 'nan';
  if (!Number.isFinite(v)) return upper ? 'INF' : 'inf';
  const lower = conv.toLowerCase();
  if (lower === 'a') {
    const hex = v === 0 ? '0x0p+0' : hexFloat(v, precisionArg);
    return upper ? hex.toUpperCase() : hex;
  }
  const precision = precisionArg ?? 6;
  if (lower === 'f') {
    const s = v.toFixed(Math.min(precision, 100));
    return alt && precision === 0 ? `${s}.` : s;
  }
  if (lower === 'e') return expForm(v, Math.min(precision, 100), upper);
  // %g: precision P (0 → 1); exponent X of the %e form; fixed when P > X ≥ -4.
  const p = precision === 0 ? 1 : precision;
  const x = v === 0 ? 0 : Number(v.toExponential(Math.min(p - 1, 100)).split('e')[1]);
  let s = p > x && x >= -4 ? v.toFixed(Math.min(p - 1 - x, 100)) : expForm(v, Math.min(p - 1, 100), upper);
  if (!alt) {
    const [mant, exp] = s.split(/(?=[eE])/);
    s = trimZeros(mant as string) + (exp ?? '');
  }
  return s;
}

function hexFloat(v: number, precision: number | null): string {
  let e = Math.floor(Math.log2(v));
  let m = v / 2 ** e;
  if (m >= 2) {
    m /= 2;
    e++;
  }
  let frac = (m - 1).toString(16).slice(2);
  if (precision !== null) frac = frac.slice(0, precision).padEnd(precision, '0');
  return `0x1${frac ? `.${frac}` : ''}p${e >= 0 ? '+' : ''}${e}`;
}
