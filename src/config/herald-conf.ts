/**
 * herald.conf: the server's own settings, shaped like Asterisk's asterisk.conf.
 *
 *   [directories]              ; '=' or '=>' both work, as in asterisk.conf
 *   astvarlibdir => /var/lib/herald
 *   astrundir => /var/run/herald
 *   astlogdir => /var/log/herald
 *   astspooldir => /var/spool/herald
 *
 *   [options]
 *   verbose = 3
 *   debug = 0
 *   maxcalls = 100
 *
 * The file is optional. Relative paths resolve against the config directory. A directory not
 * given goes under a `var/` directory beside the config directory: DIR/../var/{lib,run,log,spool}.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Directories } from '../core/module.js';
import { lastValue, sectionsNamed } from './access.js';
import { loadConfFile } from './lexer.js';
import type { ConfDiagnostic, ConfDocument, ConfEntry } from './types.js';

export const HERALD_CONF = 'herald.conf';

/** Read DIR/herald.conf, or undefined when there is none. Throws ConfError when it is malformed. */
export function loadHeraldConf(configDir: string): ConfDocument | undefined {
  const path = join(configDir, HERALD_CONF);
  if (!existsSync(path)) return undefined;
  return loadConfFile(path, { baseDir: configDir });
}

function lastSetting(doc: ConfDocument | undefined, section: string, key: string): string | undefined {
  if (!doc) return undefined;
  let value: string | undefined;
  for (const s of sectionsNamed(doc, section)) {
    const v = lastValue(s, key);
    if (v !== undefined && v !== '') value = v;
  }
  return value;
}

/** Where herald keeps its store, control socket, logs and spool for config directory DIR. */
export function loadDirectories(configDir: string, doc: ConfDocument | undefined = loadHeraldConf(configDir)): Directories {
  const config = resolve(configDir);
  const varDir = resolve(config, '..', 'var');
  const pick = (key: string, fallback: string): string => {
    const v = lastSetting(doc, 'directories', key);
    return v === undefined ? join(varDir, fallback) : resolve(config, v);
  };
  return {
    config,
    varlib: pick('astvarlibdir', 'lib'),
    run: pick('astrundir', 'run'),
    log: pick('astlogdir', 'log'),
    spool: pick('astspooldir', 'spool'),
  };
}

export interface HeraldOptions {
  /** Console verbosity at start (asterisk.conf `verbose`). */
  verbose?: number;
  /** Debug level at start (asterisk.conf `debug`). */
  debug?: number;
  /** Refuse new calls above this many (asterisk.conf `maxcalls`); undefined: no limit. */
  maxcalls?: number;
  /** Values that were not understood (ignored, like Asterisk does). */
  warnings: ConfDiagnostic[];
}

const NUMERIC_OPTIONS = ['verbose', 'debug', 'maxcalls'] as const;

/** The `[options]` section of DIR/herald.conf (all optional). */
export function loadHeraldOptions(configDir: string, doc: ConfDocument | undefined = loadHeraldConf(configDir)): HeraldOptions {
  const out: HeraldOptions = { warnings: [] };
  if (!doc) return out;
  for (const section of sectionsNamed(doc, 'options')) {
    for (const entry of section.entries) {
      const name = NUMERIC_OPTIONS.find((n) => n === entry.key.toLowerCase());
      if (!name) {
        out.warnings.push(diag(entry, `unknown option '${entry.key}' in [options], ignored`));
        continue;
      }
      if (!/^\d+$/.test(entry.value)) {
        out.warnings.push(diag(entry, `${name} must be a whole number, got '${entry.value}'; ignored`));
        continue;
      }
      out[name] = Number(entry.value);
    }
  }
  return out;
}

function diag(entry: ConfEntry, message: string): ConfDiagnostic {
  return { file: entry.file, line: entry.line, message };
}
