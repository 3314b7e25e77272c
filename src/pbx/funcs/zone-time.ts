/**
 * Broken-down time in a zone (C's struct tm) via Intl, for STRFTIME/STRPTIME. An empty zone is
 * the system's local zone; an unknown zone falls back to UTC.
 */

/** The wall-clock fields of a moment in a zone (undefined: local), without offset or zone name. */
export interface WallClock {
  year: number;
  /** 0..11 */
  month: number;
  /** 1..31 */
  mday: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  wday: number;
}

/** C's struct tm: the wall clock plus the day of the year and the zone's offset and name. */
export interface BrokenDownTime extends WallClock {
  /** 0..365 */
  yday: number;
  /** Seconds east of UTC. */
  gmtoff: number;
  /** Zone abbreviation, e.g. "UTC", "EST", "CET". */
  zone: string;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const formatters = new Map<string, Intl.DateTimeFormat>();
const abbreviations = new Map<string, Intl.DateTimeFormat>();
const usAbbreviations = new Map<string, Intl.DateTimeFormat>();

function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone name to use: undefined for local time. */
export function resolveZone(zone: string): string | undefined {
  const z = zone.trim();
  if (z === '') return undefined;
  // A zone that already has a formatter is valid: no test formatter built per call.
  return formatters.has(z) || isValidZone(z) ? z : 'UTC';
}

function formatter(zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? '';
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      era: 'short',
    });
    formatters.set(key, f);
  }
  return f;
}

/** A cached `timeZoneName: 'short'` formatter of the locale for the zone. */
function zoneNameFormatter(cache: Map<string, Intl.DateTimeFormat>, locale: string, zone: string | undefined): Intl.DateTimeFormat {
  const key = zone ?? '';
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    cache.set(key, f);
  }
  return f;
}

function abbreviation(zone: string | undefined, date: Date): string {
  let name = zoneNameFormatter(abbreviations, 'en-GB', zone).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
  if (/^GMT[+-]/.test(name)) {
    const us = zoneNameFormatter(usAbbreviations, 'en-US', zone);
    const alt = us.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? name;
    name = /^GMT[+-]/.test(alt) ? name : alt;
  }
  if (name === 'GMT' && (zone === 'UTC' || zone === 'Etc/UTC')) name = 'UTC';
  return name;
}

function dayOfYear(year: number, month: number, mday: number): number {
  return Math.round((Date.UTC(year, month, mday) - Date.UTC(year, 0, 1)) / 86400000);
}

/** The wall clock in the zone at `date`, read from one formatToParts call. */
export function wallClock(date: Date, zone: string | undefined): WallClock {
  const t: WallClock = { year: 0, month: 0, mday: 1, hour: 0, minute: 0, second: 0, wday: 0 };
  let bc = false;
  for (const p of formatter(zone).formatToParts(date)) {
    switch (p.type) {
      case 'year': t.year = Number(p.value); break;
      case 'month': t.month = Number(p.value) - 1; break;
      case 'day': t.mday = Number(p.value); break;
      case 'hour': t.hour = Number(p.value) % 24; break;
      case 'minute': t.minute = Number(p.value); break;
      case 'second': t.second = Number(p.value); break;
      case 'weekday': t.wday = WEEKDAYS.indexOf(p.value); break;
      case 'era': bc = p.value === 'BC'; break;
      default: break;
    }
  }
  if (bc) t.year = 1 - t.year;
  return t;
}

/** localtime for epoch milliseconds in the zone. */
export function breakDown(epochMs: number, zone: string | undefined): BrokenDownTime {
  const date = new Date(epochMs);
  const t = wallClock(date, zone);
  const asUtc = Date.UTC(t.year, t.month, t.mday, t.hour, t.minute, t.second);
  const gmtoff = Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 1000);
  return {
    ...t,
    yday: dayOfYear(t.year, t.month, t.mday),
    gmtoff,
    zone: abbreviation(zone, date),
  };
}

/** mktime in the zone: epoch seconds for wall-clock fields. */
export function makeTime(
  fields: { year: number; month: number; mday: number; hour: number; minute: number; second: number },
  zone: string | undefined,
): number {
  const wall = Date.UTC(fields.year, fields.month, fields.mday, fields.hour, fields.minute, fields.second) / 1000;
  // Two rounds of "guess the offset" settle on the right side of a DST change.
  let guess = wall;
  for (let i = 0; i < 3; i++) {
    const off = breakDown(guess * 1000, zone).gmtoff;
    const next = wall - off;
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

export const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
