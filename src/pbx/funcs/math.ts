/**
 * MATH(number1 op number2[,type]) (func_math.c). Operators, looked for in this order:
 * `*` `/` `%` `^` `AND` `XOR` `OR` `>` `>=` `>>` `<` `<=` `<<` `==` `+` `-`; a leading `-` belongs
 * to the first number. Comparisons give TRUE/FALSE. `%`, shifts and bit operations work on C ints;
 * dividing by a number <= 0 gives 0. Result types: f/float (default, "%f"), i/int, h/hex, c/char.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';

type Op =
  | 'mul' | 'div' | 'mod' | 'pow' | 'and' | 'xor' | 'or' | 'gt' | 'ge' | 'shr' | 'lt' | 'le' | 'shl' | 'eq' | 'add' | 'sub';

/** The operator and where both operands are in the text. */
function findOperator(s: string): { op: Op; left: string; right: string } | null {
  const single: Array<[string, Op]> = [['*', 'mul'], ['/', 'div'], ['%', 'mod'], ['^', 'pow']];
  for (const [ch, op] of single) {
    const at = s.indexOf(ch);
    if (at >= 0) return { op, left: s.slice(0, at), right: s.slice(at + 1) };
  }
  const words: Array<[string, Op]> = [['AND', 'and'], ['XOR', 'xor'], ['OR', 'or']];
  for (const [w, op] of words) {
    const at = s.indexOf(w);
    if (at >= 0) return { op, left: s.slice(0, at), right: s.slice(at + w.length) };
  }
  let at = s.indexOf('>');
  if (at >= 0) {
    if (s[at + 1] === '=') return { op: 'ge', left: s.slice(0, at), right: s.slice(at + 2) };
    if (s[at + 1] === '>') return { op: 'shr', left: s.slice(0, at), right: s.slice(at + 2) };
    return { op: 'gt', left: s.slice(0, at), right: s.slice(at + 1) };
  }
  at = s.indexOf('<');
  if (at >= 0) {
    if (s[at + 1] === '=') return { op: 'le', left: s.slice(0, at), right: s.slice(at + 2) };
    if (s[at + 1] === '<') return { op: 'shl', left: s.slice(0, at), right: s.slice(at + 2) };
    return { op: 'lt', left: s.slice(0, at), right: s.slice(at + 1) };
  }
  at = s.indexOf('=');
  if (at >= 0) {
    // A lone '=' is no operator at all.
    return s[at + 1] === '=' ? { op: 'eq', left: s.slice(0, at), right: s.slice(at + 2) } : null;
  }
  at = s.indexOf('+');
  if (at >= 0) return { op: 'add', left: s.slice(0, at), right: s.slice(at + 1) };
  at = s.indexOf('-');
  if (at >= 0) return { op: 'sub', left: s.slice(0, at), right: s.slice(at + 1) };
  return null;
}

/** sscanf("%lf"): null when no number starts the text. */
export function scanDouble(s: string): number | null {
  const m = /^\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|inf(?:inity)?|nan)/i.exec(s);
  if (!m) return null;
  const t = m[0].trim();
  if (/^[+-]?0[xX]/.test(t)) return (t.startsWith('-') ? -1 : 1) * parseInt(t.replace(/^[+-]/, ''), 16);
  if (/inf/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/nan/i.test(t)) return NaN;
  return Number(t);
}

/** C's (int) conversion of a double (truncation; out of range wraps like x86's cvttsd2si). */
function cInt(v: number): number {
  if (!Number.isFinite(v) || Math.abs(v) >= 2 ** 31) return -2147483648;
  return Math.trunc(v);
}

export const MATH: DialplanFunction = {
  name: 'MATH',
  synopsis: 'Performs Mathematical Functions.',
  syntax: 'MATH(expression[,type])',
  description:
    'Computes "number1 operator number2" with + - * / % ^ << >> AND OR XOR and the comparisons < > <= >= ==; the result type is f (default), i, h or c.',
  read: (call) => {
    if (call.args === '') {
      throw new FunctionError('Syntax: MATH(<number1><op><number 2>[,<type_of_result>]) - missing argument!');
    }
    const args = splitArgs(call.args, ',', { max: 2 });
    let expr = args[0] ?? '';
    const typeArg = args[1];
    let negate = false;
    if (expr.startsWith('-')) {
      negate = true;
      expr = expr.slice(1);
    }
    const found = findOperator(expr);
    let type = 'f';
    if (typeArg !== undefined) {
      const t = typeArg.toLowerCase();
      if (t === 'float' || t === 'f') type = 'f';
      else if (t === 'int' || t === 'i') type = 'i';
      else if (t === 'hex' || t === 'h') type = 'h';
      else if (t === 'char' || t === 'c') type = 'c';
      else throw new FunctionError(`Unknown type of result requested '${typeArg}'.`);
    }
    if (!found) throw new FunctionError('Supply all the parameters - just this once, please');
    let a = scanDouble(found.left);
    if (a === null) throw new FunctionError(`'${found.left}' is not a valid number`);
    const b = scanDouble(found.right);
    if (b === null) throw new FunctionError(`'${found.right}' is not a valid number`);
    if (negate) a = -a;
    let r: number;
    switch (found.op) {
      case 'add': r = a + b; break;
      case 'sub': r = a - b; break;
      case 'mul': r = a * b; break;
      case 'div': r = b <= 0 ? 0 : a / b; break;
      case 'mod': {
        const x = cInt(a);
        const y = cInt(b);
        r = y === 0 ? 0 : x % y;
        break;
      }
      case 'pow': r = a ** b; break;
      case 'shl': r = cInt(a) << (cInt(b) & 31); break;
      case 'shr': r = cInt(a) >> (cInt(b) & 31); break;
      case 'and': r = cInt(a) & cInt(b); break;
      case 'xor': r = cInt(a) ^ cInt(b); break;
      case 'or': r = cInt(a) | cInt(b); break;
      case 'gt': return a > b ? 'TRUE' : 'FALSE';
      case 'ge': return a >= b ? 'TRUE' : 'FALSE';
      case 'lt': return a < b ? 'TRUE' : 'FALSE';
      case 'le': return a <= b ? 'TRUE' : 'FALSE';
      case 'eq': return a === b ? 'TRUE' : 'FALSE';
    }
    switch (type) {
      case 'i': return String(cInt(r));
      case 'h': return (cInt(r) >>> 0).toString(16);
      case 'c': return String.fromCharCode(cInt(r) & 0xff);
      default:
        if (Number.isNaN(r)) return r < 0 ? '-nan' : 'nan';
        if (!Number.isFinite(r)) return r < 0 ? '-inf' : 'inf';
        return r.toFixed(6);
    }
  },
};
