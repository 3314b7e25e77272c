/**
 * XMPP CLI commands. `xmpp show connections` and `xmpp show buddies` print res_xmpp's layout
 * (asterisk-20-observed.md §5); herald adds one indented `Last error:` line under an account
 * that is not connected because of an error. `jabber test [account]` comes back from
 * res_jabber as a status listing of the account's contacts (it sends nothing); `xmpp show
 * queue` lists JabberNotify messages still waiting. res_jabber's `jabber show …` and
 * `jabber set debug` names are aliases.
 */
import { CliUsageError, type CliCommand } from '../cli/types.js';
import type { XmppAccount } from './account.js';
import type { NotifyQueue } from './notify-queue.js';
import { STATUS_NAMES } from './roster.js';

export interface XmppCliHost {
  accounts(): XmppAccount[];
  account(name: string): XmppAccount | undefined;
  readonly queue: NotifyQueue;
  setDebug(on: boolean): void;
  clockWallNow(): number;
}

export function showConnections(host: XmppCliHost): string {
  const lines = ['Jabber Users and their status:'];
  for (const a of host.accounts()) {
    lines.push(`       [${a.name}] ${a.config.username}     - ${a.state}`);
    if (a.state !== 'Connected' && a.lastError !== '') {
      const retry = a.nextAttemptAt !== null ? `; next attempt in ${Math.max(0, Math.ceil((a.nextAttemptAt - host.clockWallNow()) / 1000))} s` : '';
      lines.push(`           Last error: ${a.lastError}${retry}`);
    }
  }
  lines.push('----', `   Number of clients: ${host.accounts().length}`);
  return lines.join('\n');
}

export function showBuddies(host: XmppCliHost): string {
  const lines = ['XMPP buddy lists'];
  for (const a of host.accounts()) {
    lines.push(`Client: ${a.name}`);
    for (const b of a.buddies.list()) {
      lines.push(`\tBuddy:\t${b.jid}`);
      for (const r of b.resources.values()) {
        lines.push(`\t\tResource: ${r.name}`);
        if (r.capsNode !== '') {
          lines.push(`\t\t\tnode: ${r.capsNode}`, `\t\t\tversion: ${r.capsVer}`);
          lines.push(`\t\t\tGoogle Talk capable: ${/\bvoice-v1\b/.test(r.capsExt) ? 'yes' : 'no'}`);
          lines.push(`\t\t\tJingle capable: no`);
        }
      }
    }
  }
  return lines.join('\n');
}

/** herald's `jabber test`: every contact of the account with its status and resources. */
export function jabberTest(host: XmppCliHost, name: string): string {
  const a = host.account(name);
  if (!a) return `Unable to find client '${name}'!`;
  const lines = [`Client: ${a.name} (${a.config.username}) - ${a.state}${a.lastError !== '' && a.state !== 'Connected' ? ` (${a.lastError})` : ''}`];
  const buddies = a.buddies.list();
  for (const b of buddies) {
    const st = a.buddies.statusOf(b);
    lines.push(`\tBuddy:\t${b.jid}\tStatus: ${st} (${STATUS_NAMES[st]})${b.subscription ? `\tSubscription: ${b.subscription}` : ''}`);
    if (b.resources.size === 0) lines.push('\t\tResource: None');
    for (const r of b.resources.values()) {
      lines.push(`\t\tResource: ${r.name}\tStatus: ${r.status} (${STATUS_NAMES[r.status]})\tPriority: ${r.priority}${r.description ? `\t"${r.description}"` : ''}`);
    }
  }
  lines.push(`${buddies.length} contact${buddies.length === 1 ? '' : 's'}, ${a.messages.length} received message${a.messages.length === 1 ? '' : 's'} waiting.`);
  return lines.join('\n');
}

export function showQueue(host: XmppCliHost): string {
  const now = host.clockWallNow();
  const items = host.queue.list();
  const lines = [`${'Account'.padEnd(12)} ${'To'.padEnd(30)} ${'Queued at'.padEnd(20)} ${'Expires in'.padEnd(10)} Message`];
  for (const n of items) {
    const q = new Date(n.queuedAt);
    const stamp = `${q.getFullYear()}-${String(q.getMonth() + 1).padStart(2, '0')}-${String(q.getDate()).padStart(2, '0')} ${String(q.getHours()).padStart(2, '0')}:${String(q.getMinutes()).padStart(2, '0')}:${String(q.getSeconds()).padStart(2, '0')}`;
    const left = `${Math.max(0, Math.round((n.expiresAt - now) / 1000))} s`;
    lines.push(`${n.account.padEnd(12)} ${n.jid.padEnd(30)} ${stamp.padEnd(20)} ${left.padEnd(10)} ${n.body}`);
  }
  lines.push(`${items.length} queued message${items.length === 1 ? '' : 's'}`);
  return lines.join('\n');
}

export function xmppCliCommands(host: XmppCliHost): CliCommand[] {
  const accountNames = (partial: string): string[] => host.accounts().map((a) => a.name).filter((n) => n.startsWith(partial));
  const connections = (words: string[]): CliCommand => ({
    words,
    summary: 'Show state of clients and components',
    usage: `Usage: ${words.join(' ')}\n       Shows the state of each configured XMPP account.`,
    handler: () => showConnections(host),
  });
  const buddies = (words: string[]): CliCommand => ({
    words,
    summary: 'Show buddy lists of our clients',
    usage: `Usage: ${words.join(' ')}\n       Shows each account's contacts and their online resources.`,
    handler: () => showBuddies(host),
  });
  const debug = (words: string[]): CliCommand => ({
    words,
    summary: 'Enable/Disable XMPP debugging',
    usage: `Usage: ${words.join(' ')} {on|off}\n       Prints every XMPP stanza sent and received (SASL data and passwords redacted).`,
    handler: ({ args }) => {
      const v = (args[0] ?? '').toLowerCase();
      if (args.length !== 1 || (v !== 'on' && v !== 'off')) throw new CliUsageError();
      host.setDebug(v === 'on');
      return v === 'on' ? 'XMPP Debugging Enabled.' : 'XMPP Debugging Disabled.';
    },
    complete: (args, partial) => (args.length === 0 ? ['on', 'off'].filter((w) => w.startsWith(partial)) : []),
  });
  return [
    connections(['xmpp', 'show', 'connections']),
    buddies(['xmpp', 'show', 'buddies']),
    debug(['xmpp', 'set', 'debug']),
    connections(['jabber', 'show', 'connections']),
    buddies(['jabber', 'show', 'buddies']),
    debug(['jabber', 'set', 'debug']),
    {
      words: ['jabber', 'test'],
      summary: 'Show the status of an account\'s contacts',
      usage: 'Usage: jabber test [account]\n       Lists the contacts of the account (default "asterisk") with their status 1-7, resources and priorities.',
      handler: ({ args }) => {
        if (args.length > 1) throw new CliUsageError();
        return jabberTest(host, args[0] ?? 'asterisk');
      },
      complete: (args, partial) => (args.length === 0 ? accountNames(partial) : []),
    },
    {
      words: ['xmpp', 'show', 'queue'],
      summary: 'Show JabberNotify messages waiting for their buddy',
      usage: 'Usage: xmpp show queue\n       Lists messages kept by JabberNotify until their buddy is Online or Chatty.',
      handler: () => showQueue(host),
    },
  ];
}
