/**
 * Structured logging. Subsystems take a `Logger` (pino's interface) and never read the
 * environment themselves. Secrets are redacted by key name wherever they appear in log objects.
 * The console's Asterisk-like verbose lines are produced by the cli subsystem from the
 * `Verbose` bus event, not here.
 */
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;

export const REDACT_PATHS = [
  'secret', '*.secret', 'password', '*.password', 'md5secret', '*.md5secret',
  'remotesecret', '*.remotesecret', 'authorization', '*.authorization', 'headers.authorization',
];

export interface LoggerOptions {
  level?: string;
  /** Where JSON lines go; default stdout. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = {
    level: opts.level ?? 'info',
    name: opts.name ?? 'herald',
    redact: { paths: REDACT_PATHS, censor: '<redacted>' },
    base: undefined,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A logger that drops everything (unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
