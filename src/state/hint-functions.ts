/**
 * EXTENSION_STATE(exten[@context]) and HINT(exten[@context][,options]) over the hint engine
 * (Asterisk's func_extstate / func_devstate; the context defaults to `default`).
 */
import { splitStandard } from '../pbx/apps/split.js';
import { FunctionError, type DialplanFunction } from '../pbx/types.js';
import { extensionStateFunctionString } from './extension-state.js';
import type { HintEngine } from './hints.js';

/** `exten@context` split at the first '@'; an empty context is `default`. */
export function splitExtenContext(text: string): { exten: string; context: string } {
  const at = text.indexOf('@');
  if (at < 0) return { exten: text, context: 'default' };
  const context = text.slice(at + 1);
  return { exten: text.slice(0, at), context: context === '' ? 'default' : context };
}

export function extensionStateFunction(hints: HintEngine): DialplanFunction {
  return {
    name: 'EXTENSION_STATE',
    synopsis: 'The state of an extension that has a hint',
    syntax: 'EXTENSION_STATE(extension[@context])',
    description:
      'Gives NOT_INUSE, INUSE, BUSY, UNAVAILABLE, RINGING, RINGINUSE, HOLDINUSE or ONHOLD for the\n' +
      "extension's hint, computed from its devices now; UNKNOWN when it has no hint. The context\n" +
      'defaults to "default".',
    read: (call) => {
      if (call.args === '') throw new FunctionError('EXTENSION_STATE requires an extension');
      const { exten, context } = splitExtenContext(call.args);
      if (exten === '') throw new FunctionError('EXTENSION_STATE requires an extension');
      return extensionStateFunctionString(hints.extensionState(context, exten));
    },
  };
}

export function hintFunction(hints: HintEngine): DialplanFunction {
  return {
    name: 'HINT',
    synopsis: 'The devices and presence providers of a hint',
    syntax: 'HINT(extension[@context][,options])',
    description:
      'Gives the hint text of the extension (e.g. SIP/6002,CustomPresence:6002), or nothing when it\n' +
      'has none. Option n gives the hint\'s application data instead, which herald\'s dialplan\n' +
      'never keeps for hints, so it is always empty. The context defaults to "default".',
    read: (call) => {
      const [target = '', options = ''] = splitStandard(call.args, 2);
      if (target === '') throw new FunctionError('The HINT function requires an extension');
      const { exten, context } = splitExtenContext(target);
      const text = hints.hintText(context, exten);
      if (text === '' || options.includes('n')) return '';
      return text;
    },
  };
}
