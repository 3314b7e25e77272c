/**
 * pbx_checkcondition (main/pbx.c), the truth test of GotoIf, ExecIf, IF() …:
 * empty → false; if sscanf("%30d") reads an integer → that integer's truth; any other
 * non-empty text → true. So `0`, `00`, `-0`, `0.9`, `0abc` are false; `abc` and `""` are true.
 */
export function checkCondition(value: string): boolean {
  if (value === '') return false;
  // %d skips leading white space, then an optional sign and digits, at most 30 characters.
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(value);
  if (!m) return true;
  const field = (m[1] as string).slice(0, 30);
  if (!/\d/.test(field)) return true;
  // Out-of-range conversions keep the low 32 bits, as glibc's scanf stores into an int.
  return BigInt.asIntN(32, BigInt(field)) !== 0n;
}
