/**
 * The CLI command registry (Asterisk's main/cli.c idea): commands are sequences of fixed words;
 * a line runs the registered command with the LONGEST run of fixed words equal to its first
 * words. Words must be typed in full (Asterisk does not accept abbreviations; it completes them
 * with TAB instead) and are compared case-insensitively. Remaining words are the arguments.
 */
import { CliUsageError, type CliCommand, type CliContext, type CliRegistry } from './types.js';
import { splitWords } from './words.js';

/** The connection a command runs for (a remote console, a `-rx` call, or the server's own console). */
export interface CliSession {
  /** Verbosity of this session's pushed console lines. */
  getVerbosity(): number;
  /** Set it; returns the previous value. */
  setVerbosity(level: number): number;
}

/** What a handler receives: the contract's context plus the session it runs for. */
export interface SessionCliContext extends CliContext {
  session: CliSession | undefined;
}

/** The session a command runs for, when the registry was given one. */
export function cliSession(ctx: CliContext): CliSession | undefined {
  return (ctx as Partial<SessionCliContext>).session;
}

export interface CliResult {
  output: string;
  /** false for unknown commands, usage errors and failures. */
  ok: boolean;
}

const HELP_WIDTH = 30;

function key(words: string[]): string {
  return words.map((w) => w.toLowerCase()).join(' ');
}

function startsWithWords(line: string[], fixed: string[]): boolean {
  if (line.length < fixed.length) return false;
  for (let i = 0; i < fixed.length; i++) {
    if (line[i].toLowerCase() !== fixed[i].toLowerCase()) return false;
  }
  return true;
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

export class CommandRegistry implements CliRegistry {
  private readonly commands = new Map<string, CliCommand>();

  constructor() {
    this.registerHelp();
  }

  register(cmd: CliCommand): void {
    if (cmd.words.length === 0 || cmd.words.some((w) => w === '' || /\s/.test(w))) {
      throw new Error(`CLI command words must be non-empty single words: ${JSON.stringify(cmd.words)}`);
    }
    const k = key(cmd.words);
    if (this.commands.has(k)) throw new Error(`CLI command '${k}' is already registered`);
    this.commands.set(k, cmd);
  }

  unregister(words: string[]): void {
    this.commands.delete(key(words));
  }

  /** Every registered command, sorted by its words. */
  list(): CliCommand[] {
    return [...this.commands.values()].sort((a, b) => key(a.words).localeCompare(key(b.words)));
  }

  /** The command with the longest run of fixed words matching the start of `words`. */
  find(words: string[]): CliCommand | undefined {
    let best: CliCommand | undefined;
    for (const cmd of this.commands.values()) {
      if (startsWithWords(words, cmd.words) && (!best || cmd.words.length > best.words.length)) best = cmd;
    }
    return best;
  }

  /** Run one line. Never throws: handler errors become output with ok=false. */
  async execute(line: string, session?: CliSession): Promise<CliResult> {
    const { words } = splitWords(line);
    if (words.length === 0) return { output: '', ok: true };
    const cmd = this.find(words);
    const typed = words.join(' ');
    if (!cmd) {
      return { output: `No such command '${typed}' (type 'core show help ${typed}' for other possible commands)\n`, ok: false };
    }
    const ctx: SessionCliContext = { args: words.slice(cmd.words.length), line, session };
    try {
      return { output: withNewline(await cmd.handler(ctx)), ok: true };
    } catch (err) {
      if (err instanceof CliUsageError) return { output: withNewline(cmd.usage), ok: false };
      // Asterisk's CLI_FAILURE: the handler's own message, then this line.
      const message = err instanceof Error ? err.message : String(err);
      return { output: `${withNewline(message)}Command '${typed}' failed.\n`, ok: false };
    }
  }

  /**
   * Candidates for the word being typed at the end of `line` (an empty last word when the line
   * ends in a space): the next fixed word of every command the earlier words lead to, and the
   * argument candidates of the longest command those words already name.
   */
  complete(line: string): string[] {
    const { words, endsInSpace } = splitWords(line);
    const partial = endsInSpace ? '' : (words.pop() ?? '');
    const lowerPartial = partial.toLowerCase();
    const out = new Set<string>();
    for (const cmd of this.commands.values()) {
      if (words.length < cmd.words.length && startsWithWords(cmd.words, words)) {
        const next = cmd.words[words.length];
        if (next.toLowerCase().startsWith(lowerPartial)) out.add(next);
      }
    }
    const cmd = this.find(words);
    if (cmd?.complete) {
      try {
        for (const c of cmd.complete(words.slice(cmd.words.length), partial)) out.add(c);
      } catch {
        // A broken completer must not break the console; it just offers nothing.
      }
    }
    return [...out].sort();
  }

  /** `help [words]`: the command list, one command's usage, or the commands under a prefix. */
  help(words: string[]): string {
    if (words.length > 0) {
      const exact = this.commands.get(key(words));
      if (exact) return withNewline(exact.usage || 'No usage text available');
    }
    const prefix = key(words);
    const lines: string[] = [];
    for (const cmd of this.list()) {
      const full = cmd.words.join(' ');
      if (prefix !== '' && !full.toLowerCase().startsWith(prefix)) continue;
      lines.push(`${full.padEnd(HELP_WIDTH)} -- ${cmd.summary}`);
    }
    if (lines.length === 0) return `No such command '${words.join(' ')}'.\n`;
    return withNewline(lines.join('\n'));
  }

  private registerHelp(): void {
    const complete = (args: string[], partial: string): string[] => this.complete([...args, partial].join(' '));
    const usage = (words: string): string =>
      `Usage: ${words} [topic]\n       Without a topic, lists every command with a one-line summary.\n` +
      '       With the words of a command, prints its usage; with a prefix, lists the commands under it.\n';
    for (const words of [['core', 'show', 'help'], ['help']]) {
      this.register({
        words,
        summary: 'Display help list, or specific help on a command',
        usage: usage(words.join(' ')),
        handler: (ctx) => this.help(ctx.args),
        complete,
      });
    }
  }
}
