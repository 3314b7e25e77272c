/**
 * What the server's console shows, close to Asterisk's: verbose lines carry the level's prefix
 * (VERBOSE_PREFIX_1..4: " ", "  == ", "    -- ", "       > "), and log messages at warning and
 * above appear as `[Mon dd hh:mm:ss] WARNING[pid]: where: message` while the log file gets the
 * JSON line.
 */
import type { DestinationStream } from 'pino';

const PREFIXES = ['', ' ', '  == ', '    -- ', '       > '];

export function verbosePrefix(level: number): string {
  return PREFIXES[Math.max(0, Math.min(level, PREFIXES.length - 1))];
}

/** A verbose message as the console prints it (multi-line text gets the prefix on its first line). */
export function formatVerbose(level: number, text: string): string {
  return `${verbosePrefix(level)}${text}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Asterisk's console date: `Nov 22 15:52:45` (local time). */
export function consoleDate(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

const LEVEL_NAMES: Record<number, string> = { 40: 'WARNING', 50: 'ERROR', 60: 'ERROR' };

/** Turns one pino JSON line into a console line, or null below warning level / unreadable. */
export function consoleLineForLog(json: string, pid: number): string | null {
  const m = /"level":(\d+)/.exec(json);
  if (!m || Number(m[1]) < 40) return null;
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
  const level = LEVEL_NAMES[Math.min(60, Math.floor(Number(rec.level) / 10) * 10)] ?? 'WARNING';
  const time = typeof rec.time === 'number' ? rec.time : Date.now();
  const where = typeof rec.file === 'string'
    ? `${rec.file}${typeof rec.line === 'number' ? `:${rec.line}` : ''}`
    : typeof rec.module === 'string' ? rec.module : typeof rec.name === 'string' ? rec.name : 'herald';
  let msg = typeof rec.msg === 'string' ? rec.msg : '';
  const err = rec.err as { message?: unknown } | undefined;
  if (err && typeof err.message === 'string' && !msg.includes(err.message)) msg = msg ? `${msg}: ${err.message}` : err.message;
  return `[${consoleDate(time)}] ${level}[${pid}]: ${where}: ${msg}`;
}

/**
 * A pino destination that writes every JSON line to `inner` and hands the console rendering of
 * warnings and errors to `toConsole`.
 */
export class TeeLogStream implements DestinationStream {
  constructor(
    private readonly inner: DestinationStream,
    private readonly toConsole: (line: string) => void,
    private readonly pid: number = process.pid,
  ) {}

  write(msg: string): void {
    this.inner.write(msg);
    const line = consoleLineForLog(msg, this.pid);
    if (line !== null) {
      try {
        this.toConsole(line);
      } catch {
        // the console is best effort; the log file has the message
      }
    }
  }
}
