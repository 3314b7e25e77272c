/**
 * `core show hints` and `core show hint <exten>` with Asterisk's exact layout (reference §3.6,
 * Asterisk 20 capture §5): `%-30.30s: %-60.60s  State:%-15.15s Presence:%-15.15s Watchers %2d`.
 */
import { column } from '../cli/columns.js';
import { CliUsageError, type CliCommand } from '../cli/types.js';
import type { HintEngine, HintSnapshot } from './hints.js';

/** One hint line as both commands print it. */
export function formatHintLine(h: HintSnapshot): string {
  return (
    `${column(`${h.exten}@${h.context}`, 30)}: ${column(h.hint, 60)}  ` +
    `State:${column(h.stateText, 15)} Presence:${column(h.presence.state, 15)} ` +
    `Watchers ${String(h.watchers).padStart(2)}\n`
  );
}

const NO_HINTS = 'There are no registered dialplan hints\n';

export function showHintsText(hints: HintEngine): string {
  const all = hints.list();
  if (all.length === 0) return NO_HINTS;
  let out = '\n    -= Registered Asterisk Dial Plan Hints =-\n';
  for (const h of all) out += formatHintLine(h);
  return `${out}----------------\n- ${all.length} hints registered\n`;
}

/** Hints whose `exten@context` starts with `prefix`, compared case-insensitively. */
export function showHintText(hints: HintEngine, prefix: string): string {
  const all = hints.list();
  if (all.length === 0) return NO_HINTS;
  const lower = prefix.toLowerCase();
  let out = '';
  let count = 0;
  for (const h of all) {
    if (!`${h.exten}@${h.context}`.toLowerCase().startsWith(lower)) continue;
    out += formatHintLine(h);
    count++;
  }
  if (count === 0) return `${out}No hints matching extension ${prefix}\n`;
  return `${out}${count} hint${count !== 1 ? 's' : ''} matching extension ${prefix}\n`;
}

const COLUMNS =
  '       Columns: the hint as exten@context; the devices and presence providers it\n' +
  '       follows; its extension state; its presence; how many watchers it has.\n';

export function hintCliCommands(hints: HintEngine): CliCommand[] {
  return [
    {
      words: ['core', 'show', 'hints'],
      summary: 'Show dialplan hints',
      usage: `Usage: core show hints\n       Lists every dialplan hint with its current state.\n${COLUMNS}`,
      handler: ({ args }) => {
        if (args.length !== 0) throw new CliUsageError();
        return showHintsText(hints);
      },
    },
    {
      words: ['core', 'show', 'hint'],
      summary: 'Show dialplan hint',
      usage:
        'Usage: core show hint <exten>\n' +
        '       Lists the hints whose exten@context starts with <exten> (any case).\n' +
        COLUMNS,
      handler: ({ args }) => {
        if (args.length < 1) throw new CliUsageError();
        return showHintText(hints, args[0] ?? '');
      },
      complete: (args, partial) => {
        if (args.length !== 0) return [];
        const lower = partial.toLowerCase();
        return [...new Set(hints.list().map((h) => h.exten))].filter((e) => e.toLowerCase().startsWith(lower));
      },
    },
  ];
}
