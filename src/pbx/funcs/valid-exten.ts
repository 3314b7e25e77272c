/**
 * VALID_EXTEN([context],extension[,priority]) (func_dialplan.c): 1 when the location exists in
 * the running dialplan (with the channel's caller number for caller-ID matches), else 0. The
 * priority is a number (default 1) or a label.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction, type FunctionCall } from '../types.js';

export function locationExists(call: FunctionCall, context: string, exten: string, priority: string): boolean {
  const dialplan = call.services.dialplan();
  const cid = call.channel ? call.channel.callerId.num : null;
  if (/^\d/.test(priority)) return dialplan.findPriority(context, exten, Number.parseInt(priority, 10), cid) !== null;
  return dialplan.findLabel(context, exten, priority, cid) !== null;
}

export const VALID_EXTEN: DialplanFunction = {
  name: 'VALID_EXTEN',
  synopsis: 'Determine whether an extension exists or not.',
  syntax: 'VALID_EXTEN([context],extension[,priority])',
  description: "Gives 1 when the extension (and priority, default 1) exists in the context (default: the channel's), 0 otherwise.",
  read: (call) => {
    const [contextArg = '', exten = '', priority = ''] = splitArgs(call.args, ',', { max: 3 });
    let context = contextArg;
    if (context === '') {
      if (!call.channel) throw new FunctionError('Context not specified and no channel.');
      context = call.channel.context;
    }
    if (exten === '') throw new FunctionError('Syntax: VALID_EXTEN([<context>],<exten>[,<priority>])');
    return locationExists(call, context, exten, priority || '1') ? '1' : '0';
  },
};
