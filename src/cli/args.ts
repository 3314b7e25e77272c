/**
 * `herald` command-line parsing, shaped like `asterisk`'s: short options that can be bundled
 * (`-rx "cmd"`, `-vvvc`), an option's value either glued (`-Cdir`) or the next argument, and
 * herald's own subcommands (`dialplan run …`, `expr …`) after the options.
 */
export interface ParsedArgs {
  configDir: string;
  verbosity: number;
  /** How many -v were given (0: none), as opposed to the resulting verbosity. */
  verboseFlags: number;
  quiet: boolean;
  foreground: boolean;
  remote: boolean;
  execute: string | undefined;
  help: boolean;
  version: boolean;
  /** Words after the options: a subcommand and its arguments. */
  rest: string[];
}

export class ArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArgsError';
  }
}

export const DEFAULT_CONFIG_DIR = '/etc/herald';

type Apply = (a: ParsedArgs, value: string) => void;

interface OptionSpec {
  letter: string;
  long?: string;
  /** Placeholder shown in --help when the option takes a value. */
  value?: string;
  help: string;
  apply: Apply;
}

export const OPTIONS: OptionSpec[] = [
  { letter: 'C', value: 'DIR', help: `configuration directory (default ${DEFAULT_CONFIG_DIR})`, apply: (a, v) => { a.configDir = v; } },
  { letter: 'f', help: 'foreground (accepted for habit: herald always runs in the foreground)', apply: (a) => { a.foreground = true; } },
  { letter: 'F', help: 'same as -f', apply: (a) => { a.foreground = true; } },
  { letter: 'c', help: 'console: same as -f (use -r from another terminal for the CLI)', apply: (a) => { a.foreground = true; } },
  { letter: 'v', help: 'more verbose console output (repeat: -vvv)', apply: (a) => { a.verboseFlags++; } },
  { letter: 'q', help: 'quiet: no verbose console output', apply: (a) => { a.quiet = true; } },
  { letter: 'r', help: 'connect to the running server: interactive console', apply: (a) => { a.remote = true; } },
  { letter: 'x', value: 'CMD', help: 'run one CLI command on the running server and print its output (implies -r)', apply: (a, v) => { a.remote = true; a.execute = v; } },
  { letter: 'V', long: 'version', help: 'print the version and exit', apply: (a) => { a.version = true; } },
  { letter: 'h', long: 'help', help: 'this help', apply: (a) => { a.help = true; } },
];

export function parseArgs(argv: string[]): ParsedArgs {
  const a: ParsedArgs = {
    configDir: DEFAULT_CONFIG_DIR, verbosity: 0, verboseFlags: 0, quiet: false, foreground: false,
    remote: false, execute: undefined, help: false, version: false, rest: [],
  };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i++];
    if (arg === '--') {
      a.rest.push(...argv.slice(i));
      break;
    }
    if (arg.startsWith('--')) {
      const spec = OPTIONS.find((o) => o.long === arg.slice(2));
      if (!spec || spec.value) throw new ArgsError(`unknown option '${arg}'`);
      spec.apply(a, '');
      continue;
    }
    if (!arg.startsWith('-') || arg === '-') {
      // The first word that is not an option starts a subcommand; everything after is its own.
      a.rest.push(arg, ...argv.slice(i));
      break;
    }
    for (let j = 1; j < arg.length; j++) {
      const spec = OPTIONS.find((o) => o.letter === arg[j]);
      if (!spec) throw new ArgsError(`unknown option '-${arg[j]}'`);
      if (!spec.value) {
        spec.apply(a, '');
        continue;
      }
      let value = arg.slice(j + 1);
      if (value === '') {
        if (i >= argv.length) throw new ArgsError(`option '-${spec.letter}' needs a value (${spec.value})`);
        value = argv[i++];
      }
      spec.apply(a, value);
      break;
    }
  }
  a.verbosity = a.quiet ? 0 : a.verboseFlags;
  return a;
}

export function usageText(subcommands: Array<[string, string]>): string {
  const lines = [
    'Usage: herald [options]                 start the server (in the foreground)',
    '       herald [-C DIR] -rx "COMMAND"    run one CLI command on the running server',
    '       herald [-C DIR] -r               interactive console on the running server',
    ...subcommands.map(([cmd, help]) => `       herald ${cmd.padEnd(25)} ${help}`),
    '',
    'Options:',
    ...OPTIONS.map((o) => {
      const flag = `-${o.letter}${o.value ? ` ${o.value}` : ''}${o.long ? `, --${o.long}` : ''}`;
      return `  ${flag.padEnd(18)} ${o.help}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
