/**
 * DIALPLAN_EXISTS(context[,extension[,priority]]) (func_dialplan.c): 1 when the context (or the
 * extension in it, or that priority or label) exists in the running dialplan, else 0.
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanFunction } from '../types.js';
import { locationExists } from './valid-exten.js';

export const DIALPLAN_EXISTS: DialplanFunction = {
  name: 'DIALPLAN_EXISTS',
  synopsis: 'Checks the existence of a dialplan target.',
  syntax: 'DIALPLAN_EXISTS(context[,extension[,priority]])',
  description: 'Gives 1 when the context (or the extension in it, or that priority) exists in the dialplan, 0 otherwise.',
  read: (call) => {
    const [context = '', exten = '', priority = ''] = splitArgs(call.args, ',', { max: 3 });
    if (context === '') throw new FunctionError('DIALPLAN_EXISTS() requires an argument');
    if (exten === '') return call.services.dialplan().contexts.has(context) ? '1' : '0';
    return locationExists(call, context, exten, priority || '1') ? '1' : '0';
  },
};
