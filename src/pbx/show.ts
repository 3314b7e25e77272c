/**
 * `dialplan show [[exten@]context]` in Asterisk 20's layout (observed output:
 * asterisk-20-observed.md §5). Layout per line:
 *   "[ Context '<name>' created by '<registrar>' ]"
 *   "  " + pad17("'<ext>' =>") + " " + pad45(first) + " [<file>:<line>]"   first = "hint: …" or "N. App(data)"
 *   "  " + pad17("   [<label>]" or "") + " " + pad45("N. App(data)") + " [<file>:<line>]"
 *   "  Include =>        " + pad45("'<include as written>'") + " [<registrar>]"
 *   "  Ignore pattern => " + pad45("'<pattern>'") + " [<registrar>]"
 *   "  Alt. Switch =>    " + pad45("'<Tech/data>'") + " [<registrar>]"
 * a blank line after each printed context, then "-= N extensions (M priorities) in K contexts. =-".
 * Contexts come newest first (see Dialplan.contextsInShowOrder). With an extension filter only
 * matching extensions print, and included contexts are searched too ("Included context").
 */
import { basename } from 'node:path';
import { Dialplan, PBX_CONFIG_REGISTRAR, type StoredInclude } from './dialplan.js';
import type { DialplanContext, DialplanExtension, DialplanPriority } from './model.js';
import { match } from './pattern.js';

/** printf's %-Ns: pads to N bytes (UTF-8), never truncates. */
function pad(s: string, width: number): string {
  const n = Buffer.byteLength(s, 'utf8');
  return n >= width ? s : s + ' '.repeat(width - n);
}

function where(file: string, line: number): string {
  return `[${basename(file)}:${line}]`;
}

function priorityText(p: DialplanPriority): string {
  return `${p.priority}. ${p.app}(${p.appData})`;
}

interface Counters {
  extensions: number;
  priorities: number;
  contexts: number;
  contextExists: boolean;
  extensionExists: boolean;
}

function extensionLines(e: DialplanExtension): { lines: string[]; priorities: number } {
  const head = e.cidMatch !== null ? `'${e.name}' (CID match '${e.cidMatch}') => ` : `'${e.name}' =>`;
  const rows: Array<{ left: string; text: string; at: string }> = [];
  if (e.hint) rows.push({ left: head, text: `hint: ${Dialplan.hintText(e.hint)}`, at: where(e.hint.file, e.hint.line) });
  for (const p of e.priorities) {
    // The label is printed for every priority but the first line of the extension.
    const left = rows.length === 0 ? head : p.label !== null ? `   [${p.label}]` : '';
    rows.push({ left, text: priorityText(p), at: where(p.file, p.line) });
  }
  return { lines: rows.map((r) => `  ${pad(r.left, 17)} ${pad(r.text, 45)} ${r.at}`), priorities: rows.length };
}

function showContext(
  dp: Dialplan,
  ctx: DialplanContext,
  exten: string | null,
  c: Counters,
  included: boolean,
  stack: string[],
  depth: number,
  out: string[],
): void {
  c.contextExists = true;
  let headerPrinted = false;
  const header = (): void => {
    if (headerPrinted) return;
    headerPrinted = true;
    c.contexts++;
    out.push(`[ ${included ? 'Included context' : 'Context'} '${ctx.name}' created by '${ctx.registrar}' ]`);
  };
  if (exten === null) header();
  for (const e of ctx.extensions) {
    if (exten !== null && !match(e.name, exten)) continue;
    c.extensionExists = true;
    header();
    const { lines, priorities } = extensionLines(e);
    out.push(...lines);
    c.extensions++;
    c.priorities += priorities;
  }
  for (const inc of ctx.includes) {
    const s = inc as StoredInclude;
    const name = s.fullName ?? inc.context;
    if (exten !== null) {
      // With an extension filter, the included contexts are searched too (each once per path).
      // Asterisk looks them up by the include as written, so an include with a time spec
      // ("ctx,9:00-17:00,…") names no context and shows nothing.
      // The names on the path so far are skipped (circular includes); siblings reuse a slot.
      if (depth >= 512) continue;
      if (stack.slice(0, depth).some((x) => x.toLowerCase() === name.toLowerCase())) continue;
      const target = dp.contexts.get(name);
      stack[depth] = name;
      if (target) showContext(dp, target, exten, c, true, stack, depth + 1, out);
    } else {
      out.push(`  Include =>        ${pad(`'${name}'`, 45)} [${s.registrar ?? PBX_CONFIG_REGISTRAR}]`);
    }
  }
  for (const ip of ctx.ignorePats) {
    if (exten === null || match(`_${ip}.`, exten)) {
      out.push(`  Ignore pattern => ${pad(`'${ip}'`, 45)} [${ctx.registrar}]`);
    }
  }
  if (!included) {
    for (const sw of ctx.switches) {
      // Asterisk keeps the switch as name and data split at the first '/' and prints "name/data".
      const shown = sw.includes('/') ? sw : `${sw}/`;
      out.push(`  Alt. Switch =>    ${pad(`'${shown}'`, 45)} [${ctx.registrar}]`);
    }
  }
  if (headerPrinted) out.push('');
}

/** Split "[exten@]context" / "exten@" the way the CLI does: empty parts mean "all". */
export function parseShowTarget(target: string | undefined): { exten: string | null; context: string | null } {
  if (target === undefined || target === '') return { exten: null, context: null };
  const at = target.indexOf('@');
  if (at < 0) return { exten: null, context: target };
  const exten = target.slice(0, at);
  const context = target.slice(at + 1);
  return { exten: exten === '' ? null : exten, context: context === '' ? null : context };
}

/** `dialplan show` with success flag (the CLI returns failure for the "no existence" answers). */
export function showDialplan(dp: Dialplan, target?: string): { ok: boolean; text: string } {
  const { exten, context } = parseShowTarget(target);
  const c: Counters = { extensions: 0, priorities: 0, contexts: 0, contextExists: false, extensionExists: false };
  const out: string[] = [];
  dp.seal();
  for (const ctx of dp.contextsInShowOrder()) {
    if (context !== null && ctx.name !== context) continue;
    showContext(dp, ctx, exten, c, false, [], 0, out);
  }
  if (context !== null && !c.contextExists) return { ok: false, text: `There is no existence of '${context}' context\n` };
  if (exten !== null && !c.extensionExists) {
    const msg = context !== null ? `There is no existence of ${exten}@${context} extension` : `There is no existence of '${exten}' extension in all contexts`;
    return { ok: false, text: `${msg}\n` };
  }
  const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;
  out.push(
    `-= ${plural(c.extensions, 'extension', 'extensions')} (${plural(c.priorities, 'priority', 'priorities')}) in ${plural(c.contexts, 'context', 'contexts')}. =-`,
  );
  return { ok: true, text: `${out.join('\n')}\n` };
}

/** The text `dialplan show [target]` prints (target: "context", "exten@context" or "exten@"). */
export function formatDialplanShow(dp: Dialplan, target?: string): string {
  return showDialplan(dp, target).text;
}
