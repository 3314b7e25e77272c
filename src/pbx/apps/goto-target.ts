/**
 * `[[context,]exten,]priority` as Goto, Gosub and hangup handlers write it (pbx.c
 * pbx_parseable_goto): one field = priority, two = exten,priority, three = context,exten,priority.
 * The priority is a number, `+N`/`-N` relative to the current priority, or a label looked up in
 * the target context/exten for the channel's caller number.
 */
import type { DialplanChannel, PbxServices } from '../types.js';

export interface GotoTarget {
  context: string;
  exten: string;
  priority: number;
}

export type GotoParse = { ok: true; target: GotoTarget } | { ok: false; error: string };

export function parseGotoTarget(data: string, chan: DialplanChannel, services: PbxServices): GotoParse {
  if (data.trim() === '') return { ok: false, error: 'Goto requires an argument ([[context,]exten,]priority)' };
  const fields = data.split(',');
  let context = chan.context;
  let exten = chan.exten;
  let pri: string;
  if (fields.length === 1) pri = fields[0]!;
  else if (fields.length === 2) {
    exten = fields[0]!;
    pri = fields[1]!;
  } else {
    context = fields[0]!;
    exten = fields[1]!;
    pri = fields.slice(2).join(',');
  }
  context = context.trim() || chan.context;
  exten = exten.trim() || chan.exten;
  pri = pri.trim();
  const rel = /^([+-])\s*(\d+)$/.exec(pri);
  if (rel) {
    const n = Number(rel[2]) * (rel[1] === '-' ? -1 : 1);
    const p = chan.priority + n;
    if (p < 1) return { ok: false, error: `Priority '${pri}' must be a number > 0, or valid label` };
    return { ok: true, target: { context, exten, priority: p } };
  }
  const num = /^\d+/.exec(pri);
  if (num) {
    const p = Number(num[0]);
    if (p < 1) return { ok: false, error: `Priority '${pri}' must be a number > 0, or valid label` };
    return { ok: true, target: { context, exten, priority: p } };
  }
  const found = services.dialplan().findLabel(context, exten, pri, chan.callerId.num);
  if (!found) {
    return { ok: false, error: `Priority '${pri}' must be a number > 0, or valid label` };
  }
  return { ok: true, target: { context, exten, priority: found.priority.priority } };
}

/** Move the channel to a target (the caller returns { kind: 'jumped' }). */
export function jumpTo(chan: DialplanChannel, t: GotoTarget): void {
  chan.context = t.context;
  chan.exten = t.exten;
  chan.priority = t.priority;
}
