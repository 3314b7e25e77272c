/** herald's version (from package.json) and the build date shown by `core show version`. */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageInfo {
  version: string;
  /** When this compiled file was written (the build), ms since the epoch. */
  builtAt: number;
}

let cached: PackageInfo | undefined;

function findPackageVersion(): string {
  const candidates: string[] = [];
  let d = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    candidates.push(join(d, 'package.json'));
    d = dirname(d);
  }
  candidates.push(join(process.cwd(), 'package.json'));
  for (const p of candidates) {
    try {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'herald' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here
    }
  }
  return 'unknown';
}

export function packageInfo(): PackageInfo {
  if (!cached) {
    let builtAt = Date.now();
    try {
      builtAt = statSync(fileURLToPath(import.meta.url)).mtimeMs;
    } catch {
      // keep now
    }
    cached = { version: findPackageVersion(), builtAt };
  }
  return cached;
}

/** `YYYY-MM-DD HH:MM:SS UTC`, Asterisk's build-date style. */
export function utcStamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
