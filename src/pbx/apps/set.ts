/**
 * Set(name=value) and MSet(n1=v1,…) (asterisk-dialplan-xmpp.md §2.6, §5.4):
 *  - Set splits at the first `=` only; the value is the rest verbatim (`Set(a=1,b=2)` → a=`1,b=2`);
 *  - a name ending in `)` is a function write (`Set(CALLERID(num)=…)`, `Set(GLOBAL(x)=…)`);
 *  - `_`/`__` prefixes are stored as given (inheritance, see src/channels/channel.ts);
 *  - MSet uses the standard splitter (quotes and backslashes stripped), up to 99 pairs.
 */
import { engineOf } from '../engine.js';
import { splitFunctionCall } from '../substitute.js';
import { FunctionError, type AppResult, type DialplanApplication, type DialplanChannel, type PbxServices } from '../types.js';
import { splitStandard } from './split.js';

const CONTINUE: AppResult = { kind: 'continue' };

/** pbx_builtin_setvar_helper: a function write when the name ends in `)`, else a channel variable. */
export async function setVariable(chan: DialplanChannel, services: PbxServices, name: string, value: string): Promise<void> {
  const trimmed = name.trim();
  if (trimmed.endsWith(')')) {
    const call = splitFunctionCall(trimmed)!;
    const fn = engineOf(services).functions.get(call.name);
    if (!fn) {
      services.log.error(`Function ${call.name} not registered`);
      return;
    }
    if (!fn.write) {
      services.log.error(`Function ${call.name} cannot be written to`);
      return;
    }
    try {
      await fn.write({ name: call.name, args: call.args, channel: chan, services }, value);
    } catch (err) {
      services.log.warn(err instanceof FunctionError ? err.message : `${call.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return;
  }
  chan.setVar(name, value);
}

/** Same as setVariable but synchronous when the target is a plain variable or a sync function. */
function setVariableFast(chan: DialplanChannel, services: PbxServices, name: string, value: string): void | Promise<void> {
  if (!name.trim().endsWith(')')) {
    chan.setVar(name, value);
    return;
  }
  return setVariable(chan, services, name, value);
}

export const setApp: DialplanApplication = {
  name: 'Set',
  synopsis: 'Set a channel variable or write a function',
  syntax: 'Set(name=value)',
  description:
    'Everything before the first = is the name, everything after it the value (commas and quotes ' +
    'included). A name like FUNC(args) writes the function, e.g. Set(GLOBAL(x)=1). A leading _ makes ' +
    'the variable pass to channels this one creates, __ to all their descendants too.',
  exec(call) {
    const eq = call.data.indexOf('=');
    if (eq < 0) {
      call.services.log.warn("Set requires an '=' to be a valid assignment.");
      return CONTINUE;
    }
    const name = call.data.slice(0, eq);
    const value = call.data.slice(eq + 1);
    if (name.includes(' ')) {
      call.services.log.warn(`Please avoid unnecessary spaces on variables as it may lead to unexpected results ('${name}' set to '${value}').`);
    }
    const r = setVariableFast(call.channel, call.services, name, value);
    return r ? r.then(() => CONTINUE) : CONTINUE;
  },
};

export const msetApp: DialplanApplication = {
  name: 'MSet',
  synopsis: 'Set several variables at once',
  syntax: 'MSet(name1=value1[,name2=value2[,...]])',
  description:
    'Sets each name=value pair in turn. Pairs are split like ordinary arguments, so quote a value ' +
    'that contains a comma or escape the comma with a backslash.',
  exec(call) {
    const pairs = splitStandard(call.data, 99);
    // Synchronous unless a function write returns a promise; then the rest follow in order.
    const from = (start: number): AppResult | Promise<AppResult> => {
      for (let i = start; i < pairs.length; i++) {
        const pair = pairs[i]!;
        const eq = pair.indexOf('=');
        if (eq < 0) {
          call.services.log.warn(`MSet: ignoring entry '${pair}' with no '='`);
          continue;
        }
        const r = setVariableFast(call.channel, call.services, pair.slice(0, eq), pair.slice(eq + 1));
        if (r) return r.then(() => from(i + 1));
      }
      return CONTINUE;
    };
    return from(0);
  },
};
