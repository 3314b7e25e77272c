/** Helpers shared by the dialplan functions. */
import { FunctionError, type DialplanChannel, type FunctionCall } from '../types.js';
import { evalSubstituter } from './substituter.js';

/**
 * The value of a variable the way Asterisk's functions read one (they substitute `${name}`),
 * so built-ins and `NAME(args)` work when the engine's substituter is installed; otherwise
 * channel variables, then globals.
 */
export function readVariable(call: FunctionCall, name: string): string {
  const sub = evalSubstituter();
  if (sub) return sub(`\${${name}}`, call.channel);
  return call.channel?.getVar(name) ?? call.services.globals.get(name) ?? '';
}

/** pbx_builtin_setvar_helper for a plain name: the channel's variable, globals without one. */
export function writeVariable(call: FunctionCall, name: string, value: string): void {
  if (call.channel) call.channel.setVar(name, value);
  else {
    call.services.globals.set(name, value);
    call.services.verbose(2, `Setting global variable '${name}' to '${value}'`);
  }
}

export function requireChannel(call: FunctionCall): DialplanChannel {
  if (!call.channel) throw new FunctionError(`No channel was provided to ${call.name} function.`);
  return call.channel;
}

/**
 * ast_get_encoded_char(): one character of a delimiter-style argument, with backslash escapes
 * (`\n \r \t`, `\xH` or `\xHH`, `\0` plus up to three octal digits, otherwise the escaped
 * character itself). `ok` is false for an empty argument or `\x` without a hex digit.
 */
export function encodedChar(s: string, at = 0): { ch: string; used: number; ok: boolean } {
  const c = s[at];
  if (c === undefined) return { ch: '', used: 0, ok: false };
  if (c !== '\\') return { ch: c, used: 1, ok: true };
  const n = s[at + 1];
  if (n === undefined) return { ch: '', used: 2, ok: true };
  const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t' };
  const mapped = simple[n];
  if (mapped !== undefined) return { ch: mapped, used: 2, ok: true };
  if (n === 'x') {
    const m = /^[0-9a-fA-F]{1,2}/.exec(s.slice(at + 2));
    if (!m) return { ch: '', used: 2, ok: false };
    return { ch: String.fromCharCode(parseInt(m[0], 16)), used: 2 + m[0].length, ok: true };
  }
  if (n === '0') {
    const m = /^[0-7]{1,3}/.exec(s.slice(at + 2));
    if (!m) return { ch: '\0', used: 2, ok: true };
    return { ch: String.fromCharCode(parseInt(m[0], 8) & 0xff), used: 2 + m[0].length, ok: true };
  }
  return { ch: n, used: 2, ok: true };
}

/** C's sscanf("%d") on the start of a string: the integer, or null when there is none. */
export function scanInt(s: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return null;
  return Number(BigInt.asIntN(32, BigInt(m[1] as string)));
}

/** ASCII-only case mapping, as C's toupper/tolower in the C locale. */
export function asciiUpper(s: string): string {
  return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
}

export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** ast_get_encoded_str(): a whole argument with its backslash escapes decoded (stops at a bad one). */
export function encodedString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; ) {
    const { ch, used, ok } = encodedChar(s, i);
    if (!ok) break;
    out += ch;
    i += used;
  }
  return out;
}

/** ast_strip_quoted(s, "\"", "\""): trimmed, then one pair of surrounding double quotes removed. */
export function stripQuoted(s: string): string {
  const t = s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}
