/**
 * STRFTIME([epoch][,timezone[,format]]) (func_strings.c acf_strftime): the time (default now;
 * fractional seconds allowed) in the zone (default local) formatted C-locale strftime style;
 * default format %c. Asterisk's extra `%q`/`%1q`..`%6q` print fractions of a second.
 */
import { splitArgs } from '../args.js';
import type { DialplanFunction } from '../types.js';
import { breakDown, MONTH_NAMES, resolveZone, WEEKDAY_NAMES, type BrokenDownTime } from './zone-time.js';

const p2 = (n: number): string => String(n).padStart(2, '0');
const p3 = (n: number): string => String(n).padStart(3, '0');

/** ISO 8601 week-based year and week number. */
function isoWeek(t: BrokenDownTime): { year: number; week: number } {
  const wdayMon = (t.wday + 6) % 7; // Monday = 0
  let year = t.year;
  let week = Math.floor((t.yday - wdayMon + 10) / 7);
  const weeksIn = (y: number): number => {
    const jan1 = new Date(Date.UTC(y, 0, 1)).getUTCDay();
    const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    return jan1 === 4 || (leap && jan1 === 3) ? 53 : 52;
  };
  if (week < 1) {
    year -= 1;
    week = weeksIn(year);
  } else if (week > weeksIn(year)) {
    year += 1;
    week = 1;
  }
  return { year, week };
}

/** strftime in the C locale, on a broken-down time plus the epoch (for %s) and microseconds. */
export function strftime(format: string, t: BrokenDownTime, epochSeconds: number, micros = 0): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] as string;
    if (ch !== '%' || i + 1 >= format.length) {
      out += ch;
      continue;
    }
    let c = format[++i] as string;
    // Asterisk's %1q..%6q: that many digits of the fraction of a second.
    if (c >= '1' && c <= '6' && format[i + 1] === 'q') {
      out += String(micros).padStart(6, '0').slice(0, Number(c));
      i++;
      continue;
    }
    if ((c === 'E' || c === 'O') && i + 1 < format.length) c = format[++i] as string; // C locale: same
    const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
    switch (c) {
      case 'a': out += (WEEKDAY_NAMES[t.wday] as string).slice(0, 3); break;
      case 'A': out += WEEKDAY_NAMES[t.wday] as string; break;
      case 'b':
      case 'h': out += (MONTH_NAMES[t.month] as string).slice(0, 3); break;
      case 'B': out += MONTH_NAMES[t.month] as string; break;
      case 'c': out += strftime('%a %b %e %H:%M:%S %Y', t, epochSeconds, micros); break;
      case 'C': out += p2(Math.floor(t.year / 100)); break;
      case 'd': out += p2(t.mday); break;
      case 'D': out += strftime('%m/%d/%y', t, epochSeconds, micros); break;
      case 'e': out += String(t.mday).padStart(2, ' '); break;
      case 'F': out += strftime('%Y-%m-%d', t, epochSeconds, micros); break;
      case 'g': out += p2(isoWeek(t).year % 100); break;
      case 'G': out += String(isoWeek(t).year); break;
      case 'H': out += p2(t.hour); break;
      case 'I': out += p2(hour12); break;
      case 'j': out += p3(t.yday + 1); break;
      case 'k': out += String(t.hour).padStart(2, ' '); break;
      case 'l': out += String(hour12).padStart(2, ' '); break;
      case 'm': out += p2(t.month + 1); break;
      case 'M': out += p2(t.minute); break;
      case 'n': out += '\n'; break;
      case 'p': out += t.hour < 12 ? 'AM' : 'PM'; break;
      case 'P': out += t.hour < 12 ? 'am' : 'pm'; break;
      case 'q': out += String(Math.floor(micros / 100000)); break;
      case 'r': out += strftime('%I:%M:%S %p', t, epochSeconds, micros); break;
      case 'R': out += strftime('%H:%M', t, epochSeconds, micros); break;
      case 's': out += String(epochSeconds); break;
      case 'S': out += p2(t.second); break;
      case 't': out += '\t'; break;
      case 'T': out += strftime('%H:%M:%S', t, epochSeconds, micros); break;
      case 'u': out += String(t.wday === 0 ? 7 : t.wday); break;
      case 'U': out += p2(Math.floor((t.yday + 7 - t.wday) / 7)); break;
      case 'V': out += p2(isoWeek(t).week); break;
      case 'w': out += String(t.wday); break;
      case 'W': out += p2(Math.floor((t.yday + 7 - ((t.wday + 6) % 7)) / 7)); break;
      case 'x': out += strftime('%m/%d/%y', t, epochSeconds, micros); break;
      case 'X': out += strftime('%H:%M:%S', t, epochSeconds, micros); break;
      case 'y': out += p2(((t.year % 100) + 100) % 100); break;
      case 'Y': out += String(t.year); break;
      case 'z': {
        const off = Math.abs(t.gmtoff);
        out += `${t.gmtoff < 0 ? '-' : '+'}${p2(Math.floor(off / 3600))}${p2(Math.floor((off % 3600) / 60))}`;
        break;
      }
      case 'Z': out += t.zone; break;
      case '%': out += '%'; break;
      default: out += `%${c}`;
    }
  }
  return out;
}

/**
 * ast_get_timeval(): "seconds[.fraction]"; anything unparsable (or empty) means now.
 * Returns epoch seconds and microseconds.
 */
export function parseEpoch(text: string, nowMs: number): { seconds: number; micros: number } {
  const m = /^\s*(-?\d+)(?:\.(\d*))?/.exec(text);
  if (!m) return { seconds: Math.floor(nowMs / 1000), micros: Math.floor((nowMs % 1000) * 1000) };
  const micros = m[2] ? Number(m[2].slice(0, 6).padEnd(6, '0')) : 0;
  return { seconds: Number(m[1]), micros };
}

export const STRFTIME: DialplanFunction = {
  name: 'STRFTIME',
  synopsis: 'Returns the current date/time in the specified format.',
  syntax: 'STRFTIME([epoch][,timezone[,format]])',
  description:
    'Formats a Unix time (default: now) in a time zone (default: the local one) with strftime conversions such as %Y-%m-%d %H:%M:%S; default format %c.',
  read: (call) => {
    const [epochArg = '', zoneArg = '', format] = splitArgs(call.args, ',', { max: 3 });
    const { seconds, micros } = parseEpoch(epochArg, call.services.clock.wallNow());
    const t = breakDown(seconds * 1000, resolveZone(zoneArg));
    return strftime(format ?? '%c', t, seconds, micros);
  },
};
