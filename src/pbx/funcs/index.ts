/**
 * The built-in dialplan functions and a registry for them.
 *
 * Hooks for the engine:
 *  - setEvalSubstituter(fn): install `${}` substitution for EVAL (and for CUT, FIELDQTY … which
 *    read variables by substituting `${name}`);
 *  - hangupHandlers(channel): the CHANNEL(hangup_handler_*) stack, most recent last.
 */
import type { DialplanFunction } from '../types.js';
import { ARRAY } from './array.js';
import { CALLERID } from './callerid.js';
import { CHANNEL } from './channel.js';
import { CSV_QUOTE } from './csv-quote.js';
import { CUT } from './cut.js';
import { DB } from './db.js';
import { DB_DELETE } from './db-delete.js';
import { DB_EXISTS } from './db-exists.js';
import { DB_KEYS } from './db-keys.js';
import { EVAL } from './eval.js';
import { EXISTS } from './exists.js';
import { FIELDNUM } from './fieldnum.js';
import { FIELDQTY } from './fieldqty.js';
import { FILTER } from './filter.js';
import { GLOBAL } from './global.js';
import { HASH } from './hash.js';
import { HASHKEYS } from './hashkeys.js';
import { IF } from './if.js';
import { IFTIME } from './iftime.js';
import { ISNULL } from './isnull.js';
import { KEYPADHASH } from './keypadhash.js';
import { PASSTHRU } from './passthru.js';
import { LEN } from './len.js';
import { POP } from './pop.js';
import { PUSH } from './push.js';
import { SHIFT } from './shift.js';
import { UNSHIFT } from './unshift.js';
import { LISTFILTER } from './listfilter.js';
import { DEC } from './dec.js';
import { INC } from './inc.js';
import { MATH } from './math.js';
import { ABS } from './abs.js';
import { MAX } from './max.js';
import { MIN } from './min.js';
import { QUOTE } from './quote.js';
import { RAND } from './rand.js';
import { REGEX } from './regex.js';
import { REPLACE } from './replace.js';
import { createSetFunction, type FunctionResolver } from './set.js';
import { SHARED } from './shared.js';
import { SPRINTF } from './sprintf.js';
import { STRFTIME } from './strftime.js';
import { STRBETWEEN } from './strbetween.js';
import { STRPTIME } from './strptime.js';
import { STRREPLACE } from './strreplace.js';
import { TOLOWER } from './tolower.js';
import { TOUPPER } from './toupper.js';
import { VALID_EXTEN } from './valid-exten.js';
import { DIALPLAN_EXISTS } from './dialplan-exists.js';

export { setEvalSubstituter } from './substituter.js';
export { hangupHandlers, expandHandlerLocation } from './channel.js';
export { matchTimeSpec } from './timespec.js';
export type { FunctionResolver } from './set.js';

/**
 * All built-in functions. SET(FUNC(args)=value) resolves FUNC with `resolve` (default: among
 * these built-ins).
 */
export function builtinFunctions(resolve?: FunctionResolver): DialplanFunction[] {
  const list: DialplanFunction[] = [
    ARRAY, CALLERID, CHANNEL, CSV_QUOTE, CUT, DB, DB_DELETE, DB_EXISTS, DB_KEYS, EVAL, EXISTS,
    FIELDNUM, FIELDQTY, FILTER, GLOBAL, HASH, HASHKEYS, IF, IFTIME, ISNULL, LEN, LISTFILTER, MATH,
    POP, PUSH, QUOTE, RAND, REGEX, REPLACE, SHARED, SHIFT, SPRINTF, STRFTIME, STRPTIME, STRREPLACE,
    TOLOWER, TOUPPER, UNSHIFT, VALID_EXTEN, DIALPLAN_EXISTS, INC, DEC, MIN, MAX, ABS,
    STRBETWEEN, KEYPADHASH, PASSTHRU,
  ];
  const own = new Map(list.map((f) => [f.name, f]));
  list.push(createSetFunction(resolve ?? ((name) => own.get(name.toUpperCase()))));
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Functions by name; lookups ignore case. */
export class FunctionRegistry {
  private readonly byName = new Map<string, DialplanFunction>();

  register(fn: DialplanFunction): void {
    this.byName.set(fn.name.toUpperCase(), fn);
  }

  get(name: string): DialplanFunction | undefined {
    return this.byName.get(name.toUpperCase());
  }

  /** Sorted by name (for `core show functions`). */
  list(): DialplanFunction[] {
    return [...this.byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** A registry holding the built-ins, whose SET() writes any function registered in it later. */
export function createBuiltinRegistry(): FunctionRegistry {
  const registry = new FunctionRegistry();
  for (const f of builtinFunctions((name) => registry.get(name))) registry.register(f);
  return registry;
}
