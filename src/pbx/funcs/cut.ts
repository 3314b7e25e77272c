/**
 * CUT(varname,char-delim,range-spec) (func_cut.c): fields of a variable's value. The delimiter
 * is one (escapable) character, '-' by default; the range spec is `&`-separated items `N`,
 * `N-M`, `N-` or `-M` (1-based). Fields are taken in one forward pass, so a range that goes
 * back is skipped; the chosen fields are joined with the delimiter.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { encodedChar, readVariable } from './common.js';

const MAXRESULT = 1024;

function parseRange(item: string): [number, number] | null {
  let m = /^\s*([+-]?\d+)-\s*([+-]?\d+)/.exec(item);
  if (m) return [Number(m[1]), Number(m[2])];
  m = /^-\s*([+-]?\d+)/.exec(item);
  if (m) return [0, Number(m[1])];
  m = /^\s*([+-]?\d+)(.)/s.exec(item);
  if (m && m[2] === '-') return [Number(m[1]), MAXRESULT];
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
    const delim = delimArg === '' ? '-' : encodedChar(delimArg).ch;
    const fields = readVariable(call, varname).split(delim);
    const out: string[] = [];
    let cursor = 0; // index of the next unread field (field number cursor + 1)
    for (const item of rangeSpec.split('&')) {
      const range = parseRange(item);
      if (!range) throw new FunctionError('Usage: CUT(<varname>,<char-delim>,<range-spec>)');
      const [from, to] = range;
      if (from > 0) {
        while (cursor < fields.length && cursor + 1 < from) cursor++;
        if (cursor + 1 > from) call.services.log.warn("We're already past the field you wanted?");
      }
      while (cursor < fields.length && cursor + 1 <= to) {
        out.push(fields[cursor] as string);
        cursor++;
      }
    }
    // Asterisk appends the delimiter only once the result is non-empty.
    let result = '';
    for (const f of out) result += result === '' ? f : delim + f;
    return result;
  },
};
