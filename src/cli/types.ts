/**
 * CLI command registry (Asterisk style): every subsystem registers its commands; the control
 * socket, `herald -rx` and the interactive console all go through the same registry.
 */
export interface CliContext {
  /** Words after the command's own words, with Asterisk's quoting rules applied ("a b" is one word). */
  args: string[];
  /** The whole command line as typed. */
  line: string;
}

/** Thrown by a handler to make the registry print the command's usage text (Asterisk's CLI_SHOWUSAGE). */
export class CliUsageError extends Error {
  constructor(message = 'usage') {
    super(message);
    this.name = 'CliUsageError';
  }
}

export interface CliCommand {
  /** Fixed leading words, e.g. ['sip', 'show', 'peers']. */
  words: string[];
  /** One line for `help`. */
  summary: string;
  /** Full usage text printed on a usage error and by `help <command>`. */
  usage: string;
  /** Returns the text to print (lines joined with '\n', trailing newline optional). */
  handler(ctx: CliContext): string | Promise<string>;
  /** Completion candidates for the next argument word (after the fixed words). */
  complete?(args: string[], partial: string): string[];
}

export interface CliRegistry {
  register(cmd: CliCommand): void;
  unregister(words: string[]): void;
}
