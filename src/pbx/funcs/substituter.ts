/**
 * The hook through which functions reach the engine's `${}` substitution (EVAL, and the
 * functions that, like Asterisk, read a variable by substituting `${name}`: CUT, FIELDQTY…).
 * The engine calls setEvalSubstituter() once at start-up.
 */
import type { DialplanChannel } from '../types.js';

export type Substituter = (text: string, channel: DialplanChannel | null) => string;

let current: Substituter | null = null;

/** Install the engine's substitution (`substitute(text, chan, services, functions)`). */
export function setEvalSubstituter(fn: Substituter | null): void {
  current = fn;
}

export function evalSubstituter(): Substituter | null {
  return current;
}
