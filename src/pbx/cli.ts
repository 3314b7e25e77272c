/**
 * Dialplan CLI commands with Asterisk's layouts (reference/asterisk-20-observed.md §5 and
 * Asterisk's pbx_app.c, pbx_functions.c, pbx_variables.c, cli.c format strings). Usage texts
 * are herald's own.
 */
import { column } from '../cli/columns.js';
import { CliUsageError, type CliCommand, type CliRegistry } from '../cli/types.js';
import type { ChannelRegistry } from '../channels/channel.js';
import type { Dialplan } from './dialplan.js';
import type { AppRegistry } from './apps/registry.js';
import type { DialplanFunction, PbxServices } from './types.js';
import type { ReloadResult } from '../core/module.js';
import { showDialplan } from './show.js';

export interface DialplanCliHost {
  dialplan(): Dialplan;
  readonly apps: AppRegistry;
  readonly functions: { get(name: string): DialplanFunction | undefined; list(): DialplanFunction[] };
  readonly channels: ChannelRegistry;
  readonly services: PbxServices;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatApplications(apps: AppRegistry): string {
  const list = apps.list();
  const lines = ['    -= Registered Asterisk Applications =-'];
  for (const a of list) lines.push(`${a.name.padStart(20)}: ${a.synopsis}`);
  lines.push(`    -= ${list.length} Applications Registered =-`);
  return `${lines.join('\n')}\n`;
}

function infoBlock(kind: 'application' | 'function', name: string, synopsis: string, description: string, syntax: string): string {
  return `\n  -= Info about ${kind} '${name}' =- \n\n[Synopsis]\n${synopsis}\n\n[Description]\n${description}\n\n[Syntax]\n${syntax}\n`;
}

export function formatFunctions(list: DialplanFunction[]): string {
  const lines = ['Installed Custom Functions:', '-'.repeat(80)];
  for (const f of list) lines.push(`${column(f.name, 20)}  ${column(f.syntax, 35)}  ${f.synopsis}`);
  lines.push(`${list.length} custom functions installed.`);
  return `${lines.join('\n')}\n`;
}

export function formatGlobals(globals: Map<string, string>): string {
  let out = '';
  for (const [k, v] of globals) out += `   ${k}=${v}\n`;
  return `${out}\n    -- ${globals.size} variable(s)\n`;
}

/** `core show channels` as Asterisk 20 prints it (column widths from the observed output). */
export function formatChannels(reg: ChannelRegistry): string {
  const row = (a: string, b: string, c: string, d: string): string =>
    `${column(a, 64)} ${column(b, 32)} ${column(c, 7)} ${column(d, 30)}`;
  const lines = [row('Channel', 'Location', 'State', 'Application(Data)')];
  const chans = reg.list();
  for (const c of chans) {
    const app = c.currentApp ? `${c.currentApp}(${c.currentData})` : '(None)';
    lines.push(row(c.name, `${c.exten}@${c.context}:${c.priority}`, c.state, app));
  }
  const calls = reg.activeCalls();
  const processed = reg.callsProcessed();
  lines.push(plural(chans.length, 'active channel'), plural(calls, 'active call'), `${plural(processed, 'call')} processed`);
  return `${lines.join('\n')}\n`;
}

export function registerDialplanCommands(cli: CliRegistry, host: DialplanCliHost, reload?: () => Promise<ReloadResult>): void {
  const commands: CliCommand[] = [
    {
      words: ['dialplan', 'show'],
      summary: 'Show dialplan',
      usage: 'Usage: dialplan show [[exten@]context]\n       Lists the loaded dialplan: every context, one context, or one extension in it.\n',
      handler: ({ args }) => {
        if (args.length > 1) throw new CliUsageError();
        return showDialplan(host.dialplan(), args[0]).text;
      },
      complete: (args, partial) => (args.length === 0 ? [...host.dialplan().contexts.keys()].filter((n) => n.startsWith(partial)).sort() : []),
    },
    {
      words: ['core', 'show', 'applications'],
      summary: 'Shows registered dialplan applications',
      usage: 'Usage: core show applications\n       Lists every dialplan application herald knows, with a one-line summary.\n',
      handler: ({ args }) => {
        if (args.length > 0) throw new CliUsageError();
        return formatApplications(host.apps);
      },
    },
    {
      words: ['core', 'show', 'application'],
      summary: 'Describe a specific dialplan application',
      usage: 'Usage: core show application <application> [<application> ...]\n       Explains what the named applications do and how to call them.\n',
      handler: ({ args }) => {
        if (args.length === 0) throw new CliUsageError();
        let out = '';
        for (const name of args) {
          const a = host.apps.get(name);
          if (a) out += infoBlock('application', a.name, a.synopsis, a.description, a.syntax);
        }
        return out === '' ? 'Your application(s) is (are) not registered\n' : out;
      },
      complete: (args, partial) => host.apps.list().map((a) => a.name).filter((n) => n.toLowerCase().startsWith(partial.toLowerCase())),
    },
    {
      words: ['core', 'show', 'functions'],
      summary: 'Shows registered dialplan functions',
      usage: 'Usage: core show functions\n       Lists every dialplan function with its syntax and a one-line summary.\n',
      handler: ({ args }) => {
        if (args.length > 0) throw new CliUsageError();
        return formatFunctions(host.functions.list());
      },
    },
    {
      words: ['core', 'show', 'function'],
      summary: 'Describe a specific dialplan function',
      usage: 'Usage: core show function <function>\n       Explains what the named dialplan function does and how to call it.\n',
      handler: ({ args }) => {
        if (args.length !== 1) throw new CliUsageError();
        const f = host.functions.get(args[0]!);
        if (!f) return 'No function by that name registered.\n';
        return infoBlock('function', f.name, f.synopsis, f.description, f.syntax);
      },
      complete: (args, partial) => host.functions.list().map((f) => f.name).filter((n) => n.startsWith(partial)),
    },
    {
      words: ['core', 'show', 'globals'],
      summary: 'Show global dialplan variables',
      usage: 'Usage: core show globals\n       Lists the global variables of the dialplan and their values.\n',
      handler: ({ args }) => {
        if (args.length > 0) throw new CliUsageError();
        return formatGlobals(host.services.globals);
      },
    },
    {
      words: ['dialplan', 'set', 'global'],
      summary: 'Set global dialplan variable',
      usage: 'Usage: dialplan set global <name> <value>\n       Sets (or creates) a global dialplan variable.\n',
      handler: ({ args }) => {
        if (args.length !== 2) throw new CliUsageError();
        host.services.globals.set(args[0]!, args[1]!);
        host.services.verbose(2, `Setting global variable '${args[0]!}' to '${args[1]!}'`);
        return `\n    -- Global variable '${args[0]!}' set to '${args[1]!}'\n`;
      },
    },
    {
      words: ['core', 'show', 'channels'],
      summary: 'Display information on channels',
      usage: 'Usage: core show channels\n       Lists the live channels: where each one is in the dialplan and what it runs.\n',
      handler: ({ args }) => {
        if (args.length > 0) throw new CliUsageError();
        return formatChannels(host.channels);
      },
    },
  ];
  if (reload) {
    commands.push({
      words: ['dialplan', 'reload'],
      summary: 'Reload extensions and *only* extensions',
      usage: 'Usage: dialplan reload\n       Reads extensions.conf again; if it has an error the running dialplan stays.\n',
      handler: async ({ args }) => {
        if (args.length > 0) throw new CliUsageError();
        const r = await reload();
        return `${r.message}\n`;
      },
    });
  }
  for (const c of commands) cli.register(c);
}
