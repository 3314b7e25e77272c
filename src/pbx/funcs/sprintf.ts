/**
 * SPRINTF(format,arg1[,arg2...]) (func_sprintf.c): C printf conversions on string arguments:
 * %s, %c, %d/%i, %u, %o, %x/%X, %e/%E, %f/%F, %g/%G, %a/%A and %%, with flags `#0- +'`, width and
 * precision (numbers only, not `*`). Numeric arguments are read the way sscanf would.
 */
import { splitArgs } from '../args.js';
import { formatDouble } from './printf.js';
import { FunctionError, type DialplanFunction } from '../types.js';

function toInt(s: string): bigint {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)/.exec(s);
  if (!m) return 0n;
  const body = m[2] as string;
  let v: bigint;
  if (/^0[xX]/.test(body)) v = BigInt(body);
  else if (body.length > 1 && body.startsWith('0')) v = BigInt(`0o${body.slice(1)}`);
  else v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

function toFloat(s: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)/i.exec(s);
  return m ? Number(m[0].trim().replace(/^([+-]?)inf(inity)?$/i, '$1Infinity').replace(/^[+-]?nan$/i, 'NaN')) : 0;
}

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

export function sprintf(format: string, args: string[]): string {
  let out = '';
  let argi = 0;
  const next = (): string => args[argi++] ?? '';
  const re = /%([#0\- +']*)(\d+)?(?:\.(\d*))?(hh|h|ll|l|L|q|j|z|t)?([diouxXeEfFgGaAcs%])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const flags = m[1] ?? '';
    const width = m[2] ? Number(m[2]) : 0;
    const precision = m[3] === undefined ? null : Number(m[3] || '0');
    const conv = m[5] as string;
    switch (conv) {
      case '%':
        out += '%';
        break;
      case 's': {
        const s = next();
        out += pad(precision === null ? s : s.slice(0, precision), '', '', flags, width, false);
        break;
      }
      case 'c':
        out += pad(String.fromCharCode(Number(BigInt.asUintN(8, toInt(next())))), '', '', flags, width, false);
        break;
      case 'd':
      case 'i':
      case 'u':
      case 'o':
      case 'x':
      case 'X': {
        let v = toInt(next());
        if (m[4] === 'l' || m[4] === 'll' || m[4] === 'q' || m[4] === 'j') v = BigInt.asIntN(64, v);
        else v = BigInt.asIntN(32, v);
        const signed = conv === 'd' || conv === 'i';
        if (!signed) v = BigInt.asUintN(m[4] === 'l' || m[4] === 'll' || m[4] === 'q' || m[4] === 'j' ? 64 : 32, v);
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
        break;
      }
      default: {
        const v = toFloat(next());
        const neg = v < 0 || Object.is(v, -0);
        const body = formatDouble(Math.abs(v), conv, precision, flags.includes('#'));
        const sign = neg ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
        out += pad(body, sign, '', flags, width, Number.isFinite(v));
        break;
      }
    }
  }
  return out + format.slice(last);
}

export const SPRINTF: DialplanFunction = {
  name: 'SPRINTF',
  synopsis: 'Format a variable according to a format string.',
  syntax: 'SPRINTF(format,arg1[,arg2[,...][,argN]])',
  description: 'Formats the arguments with C printf-style conversions such as %s, %d, %05.2f or %x.',
  read: (call) => {
    const [format, ...args] = splitArgs(call.args, ',');
    if (format === undefined) throw new FunctionError('SPRINTF requires a format string');
    return sprintf(format, args);
  },
};
