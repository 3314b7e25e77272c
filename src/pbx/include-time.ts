/**
 * Time specs as used by `include => ctx,<times>,<weekdays>,<mdays>,<months>[,<tz>]` (and by
 * GotoIfTime/ExecIfTime/IFTIME). Reference: asterisk-dialplan-xmpp.md §1.7.
 *
 * - times: '*' or 'HH:MM-HH:MM' (inclusive, may wrap past midnight, one-minute resolution),
 *   a single 'HH:MM' is that minute; several ranges joined with '&'.
 * - weekdays: '*', sun..sat (any case) or 1..7 (1 = sun); ranges may wrap (fri-mon); '&' lists.
 * - mdays: '*' or 1..31; months: '*', jan..dec or 1..12. Same range and list rules.
 * - a missing or empty field means "all"; tz is a zoneinfo name, local time when absent
 *   (it counts only as the fifth of exactly five ','-separated fields).
 * An element that does not parse is skipped with a warning (so a bad time range matches nothing).
 */
import { wallClock } from './funcs/zone-time.js';

export interface TimeSpecFields {
  times: string;
  weekdays: string;
  mdays: string;
  months: string;
  tz?: string | null;
}

export interface CompiledTimeSpec {
  readonly compiled: true;
  /** One flag per minute of the day (0..1439). */
  readonly minutes: Uint8Array;
  /** Bit 0 = Sunday. */
  readonly weekdayMask: number;
  /** Bit 0 = the 1st. */
  readonly mdayMask: number;
  /** Bit 0 = January. */
  readonly monthMask: number;
  /** Zone used to read the clock; null = local time. */
  readonly tz: string | null;
  /** Problems found while parsing (the caller reports them with file:line). */
  readonly warnings: readonly string[];
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MINUTES_PER_DAY = 24 * 60;

function isAll(s: string | undefined): boolean {
  return s === undefined || s.trim() === '' || s.trim() === '*';
}

/** "HH:MM" → minute of day, or null. Hours 0..23, minutes 0..59; at most two digits each. */
function parseClock(s: string): number | null {
  const m = /^\s*(\d{1,2}):(\d{1,2})/.exec(s);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return null;
  return h * 60 + min;
}

function parseTimes(field: string, warnings: string[]): Uint8Array {
  const minutes = new Uint8Array(MINUTES_PER_DAY);
  if (isAll(field)) {
    minutes.fill(1);
    return minutes;
  }
  for (const part of field.split('&')) {
    const dash = part.indexOf('-');
    const startText = dash >= 0 ? part.slice(0, dash) : part;
    const endText = dash >= 0 ? part.slice(dash + 1) : part;
    const start = parseClock(startText);
    const end = parseClock(endText);
    if (start === null) {
      warnings.push(`'${startText}' is not a valid start time; that range matches no time`);
      continue;
    }
    if (end === null) {
      warnings.push(`'${endText}' is not a valid end time; that range matches no time`);
      continue;
    }
    // Inclusive, wrapping past midnight; bounded by the day length.
    for (let x = start, n = 0; n <= MINUTES_PER_DAY; x = (x + 1) % MINUTES_PER_DAY, n++) {
      minutes[x] = 1;
      if (x === end) break;
    }
  }
  return minutes;
}

/** One element (name or 1-based number) → 0-based index, or null. */
function lookupElement(text: string, max: number, names: readonly string[] | null): number | null {
  const t = text.trim().toLowerCase();
  if (names) {
    const i = names.indexOf(t);
    if (i >= 0) return i;
  }
  const m = /^(\d{1,2})/.exec(t);
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 && n <= max ? n - 1 : null;
}

function parseRange(field: string | undefined, max: number, names: readonly string[] | null, what: string, warnings: string[]): number {
  const all = max >= 32 ? 0xffffffff : (1 << max) - 1;
  if (isAll(field)) return all >>> 0;
  let mask = 0;
  for (const part of (field ?? '').split('&')) {
    const dash = part.indexOf('-');
    const startText = dash >= 0 ? part.slice(0, dash) : part;
    const endText = dash >= 0 ? part.slice(dash + 1) : part;
    const s = lookupElement(startText, max, names);
    const e = lookupElement(endText, max, names);
    if (s === null || e === null) {
      warnings.push(`invalid ${what} '${s === null ? startText : endText}', element skipped`);
      continue;
    }
    for (let x = s, n = 0; n <= max; x = (x + 1) % max, n++) {
      mask |= 1 << x;
      if (x === e) break;
    }
  }
  return mask >>> 0;
}

/** Whether a zone name is known to this Node build. */
function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Parse the four (five) fields once. */
export function compileTimeSpec(fields: TimeSpecFields): CompiledTimeSpec {
  const warnings: string[] = [];
  const minutes = parseTimes(fields.times, warnings);
  const weekdayMask = parseRange(fields.weekdays, 7, DAY_NAMES, 'day of week', warnings);
  const mdayMask = parseRange(fields.mdays, 31, null, 'day of month', warnings);
  const monthMask = parseRange(fields.months, 12, MONTH_NAMES, 'month', warnings);
  let tz: string | null = fields.tz?.trim() ? fields.tz.trim() : null;
  if (tz !== null && !validZone(tz)) {
    warnings.push(`unknown time zone '${tz}', using UTC`);
    tz = 'UTC';
  }
  return { compiled: true, minutes, weekdayMask, mdayMask, monthMask, tz, warnings };
}

/**
 * Split "times,weekdays,mdays,months[,tz]". The four fields may be separated by ',' or the
 * legacy '|'; a timezone is taken only when the text has exactly five ','-separated fields
 * (ast_build_timing counts commas only), and it is everything after the last comma.
 */
export function splitTimeSpec(text: string): TimeSpecFields {
  const f = text.split(/[|,]/);
  const commaFields = text.split(',');
  const tz = commaFields.length === 5 ? commaFields[4] : null;
  return { times: f[0] ?? '', weekdays: f[1] ?? '', mdays: f[2] ?? '', months: f[3] ?? '', tz };
}

interface ClockFields {
  minuteOfDay: number;
  weekday: number;
  mday: number;
  month: number;
}

function fieldsIn(date: Date, tz: string | null): ClockFields {
  if (tz === null) {
    return { minuteOfDay: date.getHours() * 60 + date.getMinutes(), weekday: date.getDay(), mday: date.getDate(), month: date.getMonth() };
  }
  const t = wallClock(date, tz);
  return { minuteOfDay: t.hour * 60 + t.minute, weekday: t.wday, mday: t.mday, month: t.month };
}

/** True when `date` falls inside the spec (all fields must match). */
export function matchTimeSpec(spec: TimeSpecFields | CompiledTimeSpec, date: Date): boolean {
  const c = 'compiled' in spec ? spec : compileTimeSpec(spec);
  const t = fieldsIn(date, c.tz);
  if (!(c.monthMask & (1 << t.month))) return false;
  if (!(c.mdayMask & (1 << (t.mday - 1)))) return false;
  if (!(c.weekdayMask & (1 << t.weekday))) return false;
  return c.minutes[t.minuteOfDay] === 1;
}
