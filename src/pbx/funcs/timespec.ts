/**
 * Asterisk time specs `times,weekdays,mdays,months[,timezone]` (ast_build_timing /
 * ast_check_timing, asterisk-dialplan-xmpp.md §1.7) for IFTIME.
 *
 * The dialplan loader already implements the matcher in src/pbx/include-time.ts (includes and
 * GotoIfTime use it); this adapter takes the spec as one string and caches the compiled form,
 * so there is a single implementation of the rules.
 */
import { compileTimeSpec, matchTimeSpec as matchCompiled, splitTimeSpec, type CompiledTimeSpec } from '../include-time.js';

const compiledSpecs = new Map<string, CompiledTimeSpec>();

/** The compiled spec (with the warnings for elements that did not parse). */
export function compileSpec(spec: string): CompiledTimeSpec {
  let c = compiledSpecs.get(spec);
  if (!c) {
    c = compileTimeSpec(splitTimeSpec(spec));
    if (compiledSpecs.size > 1000) compiledSpecs.clear();
    compiledSpecs.set(spec, c);
  }
  return c;
}

/** True when `date` falls inside `spec` (fields separated by ',' or '|'). */
export function matchTimeSpec(spec: string, date: Date): boolean {
  return matchCompiled(compileSpec(spec), date);
}
