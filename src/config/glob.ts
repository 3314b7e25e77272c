/**
 * A small glob for `#include` arguments (Asterisk expands include paths with glob(3)).
 * Supports `*`, `?` and `[...]` in any path component; `*` and `?` do not match a leading
 * `.` (POSIX glob). Matches are returned sorted, like glob(3) without GLOB_NOSORT.
 * Node 20 has no fs.glob, hence this.
 */
import { readdirSync } from 'node:fs';
import { isAbsolute, join, parse, sep } from 'node:path';

export type ListDir = (dir: string) => string[];

const defaultListDir: ListDir = (dir) => readdirSync(dir);

/** True when `s` contains a glob wildcard. */
export function hasGlobMagic(s: string): boolean {
  return /[*?[]/.test(s);
}

const MATCHES_NOTHING = /(?!)/;

/** Translate one path component's glob into an anchored RegExp. */
export function globComponentToRegExp(component: string): RegExp {
  let re = '';
  for (let i = 0; i < component.length; i++) {
    const ch = component[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const close = component.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = component.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      body = body.replace(/[\\\]^]/g, (c) => '\\' + c);
      re += `[${negate ? '^' : ''}${body}]`;
      i = close;
    } else re += ch.replace(/[.+^${}()|\\]/g, (c) => '\\' + c);
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    // A bracket expression RegExp refuses (a reversed range such as [z-a]): glob(3) matches
    // nothing with it, so neither do we, instead of throwing out of the config parser.
    return MATCHES_NOTHING;
  }
}

/**
 * Expand an absolute glob pattern into the existing paths it matches, sorted. A pattern
 * without wildcards is returned as-is (existence is the caller's business).
 */
export function expandGlob(pattern: string, listDir: ListDir = defaultListDir): string[] {
  if (!hasGlobMagic(pattern)) return [pattern];
  if (!isAbsolute(pattern)) throw new Error(`glob pattern must be absolute: ${pattern}`);
  const root = parse(pattern).root;
  const parts = pattern.slice(root.length).split(sep).filter((p) => p !== '');
  let current = [root];
  for (const part of parts) {
    const next: string[] = [];
    for (const base of current) {
      if (!hasGlobMagic(part)) {
        next.push(join(base, part));
        continue;
      }
      let names: string[];
      try {
        names = listDir(base);
      } catch {
        continue;
      }
      const re = globComponentToRegExp(part);
      for (const name of names.slice().sort()) {
        if (name.startsWith('.') && !part.startsWith('.')) continue;
        if (!re.test(name)) continue;
        // A non-directory matched by a middle component fails to list at the next step.
        next.push(join(base, name));
      }
    }
    current = next;
  }
  return current.sort();
}
