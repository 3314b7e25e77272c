/**
 * The server's own CLI commands (`core …`, `reload`, `module show`): version, uptime, settings,
 * boot wait, stop, reload and console verbosity. Everything they need comes through ServerControl,
 * which src/server.ts implements.
 */
import { arch, machine, release, type as osType } from 'node:os';
import type { Directories, ReloadResult } from '../core/module.js';
import { CliUsageError } from './types.js';
import { cliSession, type CliSession, type CommandRegistry } from './registry.js';
import { describeDuration } from './uptime.js';
import { packageInfo, utcStamp } from './version.js';

export type StopMode = 'now' | 'gracefully';

export interface ModuleStatus {
  name: string;
  status: 'Starting' | 'Running' | 'Failed' | 'Stopping' | 'Stopped';
  /** Where the module listens (a module with a boundEndpoints() method, e.g. SIP). */
  listening?: string[];
}

export interface ServerControl {
  dirs: Directories;
  storeFile: string;
  controlPath: string;
  pidFile: string;
  /** Wall-clock ms. */
  startedAt: number;
  lastReloadAt(): number;
  /** The server's own console (`-rx` commands act on it, like Asterisk's root console). */
  rootSession: CliSession;
  isBooted(): boolean;
  whenBooted(): Promise<void>;
  modules(): ModuleStatus[];
  requestStop(mode: StopMode): void;
  reload(moduleName?: string): Promise<ReloadResult[]>;
  nowMs(): number;
}

function uptimeLines(ctl: ServerControl, args: string[]): string {
  if (args.length > 1 || (args.length === 1 && args[0].toLowerCase() !== 'seconds')) throw new CliUsageError();
  const now = ctl.nowMs();
  const up = Math.floor((now - ctl.startedAt) / 1000);
  const reload = Math.floor((now - ctl.lastReloadAt()) / 1000);
  if (args.length === 1) return `System uptime: ${up}\nLast reload: ${reload}`;
  return `System uptime: ${describeDuration(up)}\nLast reload: ${describeDuration(reload)}`;
}

function clock(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

function settingsText(ctl: ServerControl, session: CliSession | undefined): string {
  const row = (label: string, value: string | number): string => `  ${`${label}:`.padEnd(29)}${value}`;
  const { dirs } = ctl;
  const lines = [
    '',
    'PBX Core settings',
    '-----------------',
    row('Version', packageInfo().version),
    row('Node.js', process.version),
    row('Root console verbosity', ctl.rootSession.getVerbosity()),
    row('Current console verbosity', (session ?? ctl.rootSession).getVerbosity()),
    row('Startup time', clock(ctl.startedAt)),
    row('Last reload time', clock(ctl.lastReloadAt())),
    row('System', `${osType()}/${release()} ${machine()}`),
    row('Running as pid', process.pid),
    '',
    '* Directories',
    '  -------------',
    row('Configuration directory', dirs.config),
    row('Spool directory', dirs.spool),
    row('Log directory', dirs.log),
    row('Run/Sockets directory', dirs.run),
    row('Control socket', ctl.controlPath),
    row('PID file', ctl.pidFile),
    row('VarLib directory', dirs.varlib),
    row('Store (SQLite)', ctl.storeFile),
    '',
    '* Modules',
    '  -------------',
    ...ctl.modules().map((m) => row(m.name, m.listening?.length ? `${m.status}, listening on ${m.listening.join(', ')}` : m.status)),
  ];
  if (ctl.modules().length === 0) lines.push('  (none configured)');
  return lines.join('\n');
}

function reloadText(results: ReloadResult[]): string {
  return results.map((r) => r.message).join('\n');
}

export function registerCoreCommands(cli: CommandRegistry, ctl: ServerControl): void {
  cli.register({
    words: ['core', 'show', 'version'],
    summary: 'Display version info',
    usage: 'Usage: core show version\n       Shows herald version information.\n',
    handler: (ctx) => {
      if (ctx.args.length > 0) throw new CliUsageError();
      const info = packageInfo();
      return `herald ${info.version} built on a ${machine() || arch()} running ${osType()} on ${utcStamp(info.builtAt)}`;
    },
  });

  cli.register({
    words: ['core', 'show', 'uptime'],
    summary: 'Show uptime information',
    usage: 'Usage: core show uptime [seconds]\n       How long the server has been running and since its last reload;\n' +
      '       with "seconds", both as plain numbers of seconds.\n',
    handler: (ctx) => uptimeLines(ctl, ctx.args),
    complete: (args, partial) => (args.length === 0 && 'seconds'.startsWith(partial.toLowerCase()) ? ['seconds'] : []),
  });

  cli.register({
    words: ['core', 'show', 'settings'],
    summary: 'Show some core settings',
    usage: 'Usage: core show settings\n       The running version, verbosity, directories, store and modules.\n',
    handler: (ctx) => settingsText(ctl, cliSession(ctx)),
  });

  cli.register({
    words: ['core', 'waitfullybooted'],
    summary: 'Wait for herald to be fully booted',
    usage: 'Usage: core waitfullybooted\n       Returns once every configured module has started.\n',
    handler: async () => {
      await ctl.whenBooted();
      return 'herald has fully booted.';
    },
  });

  for (const mode of ['now', 'gracefully'] as const) {
    cli.register({
      words: ['core', 'stop', mode],
      summary: mode === 'now' ? 'Shut down herald immediately' : 'Gracefully shut down herald',
      usage: mode === 'now'
        ? 'Usage: core stop now\n       Stops every module and exits right away.\n'
        : 'Usage: core stop gracefully\n       Lets modules finish the calls they carry (accepting no new ones), then stops.\n',
      handler: (ctx) => {
        if (ctx.args.length > 0) throw new CliUsageError();
        ctl.requestStop(mode);
        return '';
      },
    });
  }

  const moduleNames = (args: string[], partial: string): string[] =>
    args.length === 0 ? ctl.modules().map((m) => m.name).filter((n) => n.startsWith(partial)) : [];
  const reloadHandler = async (args: string[]): Promise<string> => {
    if (args.length > 1) throw new CliUsageError();
    return reloadText(await ctl.reload(args[0]));
  };
  cli.register({
    words: ['core', 'reload'],
    summary: 'Global reload',
    usage: 'Usage: core reload\n       Re-reads the configuration of every module. A module whose new configuration\n' +
      '       is broken keeps the running one and reports where the problem is.\n',
    handler: (ctx) => {
      if (ctx.args.length > 0) throw new CliUsageError();
      return reloadHandler([]);
    },
  });
  for (const words of [['reload'], ['module', 'reload']]) {
    cli.register({
      words,
      summary: 'Reload configuration for a module',
      usage: `Usage: ${words.join(' ')} [module]\n       Re-reads the configuration of one module, or of all of them without a name.\n`,
      handler: (ctx) => reloadHandler(ctx.args),
      complete: moduleNames,
    });
  }

  cli.register({
    words: ['core', 'set', 'verbose'],
    summary: 'Set level of verbose chatter',
    usage: 'Usage: core set verbose [atleast] <level>\n       Sets the console verbosity of this console (of the server\'s own console\n' +
      '       when run with -rx). With "atleast", only raises it.\n',
    handler: (ctx) => {
      const args = [...ctx.args];
      const atLeast = args[0]?.toLowerCase() === 'atleast';
      if (atLeast) args.shift();
      if (args.length !== 1 || !/^\d{1,3}$/.test(args[0])) throw new CliUsageError();
      const session = cliSession(ctx) ?? ctl.rootSession;
      const wanted = Number(args[0]);
      const was = session.getVerbosity();
      const now = atLeast ? Math.max(was, wanted) : wanted;
      session.setVerbosity(now);
      return `Console verbose was ${was === 0 ? 'OFF' : was} and is now ${now === 0 ? 'OFF' : now}.`;
    },
  });

  cli.register({
    words: ['module', 'show'],
    summary: 'List modules and their status',
    usage: 'Usage: module show [like <name>]\n       Lists the modules this server started and their status.\n',
    handler: (ctx) => {
      let filter = '';
      if (ctx.args.length === 2 && ctx.args[0].toLowerCase() === 'like') filter = ctx.args[1].toLowerCase();
      else if (ctx.args.length > 0) throw new CliUsageError();
      const mods = ctl.modules().filter((m) => m.name.toLowerCase().includes(filter));
      const lines = [`${'Module'.padEnd(30)} Status`, ...mods.map((m) => `${m.name.padEnd(30)} ${m.status}`)];
      lines.push(`${mods.length} module${mods.length === 1 ? '' : 's'} loaded`);
      return lines.join('\n');
    },
    complete: (args, partial) => (args.length === 0 && 'like'.startsWith(partial) ? ['like'] : moduleNames(args.slice(1), partial)),
  });
}
