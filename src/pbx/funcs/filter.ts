/**
 * FILTER(allowed-chars,string) (func_strings.c): only the characters of `string` that are in
 * the allowed set. The set may contain ranges `a-z` (wrapping past 255 when reversed) and
 * backslash escapes (`\x41`, `\n` …).
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { encodedChar } from './common.js';

export const FILTER: DialplanFunction = {
  name: 'FILTER',
  synopsis: 'Filter the string to include only the allowed characters',
  syntax: 'FILTER(allowed-chars,string)',
  description: 'Keeps only the characters of the string that appear in the allowed set; the set may use ranges such as 0-9 or a-z.',
  read: (call) => {
    // AST_STANDARD_RAW_ARGS: quotes and backslashes stay, so `\x41` and `\-` reach the decoder.
    const args = splitArgs(call.args, ',', { max: 2, removeQuotes: false });
    if (args.length < 2) throw new FunctionError('Usage: FILTER(<allowed-chars>,<string>)');
    const [allowed, text] = args as [string, string];
    if (allowed.startsWith('"')) {
      call.services.log.warn('FILTER allowed characters includes the quote (") character.  This may not be what you want.');
    }
    const bits = new Uint8Array(256);
    let i = 0;
    while (i < allowed.length) {
      const first = encodedChar(allowed, i);
      if (!first.ok) throw new FunctionError(`Bad character in FILTER allowed set '${allowed}'`);
      i += first.used;
      const c1 = first.ch.charCodeAt(0) & 0xff;
      if (allowed[i] === '-') {
        const second = encodedChar(allowed, i + 1);
        const c2 = second.ok ? second.ch.charCodeAt(0) & 0xff : c1;
        i += second.used + 1;
        if (c2 < c1) {
          call.services.log.warn(`Range wrapping in FILTER(${call.args}).  This may not be what you want.`);
        }
        for (let ac = c1; ac !== c2; ac = (ac + 1) & 0xff) bits[ac] = 1;
        bits[c2] = 1;
      } else {
        bits[c1] = 1;
      }
    }
    let out = '';
    for (const ch of text) {
      const code = ch.charCodeAt(0);
      if (code < 256 && bits[code] === 1) out += ch;
    }
    return out;
  },
};
