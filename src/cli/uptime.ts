/**
 * Asterisk's `core show uptime` wording: the largest units first (years, weeks, days, hours,
 * minutes, seconds), zero units left out, singular for 1, "0 seconds" for nothing at all.
 */
const UNITS: Array<[string, number]> = [
  ['year', 365 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

export function describeDuration(totalSeconds: number): string {
  let x = Math.max(0, Math.floor(totalSeconds));
  const parts: string[] = [];
  for (const [name, size] of UNITS) {
    if (x >= size) {
      const n = Math.floor(x / size);
      x -= n * size;
      parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    }
  }
  if (x > 0 || parts.length === 0) parts.push(`${x} second${x === 1 ? '' : 's'}`);
  return parts.join(', ');
}
