/**
 * `sip show subscriptions` in chan_sip's layout (observed §5):
 *
 *   Peer             User             Call ID          Extension        Last state     Type            Mailbox    Expiry
 *   127.0.0.1        2000             6qiiejcoydkp7nx  6002@from-inter  Unavailable    dialog-info+xml <none>     003600
 *   2 active SIP subscriptions
 *
 * Columns: subscriber address, peer name, Call-ID, exten@context (each cut at 15 characters and
 * followed by two blanks), the last notified extension state (13 + 2), the body type (15 + 1),
 * the mailbox of an MWI subscription (10 + 1), the granted expiry as six digits. Newest first.
 */
import { column } from '../cli/columns.js';
import type { CliCommand } from '../cli/types.js';
import { CliUsageError } from '../cli/types.js';
import type { SubscriptionSummary } from './subscriptions.js';

/** chan_sip's subscription type names. */
function typeName(s: SubscriptionSummary): string {
  if (s.event === 'message-summary') return 'mwi';
  return s.bodyType.replace(/^application\//, '');
}

export function formatSubscriptions(rows: SubscriptionSummary[]): string {
  const lines: string[] = [];
  const line = (a: string, b: string, c: string, d: string, e: string, f: string, g: string, h: string): string =>
    `${column(a, 15)}  ${column(b, 15)}  ${column(c, 15)}  ${column(d, 15)}  ${column(e, 13)}  ${column(f, 15)} ${column(g, 10)} ${h}`;
  lines.push(line('Peer', 'User', 'Call ID', 'Extension', 'Last state', 'Type', 'Mailbox', 'Expiry'));
  const sorted = [...rows].sort((x, y) => y.createdAt - x.createdAt);
  for (const s of sorted) {
    const expiry = String(Math.max(0, Math.min(999999, s.expiresSec))).padStart(6, '0');
    lines.push(line(s.address, s.peer, s.callId, `${s.exten}@${s.context}`, s.lastState, typeName(s), s.mailbox ?? '<none>', expiry));
  }
  const n = sorted.length;
  lines.push(`${n} active SIP subscription${n === 1 ? '' : 's'}`);
  return lines.join('\n') + '\n';
}

export function subscriptionCommands(list: () => SubscriptionSummary[]): CliCommand[] {
  return [
    {
      words: ['sip', 'show', 'subscriptions'],
      summary: 'List active SIP subscriptions',
      usage: 'Usage: sip show subscriptions\n       Lists the SUBSCRIBE dialogs herald notifies (presence, dialog and message-summary).',
      handler: (ctx) => {
        if (ctx.args.length > 0) throw new CliUsageError();
        return formatSubscriptions(list());
      },
    },
  ];
}
