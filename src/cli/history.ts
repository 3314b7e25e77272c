/**
 * Console history in a plain text file, one command per line, oldest first (the shape of
 * Asterisk's ~/.asterisk_history), capped to the newest `max` lines.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';

export const HISTORY_SIZE = 1000;

/** Lines for node:readline's `history` option: newest first. A missing file is an empty history. */
export function loadHistory(path: string, max = HISTORY_SIZE): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-max).reverse();
}

/** Writes readline's history (newest first) back as oldest-first lines; mode 0600 (it may hold secrets typed at the CLI). */
export function saveHistory(path: string, newestFirst: string[], max = HISTORY_SIZE): void {
  const lines = newestFirst.filter((l) => l.trim() !== '' && !l.includes('\n')).slice(0, max).reverse();
  writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
  chmodSync(path, 0o600);
}
