/**
 * `${…}` and `$[…]` substitution (asterisk-dialplan-xmpp.md §2.1–2.3, Asterisk's
 * pbx_variables.c rules):
 *  - `${NAME}`, `${NAME:offset[:length]}` (first `:` outside parentheses; sscanf("%d:%d")
 *    semantics, a non-integer offset means the whole value), `${FUNC(args)}`;
 *  - the text inside is substituted first when it contains `${` or `$[` (`${${X}}`, `${VAR${N}}`);
 *  - a result is never rescanned (single pass); a `$` not followed by `{`/`[` is literal;
 *  - lookup order: channel built-ins, global built-ins, channel variables, globals;
 *  - undefined variables and failing functions give an empty string.
 * Parsed templates are cached by text, so an appData string is scanned once.
 */
import { evaluateExpression } from './expr/index.js';
import { FunctionError, type DialplanChannel, type DialplanFunction, type PbxServices } from './types.js';

/** What substitution needs from the function registry (h6's FunctionRegistry has this shape). */
export interface FunctionLookup {
  get(name: string): DialplanFunction | undefined;
}

/** `${...}`: raw inner text (no nested substitution needed) or parsed inner template. */
interface VarNode {
  kind: 'var';
  raw: string | null;
  inner: Node[] | null;
}
interface ExprNode {
  kind: 'expr';
  raw: string | null;
  inner: Node[] | null;
}
type Node = string | VarNode | ExprNode;

/** Deeper nesting than this is kept as literal text (bounded recursion on hostile input). */
const MAX_DEPTH = 32;
const CACHE_LIMIT = 20000;
const cache = new Map<string, Node[]>();

interface ParseNote {
  warnings: string[];
}

function parseTemplate(text: string, depth: number, note: ParseNote): Node[] {
  const nodes: Node[] = [];
  const len = text.length;
  let pos = 0;
  let i = text.indexOf('$', pos);
  while (i !== -1 && i < len - 1) {
    const next = text.charCodeAt(i + 1);
    if (next !== 123 /* { */ && next !== 91 /* [ */) {
      i = text.indexOf('$', i + 1);
      continue;
    }
    const isVar = next === 123;
    let brackets = 1;
    let needSub = false;
    let j = i + 2;
    // Asterisk's bracket counting: `${` and `{` open, `}` closes (for ${}); `$[`/`[` and `]` for $[].
    while (j < len && brackets > 0) {
      const c = text.charCodeAt(j);
      const c2 = j + 1 < len ? text.charCodeAt(j + 1) : 0;
      if (isVar) {
        if (c === 36 && c2 === 123) {
          needSub = true;
          brackets++;
          j++;
        } else if (c === 123) brackets++;
        else if (c === 125) brackets--;
        else if (c === 36 && c2 === 91) needSub = true;
      } else {
        if (c === 36 && c2 === 91) {
          needSub = true;
          brackets++;
          j++;
        } else if (c === 91) brackets++;
        else if (c === 93) brackets--;
        else if (c === 36 && c2 === 123) {
          needSub = true;
          j++;
        }
      }
      j++;
    }
    let inner: string;
    if (brackets > 0) {
      note.warnings.push(`Error in extension logic (missing '${isVar ? '}' : ']'}')`);
      inner = text.slice(i + 2);
    } else {
      inner = text.slice(i + 2, j - 1);
    }
    if (i > pos) nodes.push(text.slice(pos, i));
    const sub = needSub && depth < MAX_DEPTH ? parseTemplate(inner, depth + 1, note) : null;
    nodes.push({ kind: isVar ? 'var' : 'expr', raw: sub ? null : inner, inner: sub });
    pos = j;
    i = text.indexOf('$', pos);
  }
  if (pos < len) nodes.push(pos === 0 ? text : text.slice(pos));
  return nodes;
}

function getTemplate(text: string, services: PbxServices): Node[] {
  let t = cache.get(text);
  if (t) return t;
  const note: ParseNote = { warnings: [] };
  t = parseTemplate(text, 0, note);
  for (const w of note.warnings) services.log.warn(w);
  if (note.warnings.length === 0) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(text, t);
  }
  return t;
}

/** Asterisk's ast_str_substring: negative offset from the end, negative length drops from the end. */
export function substring(value: string, offset: number, length: number | null): string {
  const lr = value.length;
  if (offset === 0 && (length === null || length >= lr)) return value;
  let start = offset;
  if (start < 0) {
    start = lr + start;
    if (start < 0) start = 0;
  }
  if (start >= lr) return '';
  let end: number;
  if (length === null) end = lr;
  else if (length >= 0) end = Math.min(lr, start + length);
  else end = lr + length;
  return end > start ? value.slice(start, end) : '';
}

const INT_RE = /^\s*([+-]?\d+)/;

/** Split `NAME:offset:length` at the first `:` outside parentheses. */
function splitSubstringSpec(name: string): { name: string; offset: number; length: number | null } | null {
  let depth = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c === 40) depth++;
    else if (c === 41) depth--;
    else if (c === 58 && depth === 0) {
      const rest = name.slice(k + 1);
      const m1 = INT_RE.exec(rest);
      // sscanf("%d:%d") quirk: a non-integer first field means offset 0, unlimited length.
      if (!m1) return { name: name.slice(0, k), offset: 0, length: null };
      const after = rest.slice(m1[0].length);
      let length: number | null = null;
      if (after.startsWith(':')) {
        const m2 = INT_RE.exec(after.slice(1));
        if (m2) length = Number(m2[1]);
      }
      return { name: name.slice(0, k), offset: Number(m1[1]), length };
    }
  }
  return null;
}

/** Channel built-ins (case-sensitive names; they shadow channel variables of the same name). */
function channelBuiltin(name: string, chan: DialplanChannel): string | undefined {
  switch (name) {
    case 'EXTEN':
      return chan.exten;
    case 'CONTEXT':
      return chan.context;
    case 'PRIORITY':
      return String(chan.priority);
    case 'CHANNEL':
      return chan.name;
    case 'UNIQUEID':
      return chan.uniqueid;
    case 'HANGUPCAUSE':
      return String(chan.hangupCause);
    case 'CALLINGPRES':
      return '0';
    case 'CALLINGANI2':
    case 'CALLINGTON':
    case 'CALLINGTNS':
      return '0';
    default:
      return undefined;
  }
}

function globalBuiltin(name: string, services: PbxServices): string | undefined {
  if (name === 'EPOCH') return String(Math.floor(services.clock.wallNow() / 1000));
  return undefined;
}

/** Read a variable by name with Asterisk's lookup order (no function, no substring). */
export function readVariable(name: string, chan: DialplanChannel | null, services: PbxServices): string | undefined {
  if (chan) {
    const b = channelBuiltin(name, chan);
    if (b !== undefined) return b;
  }
  const g = globalBuiltin(name, services);
  if (g !== undefined) return g;
  if (chan) {
    const v = chan.getVar(name);
    if (v !== undefined) return v;
  }
  return services.globals.get(name);
}

/** Call a function read: `name` is the function name, `args` the text inside the parentheses. */
export function callFunctionRead(
  fname: string,
  args: string,
  chan: DialplanChannel | null,
  services: PbxServices,
  functions: FunctionLookup,
): string {
  const fn = functions.get(fname);
  if (!fn) {
    services.log.error(`Function ${fname} not registered`);
    return '';
  }
  if (!fn.read) {
    services.log.error(`Function ${fname} cannot be read`);
    return '';
  }
  try {
    return fn.read({ name: fname, args, channel: chan, services });
  } catch (err) {
    const msg = err instanceof FunctionError ? err.message : `${fname}: ${err instanceof Error ? err.message : String(err)}`;
    services.log.warn(msg);
    return '';
  }
}

/** Split `FUNC(args)` into name and args (up to the last `)`); null when not a function call. */
export function splitFunctionCall(text: string): { name: string; args: string } | null {
  const open = text.indexOf('(');
  if (open < 0) return null;
  const close = text.lastIndexOf(')');
  const args = close > open ? text.slice(open + 1, close) : text.slice(open + 1);
  return { name: text.slice(0, open), args };
}

function lookup(full: string, chan: DialplanChannel | null, services: PbxServices, functions: FunctionLookup): string {
  let name = full;
  let spec: ReturnType<typeof splitSubstringSpec> = null;
  if (full.indexOf(':') !== -1) {
    spec = splitSubstringSpec(full);
    if (spec) name = spec.name;
  }
  let value: string;
  const call = name.indexOf('(') !== -1 ? splitFunctionCall(name) : null;
  if (call) {
    if (name.lastIndexOf(')') < 0) services.log.warn(`Can't find trailing parenthesis for function '${name}'?`);
    value = callFunctionRead(call.name, call.args, chan, services, functions);
  } else {
    value = readVariable(name, chan, services) ?? '';
  }
  return spec ? substring(value, spec.offset, spec.length) : value;
}

function evalNodes(nodes: Node[], chan: DialplanChannel | null, services: PbxServices, functions: FunctionLookup): string {
  let out = '';
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k]!;
    if (typeof n === 'string') {
      out += n;
      continue;
    }
    const inner = n.raw !== null ? n.raw : evalNodes(n.inner!, chan, services, functions);
    if (n.kind === 'var') {
      out += lookup(inner, chan, services, functions);
    } else {
      const r = evaluateExpression(inner, {
        callFunction: (fname: string, args: string) =>
          functions.get(fname) ? callFunctionRead(fname, args, chan, services, functions) : undefined,
      });
      if (r.warning) services.log.warn(r.warning);
      out += r.value;
    }
  }
  return out;
}

/**
 * Substitute `${…}` and `$[…]` in text for a channel (null: globals only, e.g. [globals]).
 * Strings without `$` are returned unchanged without scanning.
 */
export function substitute(
  text: string,
  chan: DialplanChannel | null,
  services: PbxServices,
  functions: FunctionLookup,
): string {
  if (text.indexOf('$') === -1) return text;
  const nodes = getTemplate(text, services);
  if (nodes.length === 1 && typeof nodes[0] === 'string') return nodes[0];
  return evalNodes(nodes, chan, services, functions);
}

/** True when text has something to substitute (`${` or `$[`). */
export function needsSubstitution(text: string): boolean {
  const i = text.indexOf('$');
  if (i === -1) return false;
  return text.includes('${') || text.includes('$[');
}
