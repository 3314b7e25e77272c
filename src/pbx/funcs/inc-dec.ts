/**
 * INC(variable) and DEC(variable) (func_math.c): the variable must hold a whole number; it is
 * incremented/decremented in place and the new value returned.
 */
import { FunctionError, type FunctionCall } from '../types.js';
import { requireChannel } from './common.js';

export function step(call: FunctionCall, delta: number): string {
  if (call.args === '') throw new FunctionError(`Syntax: ${call.name}(<data>) - missing argument!`);
  const channel = requireChannel(call);
  const current = channel.getVar(call.args) ?? call.services.globals.get(call.args);
  if (current === undefined) throw new FunctionError(`Failed to obtain variable ${call.args}, bailing out`);
  if (current === '') {
    throw new FunctionError(`Variable ${call.args} doesn't exist - are you sure you wrote it correctly?`);
  }
  // sscanf("%d%c") must read the number and nothing after it.
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)$/.exec(current);
  if (!m) throw new FunctionError(`The content of \${${call.args}} is not a numeric value - bailing out!`);
  const next = String(Number(BigInt.asIntN(32, BigInt(m[1] as string) + BigInt(delta))));
  channel.setVar(call.args, next);
  return next;
}
