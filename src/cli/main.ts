/**
 * The `herald` command: start the server, or talk to a running one (`-rx`, `-r`), or run one of
 * the offline subcommands. Heavy modules (the server, the store) are imported only on the path
 * that needs them, so `herald -rx` stays quick.
 */
import { readFileSync } from 'node:fs';
import { hostname, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ArgsError, parseArgs, usageText, type ParsedArgs } from './args.js';
import { CONTROL_SOCKET_NAME, PID_FILE_NAME } from './control-protocol.js';
import { packageInfo } from './version.js';

export interface MainOptions {
  /** performance.now() when bin/herald.js started (for the boot figure in the log). */
  launchedAt?: number;
}

interface Subcommand {
  /** The fixed words that select it. */
  words: string[];
  /** What --help shows after `herald `. */
  synopsis: string;
  help: string;
  run(args: ParsedArgs, rest: string[]): Promise<number>;
}

/** `herald expr 'EXPR'`: what `$[EXPR]` yields; Asterisk's WARNING text goes to stderr. */
async function runExpr(_args: ParsedArgs, rest: string[]): Promise<number> {
  if (rest.length === 0) {
    err("Usage: herald expr 'EXPRESSION'");
    return 2;
  }
  const { evaluateExpression } = await import('../pbx/expr/index.js');
  const result = evaluateExpression(rest.join(' '));
  if (result.warning) err(`WARNING: ${result.warning}`);
  out(`${result.value}\n`);
  return 0;
}

/** `herald -C DIR dialplan run CONTEXT EXTEN [options]`: the offline dialplan simulator. */
async function runDialplan(args: ParsedArgs, rest: string[]): Promise<number> {
  const { runSimulator } = await import('../pbx/simulator/cli.js');
  return runSimulator(rest, resolve(args.configDir));
}

const SUBCOMMANDS: Subcommand[] = [
  { words: ['dialplan', 'run'], synopsis: 'dialplan run CONTEXT EXTEN', help: 'simulate a call through (-C DIR)/extensions.conf; run without arguments for its options', run: runDialplan },
  { words: ['expr'], synopsis: "expr 'EXPRESSION'", help: 'print what $[EXPRESSION] yields in the dialplan', run: runExpr },
];

function usage(): string {
  return usageText(SUBCOMMANDS.map((c) => [c.synopsis, c.help]));
}

function out(text: string): void {
  process.stdout.write(text);
}

function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

async function runDirectories(args: ParsedArgs): Promise<{ controlPath: string; pidFile: string }> {
  const { loadDirectories } = await import('../config/herald-conf.js');
  const dirs = loadDirectories(resolve(args.configDir));
  return { controlPath: join(dirs.run, CONTROL_SOCKET_NAME), pidFile: join(dirs.run, PID_FILE_NAME) };
}

async function remote(args: ParsedArgs): Promise<number> {
  const { ControlClient } = await import('./control-client.js');
  const { controlPath, pidFile } = await runDirectories(args);
  let client;
  try {
    client = await ControlClient.connect(controlPath);
  } catch (e) {
    err(e instanceof Error ? e.message : String(e));
    return 1;
  }
  if (args.execute !== undefined) {
    try {
      out((await client.command(args.execute)).output);
    } catch (e) {
      err(e instanceof Error ? e.message : String(e));
      return 1;
    } finally {
      client.close();
    }
    return 0;
  }
  const { runConsole } = await import('./console.js');
  let pid = '?';
  try {
    pid = readFileSync(pidFile, 'utf8').trim();
  } catch {
    // shown as '?'
  }
  return runConsole({
    connection: client,
    input: process.stdin,
    output: process.stdout,
    terminal: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    historyFile: join(homedir(), '.herald_history'),
    // Without -v the console shows what `-vvv` shows on the server's own console.
    verbosity: args.quiet ? 0 : args.verboseFlags > 0 ? args.verboseFlags : 3,
    banner: `Connected to herald ${packageInfo().version} currently running on ${hostname()} (pid = ${pid})`,
  });
}

async function serve(args: ParsedArgs, opts: MainOptions): Promise<number> {
  const { startServer } = await import('../server.js');
  let server;
  try {
    server = await startServer({
      configDir: resolve(args.configDir),
      verbosity: args.verbosity,
      quiet: args.quiet,
      foreground: true,
      launchedAt: opts.launchedAt,
    });
  } catch (e) {
    err(`herald: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  return server.stopped;
}

export async function main(argv: string[], opts: MainOptions = {}): Promise<number> {
  let args: ParsedArgs;
  try {
    args = parseArgs(argv);
  } catch (e) {
    err(`herald: ${e instanceof ArgsError ? e.message : String(e)} (herald --help lists the options)`);
    return 2;
  }
  if (args.help) {
    out(usage());
    return 0;
  }
  if (args.version) {
    out(`herald ${packageInfo().version}\n`);
    return 0;
  }
  if (args.rest.length > 0) {
    const sub = SUBCOMMANDS.find((c) => c.words.every((w, i) => args.rest[i] === w));
    if (!sub) {
      err(`herald: unknown command '${args.rest.join(' ')}' (herald --help lists the commands)`);
      return 2;
    }
    return sub.run(args, args.rest.slice(sub.words.length));
  }
  if (args.remote) return remote(args);
  return serve(args, opts);
}
