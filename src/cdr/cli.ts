/** `cdr show status` and `cdr show last [N]` (herald's own layout, Asterisk's field names). */
import { CliUsageError, type CliCommand } from '../cli/types.js';
import type { CdrEngine } from './engine.js';
import type { CdrRecord } from './record.js';

function showRecord(r: CdrRecord): string {
  return [
    `${r.calldate}  ${r.uniqueid}  linkedid ${r.linkedid}`,
    `  clid ${r.clid || '(none)'}  src ${r.src}  dst ${r.dst}@${r.dcontext}`,
    `  channel ${r.channel}  dstchannel ${r.dstchannel || '(none)'}`,
    `  lastapp ${r.lastapp}(${r.lastdata})  duration ${r.duration}  billsec ${r.billsec}  ${r.disposition}  ${r.amaflags}` +
      (r.accountcode ? `  accountcode ${r.accountcode}` : '') + (r.userfield ? `  userfield ${r.userfield}` : ''),
  ].join('\n');
}

export function cdrCommands(engine: CdrEngine): CliCommand[] {
  return [
    {
      words: ['cdr', 'show', 'status'],
      summary: 'Display the CDR status',
      usage: 'Usage: cdr show status\n       Tells whether call records are kept, where, and how many were written.\n',
      handler: ({ args }) => {
        if (args.length > 0) throw new CliUsageError();
        const c = engine.counts();
        return [
          '',
          'Call Detail Record (CDR) settings',
          '----------------------------------',
          '  Logging:                    Enabled',
          '  Mode:                       Simple',
          '  Log unanswered calls:       Yes',
          '',
          '* Registered Backends',
          '  -------------------',
          `    sqlite (table cdr in ${engine.where})`,
          '',
          `  Records posted:             ${c.posted}`,
          `  Records stored:             ${engine.stored()}`,
          '',
        ].join('\n');
      },
    },
    {
      words: ['cdr', 'show', 'last'],
      summary: 'Show the most recent call records',
      usage: 'Usage: cdr show last [N]\n       Prints the N (default 10) most recent call records, oldest first.\n',
      handler: ({ args }) => {
        if (args.length > 1) throw new CliUsageError();
        const n = args.length === 1 ? Number(args[0]) : 10;
        if (!Number.isInteger(n) || n <= 0) throw new CliUsageError();
        const recs = engine.last(n);
        if (recs.length === 0) return 'No call records yet.\n';
        return recs.map(showRecord).join('\n') + '\n';
      },
    },
  ];
}
