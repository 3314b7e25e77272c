/**
 * Asterisk's `database …` CLI commands (main/db.c) over a KvStore, with Asterisk's output:
 * `database show` prints `%-50s: %-25s` per entry (full key, value) and `N results found.`
 * (see reference/asterisk-20-observed.md §5). herald has no `database query` (no raw SQL).
 */
import { CliUsageError, type CliCommand, type CliRegistry } from '../cli/types.js';
import type { KvStore, StoreEntry } from './types.js';

/** One `database show` row: key padded to 50, value padded to 25 (longer ones are not cut). */
export function formatEntry(e: StoreEntry): string {
  return `${e.key.padEnd(50)}: ${e.value.padEnd(25)}`;
}

function listing(entries: StoreEntry[]): string {
  return entries.map((e) => `${formatEntry(e)}\n`).join('') + `${entries.length} results found.\n`;
}

function familyCompletions(store: KvStore, args: string[], partial: string): string[] {
  if (args.length !== 0) return [];
  const families = new Set<string>();
  for (const e of store.entries()) {
    const family = e.key.split('/')[1];
    if (family !== undefined && family.startsWith(partial)) families.add(family);
  }
  return [...families].sort();
}

/** Register `database show|showkey|get|put|del|deltree`; `store()` is called per command. */
export function registerDatabaseCommands(cli: CliRegistry, store: () => KvStore): void {
  const commands: CliCommand[] = [
    {
      words: ['database', 'show'],
      summary: 'Shows database contents',
      usage:
        'Usage: database show [family [keytree]]\n' +
        '       Lists the stored keys and their values: everything, one family, or one key\n' +
        '       tree inside a family (a whole path component must match).\n',
      handler: ({ args }) => {
        if (args.length > 2) throw new CliUsageError();
        const prefix = args.length === 0 ? undefined : args.join('/');
        return listing(store().entries(prefix));
      },
      complete: (args, partial) => familyCompletions(store(), args, partial),
    },
    {
      words: ['database', 'showkey'],
      summary: 'Shows database contents',
      usage:
        'Usage: database showkey <keytree>\n' +
        '       Lists every stored key whose last path part(s) equal <keytree>, in any family.\n',
      handler: ({ args }) => {
        if (args.length !== 1) throw new CliUsageError();
        const suffix = `/${args[0]!}`;
        return listing(store().entries().filter((e) => e.key.endsWith(suffix)));
      },
    },
    {
      words: ['database', 'get'],
      summary: 'Gets database value',
      usage: 'Usage: database get <family> <key>\n       Prints the value stored under <family>/<key>.\n',
      handler: ({ args }) => {
        if (args.length !== 2) throw new CliUsageError();
        const value = store().get(args[0]!, args[1]!);
        return value === undefined ? 'Database entry not found.\n' : `Value: ${value}\n`;
      },
      complete: (args, partial) => familyCompletions(store(), args, partial),
    },
    {
      words: ['database', 'put'],
      summary: 'Adds/updates database value',
      usage:
        'Usage: database put <family> <key> <value>\n' +
        '       Stores <value> under <family>/<key>, replacing any value already there.\n',
      handler: async ({ args }) => {
        if (args.length !== 3) throw new CliUsageError();
        try {
          await store().put(args[0]!, args[1]!, args[2]!);
        } catch {
          return 'Failed to update entry\n';
        }
        return 'Updated database successfully\n';
      },
      complete: (args, partial) => familyCompletions(store(), args, partial),
    },
    {
      words: ['database', 'del'],
      summary: 'Removes database key/value',
      usage: 'Usage: database del <family> <key>\n       Deletes the single entry <family>/<key>.\n',
      handler: async ({ args }) => {
        if (args.length !== 2) throw new CliUsageError();
        let existed: boolean;
        try {
          existed = await store().del(args[0]!, args[1]!);
        } catch {
          return 'Database unable to remove entry.\n';
        }
        return existed ? 'Database entry removed.\n' : 'Database entry does not exist.\n';
      },
      complete: (args, partial) => familyCompletions(store(), args, partial),
    },
    {
      words: ['database', 'deltree'],
      summary: 'Removes database keytree/values',
      usage:
        'Usage: database deltree <family> [keytree]\n' +
        '       Deletes a whole family, or one key tree inside it, with everything below.\n',
      handler: async ({ args }) => {
        if (args.length < 1 || args.length > 2) throw new CliUsageError();
        let count: number;
        try {
          count = await store().deltree(args[0]!, args[1]);
        } catch {
          return 'Database unable to remove entry.\n';
        }
        return count === 0 ? 'Database entry does not exist.\n' : `${count} database entries removed.\n`;
      },
      complete: (args, partial) => familyCompletions(store(), args, partial),
    },
  ];
  for (const cmd of commands) cli.register(cmd);
}
