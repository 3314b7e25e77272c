/** Locating the repository from compiled tests (dist/test/... or a private build dir). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function isRepo(dir: string): boolean {
  const p = join(dir, 'package.json');
  if (!existsSync(p)) return false;
  try {
    return (JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === 'herald';
  } catch {
    return false;
  }
}

function findRoot(): string {
  if (process.env.HERALD_ROOT) return resolve(process.env.HERALD_ROOT);
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (isRepo(d)) return d;
    d = dirname(d);
  }
  return process.cwd();
}

/** The repository root. */
export const REPO_ROOT = findRoot();

/** A path inside test/fixtures. */
export function fixture(...parts: string[]): string {
  return join(REPO_ROOT, 'test', 'fixtures', ...parts);
}
