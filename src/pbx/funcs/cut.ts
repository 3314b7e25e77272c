/**
 * CUT(varname,char-delim,range-spec) (func_cut.c): fields of a variable's value. The delimiter
 * is one (escapable) character, '-' by default; the range spec is `&`-separated items `N`,
 * `N-M`, `N-` or `-M` (1-based). Fields are taken in one forward pass, so a range that goes
 * back is skipped; the chosen fields are joined with the delimiter.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { encodedChar, readVariable } from './common.js';


/** One `&` item: [start, stop] (1-based, inclusive), or null when it does not parse. */
function parseRange(item: string): [number, number] | null {
  let m = /^\s*([+-]?\d+)-\s*([+-]?\d+)/.exec(item);
  if (m) return [Number(m[1]), Number(m[2])];
  m = /^-\s*([+-]?\d+)/.exec(item);
  if (m) return [1, Number(m[1])];
  m = /^\s*([+-]?\d+)(.)/s.exec(item);
  if (m && m[2] === '-') return [Number(m[1]), Number.MAX_SAFE_INTEGER];
  m = /^\s*([+-]?\d+)/.exec(item);
  if (m) return [Number(m[1]), Number(m[1])];
  return null;
}

export const CUT: DialplanFunction = {
  name: 'CUT',
  synopsis: 'Slices and dices strings, based upon a named delimiter.',
  syntax: 'CUT(varname,char-delim,range-spec)',
  description:
    'Splits the value of a variable at the delimiter (default "-") and gives the fields named by the range spec, e.g. "2", "1-3", "2-", "-2" or "1&3", joined with the delimiter.',
  read: (call) => {
    const args = splitArgs(call.args, ',', { max: 3 });
    if (args.length < 3) throw new FunctionError('Syntax: CUT(<varname>,<char-delim>,<range-spec>) - missing argument!');
    const [varname, delimArg, rangeSpec] = args as [string, string, string];
    const encoded = encodedChar(delimArg);
    const delim = encoded.ok ? encoded.ch : '-';
    const value = readVariable(call, varname);
    if (value === '') return '';
    const fields = delim === '' ? [value] : value.split(delim);
    const out: string[] = [];
    let next = 0; // index of the next unread field; its field number is next + 1
    for (const item of rangeSpec.split('&')) {
      if (next >= fields.length) break;
      const range = parseRange(item);
      if (!range) throw new FunctionError('Usage: CUT(<varname>,<char-delim>,<range-spec>)');
      const [start, stop] = range;
      while (next < fields.length && next + 1 < start) next++;
      if (next + 1 > start) call.services.log.warn("We're already past the field you wanted?");
      while (next < fields.length && next + 1 <= stop) out.push(fields[next++] as string);
    }
    return out.join(delim);
  },
};
