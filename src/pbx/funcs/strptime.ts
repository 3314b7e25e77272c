/**
 * STRPTIME(datetime,timezone,format) (func_strings.c acf_strptime): parses the text with a C
 * strptime-style format, reads it as wall-clock time in the zone (default local) and gives the
 * Unix time. A text that does not match gives a warning and an empty result.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { makeTime, MONTH_NAMES, resolveZone, WEEKDAY_NAMES } from './zone-time.js';

interface Parsed {
  year: number;
  month: number;
  mday: number;
  hour: number;
  minute: number;
  second: number;
  pm: boolean | null;
  epoch: number | null;
  gmtoff: number | null;
}

function matchName(text: string, at: number, names: string[]): [number, number] | null {
  const lower = text.slice(at).toLowerCase();
  for (let i = 0; i < names.length; i++) {
    const full = (names[i] as string).toLowerCase();
    if (lower.startsWith(full)) return [i, full.length];
  }
  for (let i = 0; i < names.length; i++) {
    const abbr = (names[i] as string).slice(0, 3).toLowerCase();
    if (lower.startsWith(abbr)) return [i, 3];
  }
  return null;
}

/** Returns null when the text does not match the format. */
export function strptime(text: string, format: string): Parsed | null {
  const r: Parsed = { year: 1900, month: 0, mday: 1, hour: 0, minute: 0, second: 0, pm: null, epoch: null, gmtoff: null };
  let pos = 0;
  const num = (maxDigits: number, min: number, max: number): number | null => {
    while (text[pos] === ' ') pos++;
    const m = new RegExp(`^[+-]?\\d{1,${maxDigits}}`).exec(text.slice(pos));
    if (!m) return null;
    const v = Number(m[0]);
    if (v < min || v > max) return null;
    pos += m[0].length;
    return v;
  };
  const expand = (f: string): string =>
    f.replace(/%([TDRrFc])/g, (_, c: string) =>
      ({ T: '%H:%M:%S', D: '%m/%d/%y', R: '%H:%M', r: '%I:%M:%S %p', F: '%Y-%m-%d', c: '%a %b %e %H:%M:%S %Y' })[c] ?? '',
    );
  const fmt = expand(format);
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i] as string;
    if (/\s/.test(ch)) {
      while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
      continue;
    }
    if (ch !== '%') {
      if (text[pos] !== ch) return null;
      pos++;
      continue;
    }
    let c = fmt[++i];
    if (c === 'E' || c === 'O') c = fmt[++i];
    let v: number | null;
    switch (c) {
      case 'Y': v = num(4, 0, 9999); if (v === null) return null; r.year = v; break;
      case 'y': v = num(2, 0, 99); if (v === null) return null; r.year = v < 69 ? 2000 + v : 1900 + v; break;
      case 'm': v = num(2, 1, 12); if (v === null) return null; r.month = v - 1; break;
      case 'd':
      case 'e': v = num(2, 1, 31); if (v === null) return null; r.mday = v; break;
      case 'H':
      case 'k': v = num(2, 0, 23); if (v === null) return null; r.hour = v; break;
      case 'I':
      case 'l': v = num(2, 1, 12); if (v === null) return null; r.hour = v % 12; break;
      case 'M': v = num(2, 0, 59); if (v === null) return null; r.minute = v; break;
      case 'S': v = num(2, 0, 61); if (v === null) return null; r.second = v; break;
      case 'j': v = num(3, 1, 366); if (v === null) return null; r.month = 0; r.mday = v; break;
      case 's': {
        const m = /^\s*-?\d+/.exec(text.slice(pos));
        if (!m) return null;
        pos += m[0].length;
        r.epoch = Number(m[0]);
        break;
      }
      case 'b':
      case 'B':
      case 'h': {
        const m = matchName(text, pos, MONTH_NAMES);
        if (!m) return null;
        r.month = m[0];
        pos += m[1];
        break;
      }
      case 'a':
      case 'A': {
        const m = matchName(text, pos, WEEKDAY_NAMES);
        if (!m) return null;
        pos += m[1];
        break;
      }
      case 'p': {
        const t = text.slice(pos, pos + 2).toUpperCase();
        if (t !== 'AM' && t !== 'PM') return null;
        r.pm = t === 'PM';
        pos += 2;
        break;
      }
      case 'z': {
        const m = /^\s*(Z|[+-]\d{2}:?\d{2})/.exec(text.slice(pos));
        if (!m) return null;
        pos += m[0].length;
        const z = m[1] as string;
        if (z === 'Z') r.gmtoff = 0;
        else {
          const digits = z.replace(':', '');
          const off = Number(digits.slice(1, 3)) * 3600 + Number(digits.slice(3, 5)) * 60;
          r.gmtoff = z.startsWith('-') ? -off : off;
        }
        break;
      }
      case 'n':
      case 't':
        while (pos < text.length && /\s/.test(text[pos] as string)) pos++;
        break;
      case '%':
        if (text[pos] !== '%') return null;
        pos++;
        break;
      default:
        return null;
    }
  }
  if (r.pm === true) r.hour = (r.hour % 12) + 12;
  return r;
}

export const STRPTIME: DialplanFunction = {
  name: 'STRPTIME',
  synopsis: 'Returns the epoch of the arbitrary date/time string structured as described by the format.',
  syntax: 'STRPTIME(datetime,timezone,format)',
  description: 'Reads a date/time text with strptime conversions (e.g. %Y-%m-%d %H:%M:%S) as local time in the zone and gives the Unix time.',
  read: (call) => {
    const args = splitArgs(call.args, ',', { max: 3 });
    if (call.args === '') throw new FunctionError('Asterisk function STRPTIME() requires an argument.');
    if (args.length < 3 || args[2] === '') {
      throw new FunctionError('No format supplied to STRPTIME(<timestring>,<timezone>,<format>)');
    }
    const [datetime, zone, format] = args as [string, string, string];
    const parsed = strptime(datetime, format);
    if (!parsed) {
      call.services.log.warn('STRPTIME() found no time specified within the string');
      return '';
    }
    if (parsed.epoch !== null) return String(parsed.epoch);
    if (parsed.gmtoff !== null) {
      const wall = Date.UTC(parsed.year, parsed.month, parsed.mday, parsed.hour, parsed.minute, parsed.second) / 1000;
      return String(wall - parsed.gmtoff);
    }
    return String(makeTime(parsed, resolveZone(zone)));
  },
};
