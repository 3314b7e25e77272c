/**
 * `herald -r`: the interactive remote console. A readline prompt (`herald*CLI> `) whose lines
 * run on the server over the control socket, TAB completion asked of the server, console lines
 * pushed by the server printed above the prompt, and history kept in a file between sessions.
 */
import { createInterface, type AsyncCompleter, type CompleterResult, type Interface } from 'node:readline';
import { HISTORY_SIZE, loadHistory, saveHistory } from './history.js';
import { splitWords } from './words.js';

export const PROMPT = 'herald*CLI> ';

/** The part of ControlClient the console needs (tests pass a fake). */
export interface ConsoleConnection {
  command(line: string): Promise<{ output: string; ok: boolean }>;
  complete(line: string): Promise<string[]>;
  console(verbosity: number): Promise<void>;
  onVerbose: (level: number, text: string) => void;
  onClose: () => void;
  close(): void;
}

export interface ConsoleOptions {
  connection: ConsoleConnection;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  terminal: boolean;
  /** null: no history file. */
  historyFile: string | null;
  historySize?: number;
  verbosity: number;
  /** Printed once before the first prompt. */
  banner?: string;
}

/**
 * Completion for readline: the candidates for the last (partial) word of `line`. A single
 * candidate gets a trailing space so the next word can be typed right away.
 */
export async function completeLine(conn: Pick<ConsoleConnection, 'complete'>, line: string): Promise<[string[], string]> {
  const { endsInSpace } = splitWords(line);
  // The raw text readline replaces: everything after the last white space.
  const partial = endsInSpace ? '' : line.slice(Math.max(line.lastIndexOf(' '), line.lastIndexOf('\t')) + 1);
  let matches: string[];
  try {
    matches = await conn.complete(line);
  } catch {
    matches = [];
  }
  if (matches.length === 1) return [[`${matches[0]} `], partial];
  return [matches, partial];
}

function isExit(line: string): boolean {
  const w = line.trim().toLowerCase();
  return w === 'exit' || w === 'quit';
}

/** Runs the console until exit/quit/Ctrl-D (0) or the server goes away (1). */
export function runConsole(opts: ConsoleOptions): Promise<number> {
  const { connection: conn, output } = opts;
  const max = opts.historySize ?? HISTORY_SIZE;
  const completer: AsyncCompleter = (line: string, callback: (err?: null | Error, result?: CompleterResult) => void) => {
    completeLine(conn, line).then((r) => callback(null, r), (err: Error) => callback(err));
  };
  const rl: Interface = createInterface({
    input: opts.input,
    output,
    terminal: opts.terminal,
    prompt: PROMPT,
    completer,
    history: opts.historyFile ? loadHistory(opts.historyFile, max) : [],
    historySize: max,
  });
  let history: string[] = [];
  rl.on('history', (h: string[]) => {
    history = h;
  });

  return new Promise<number>((resolve) => {
    let exitCode = 0;
    /** exit/quit typed, or the server went away: run nothing more. */
    let finished = false;
    /** The input ended or readline closed: no more lines will come. */
    let closed = false;
    let queue: Promise<void> = Promise.resolve();
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      exitCode = code;
      rl.close();
    };
    rl.on('close', () => {
      closed = true;
      // Lines already read (piped input ends before its commands ran) still run first.
      void queue.then(() => {
        if (opts.historyFile && opts.terminal) {
          try {
            saveHistory(opts.historyFile, history, max);
          } catch {
            // an unwritable history file does not matter at exit
          }
        }
        conn.close();
        resolve(exitCode);
      });
    });
    rl.on('SIGINT', () => finish(0));

    conn.onVerbose = (_level, text) => {
      if (finished) return;
      if (opts.terminal && !closed) {
        output.write(`\r\x1b[K${text}\n`);
        rl.prompt(true);
      } else {
        output.write(`${text}\n`);
      }
    };
    conn.onClose = () => {
      if (finished) return;
      output.write('\nDisconnected from herald server\n');
      finish(1);
    };

    rl.on('line', (line: string) => {
      queue = queue.then(async () => {
        if (finished) return;
        if (isExit(line)) {
          finish(0);
          return;
        }
        if (line.trim() !== '') {
          try {
            const r = await conn.command(line);
            output.write(r.output);
          } catch {
            return; // onClose reports the lost connection
          }
        }
        if (!finished && !closed) rl.prompt(true);
      });
    });

    conn.console(opts.verbosity).then(
      () => {
        if (opts.banner) output.write(`${opts.banner}\n`);
        if (!finished && !closed) rl.prompt(true);
      },
      () => finish(1),
    );
  });
}
