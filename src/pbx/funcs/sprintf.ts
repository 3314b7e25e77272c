/**
 * SPRINTF(format,arg1[,arg2...]) (func_sprintf.c): C printf conversions applied to the text
 * arguments: d i o u x X c take an integer (sscanf "%d"), e E f F g G a A a double (sscanf
 * "%lf"), s a string (a missing one prints "(null)"), %% a percent sign. Flags `#0- +'I`, width,
 * precision and length modifiers are accepted. A non-numeric argument, a missing numeric one or
 * an unknown conversion fails the whole function.
 */
import { splitArgs } from '../args.js';
import { formatDouble } from './printf.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { scanInt } from './common.js';
import { scanDouble } from './math.js';

function pad(body: string, sign: string, prefix: string, flags: string, width: number, zeroAllowed: boolean): string {
  const total = sign.length + prefix.length + body.length;
  if (width <= total) return sign + prefix + body;
  if (flags.includes('-')) return sign + prefix + body + ' '.repeat(width - total);
  if (flags.includes('0') && zeroAllowed) return sign + prefix + '0'.repeat(width - total) + body;
  return ' '.repeat(width - total) + sign + prefix + body;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function sprintf(format: string, args: Array<string | undefined>): string {
  let out = '';
  let argi = 0;
  const re = /%([#0\- +'I]*)(\d*)(?:\.(\d*))?(hh|h|ll|l|L|q|j|z|t)?([\s\S])?/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const flags = m[1] ?? '';
    const width = m[2] ? Number(m[2]) : 0;
    const precision = m[3] === undefined ? null : Number(m[3] || '0');
    const conv = m[5];
    const spec = m[0];
    if (conv === undefined) break; // the format ended inside a conversion: nothing more is printed
    if (conv === '%') {
      out += '%';
      continue;
    }
    if (conv === 's') {
      const s = args[argi++] ?? '(null)';
      out += pad(precision === null ? s : s.slice(0, precision), '', '', flags, width, false);
      continue;
    }
    if ('diouxXc'.includes(conv)) {
      const arg = args[argi++];
      if (arg === undefined) throw new FunctionError('SPRINTF() has more format specifiers than arguments!');
      const n = scanInt(arg);
      if (n === null) throw new FunctionError(`Argument '${arg}' is not an integer number for format '${spec}'`);
      if (conv === 'c') {
        out += pad(String.fromCharCode(n & 0xff), '', '', flags, width, false);
        continue;
      }
      const signed = conv === 'd' || conv === 'i';
      const v = signed ? BigInt(n) : BigInt(n >>> 0);
      const neg = v < 0n;
      const mag = neg ? -v : v;
      const base = conv === 'o' ? 8 : conv === 'x' || conv === 'X' ? 16 : 10;
      let digits = mag.toString(base);
      if (conv === 'X') digits = digits.toUpperCase();
      if (precision !== null) digits = precision === 0 && mag === 0n ? '' : digits.padStart(precision, '0');
      if (flags.includes("'") && base === 10) digits = groupThousands(digits);
      const sign = neg ? '-' : signed && flags.includes('+') ? '+' : signed && flags.includes(' ') ? ' ' : '';
      let prefix = '';
      if (flags.includes('#') && mag !== 0n) {
        if (conv === 'x') prefix = '0x';
        else if (conv === 'X') prefix = '0X';
        else if (conv === 'o' && !digits.startsWith('0')) prefix = '0';
      }
      out += pad(digits, sign, prefix, flags, width, precision === null);
      continue;
    }
    if ('eEfFgGaA'.includes(conv)) {
      const arg = args[argi++];
      if (arg === undefined) throw new FunctionError('SPRINTF() has more format specifiers than arguments!');
      const v = scanDouble(arg);
      if (v === null) throw new FunctionError(`Argument '${arg}' is not a floating point number for format '${spec}'`);
      const neg = v < 0 || Object.is(v, -0);
      const body = formatDouble(Math.abs(v), conv, precision, flags.includes('#'));
      const sign = neg ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
      out += pad(body, sign, '', flags, width, Number.isFinite(v));
      continue;
    }
    throw new FunctionError(`Format type not supported: '${spec}' with argument '${args[argi] ?? '(null)'}'`);
  }
  return out + format.slice(last);
}

export const SPRINTF: DialplanFunction = {
  name: 'SPRINTF',
  synopsis: 'Format a variable according to a format string.',
  syntax: 'SPRINTF(format,arg1[,arg2[,...][,argN]])',
  description: 'Formats the arguments with C printf-style conversions such as %s, %d, %05.2f or %x.',
  read: (call) => {
    const [format, ...args] = splitArgs(call.args, ',', { max: 101 });
    if (format === undefined) throw new FunctionError('SPRINTF requires a format string');
    return sprintf(format, args);
  },
};
