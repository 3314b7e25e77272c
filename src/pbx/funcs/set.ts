/**
 * SET(name=value) (func_logic.c): sets the variable (or, for a name ending in ')', writes the
 * function) and returns the value. Name and value are both trimmed; no '=' or an empty name is
 * a syntax error.
 */
import { stripBlanks } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { writeVariable } from './common.js';

/** Finds a function by name for SET(FUNC(args)=value). */
export type FunctionResolver = (name: string) => DialplanFunction | undefined;

export function createSetFunction(resolve: FunctionResolver): DialplanFunction {
  return {
    name: 'SET',
    synopsis: 'SET assigns a value to a channel variable.',
    syntax: 'SET(varname=[value])',
    description: 'Sets the variable (or writes the function) named before "=" and gives the value after it.',
    read: (call) => {
      const eq = call.args.indexOf('=');
      if (eq <= 0) throw new FunctionError('Syntax SET(<varname>=[<value>])');
      const name = stripBlanks(call.args.slice(0, eq));
      const value = stripBlanks(call.args.slice(eq + 1));
      if (name.endsWith(')')) {
        const open = name.indexOf('(');
        const fname = open > 0 ? name.slice(0, open) : '';
        const fn = fname ? resolve(fname) : undefined;
        if (!fn?.write) throw new FunctionError(`Function ${fname || name} not registered or cannot be written`);
        const r = fn.write({ ...call, name: fname, args: name.slice(open + 1, -1) }, value);
        if (r instanceof Promise) r.catch((err: unknown) => call.services.log.warn(`SET(${name}): ${String(err)}`));
        return value;
      }
      writeVariable(call, name, value);
      return value;
    },
  };
}
