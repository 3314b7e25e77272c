/**
 * CHANNEL(item) (func_channel.c).
 * Readable: name/channame, uniqueid, linkedid, state, context, exten, priority, channeltype
 * (technology of the name), checkhangup (1/0), onhold (0), hangupcause, and the settable ones.
 * Writable: language (default en), musicclass, accountcode, parkinglot, tonezone, amaflags
 * (OMIT/BILLING/DOCUMENTATION or 1-3, read back as the number, default 3), and the write-only
 * hangup handler items:
 *   hangup_handler_push = [[context,]exten,]priority[(args)]  (missing parts from the channel)
 *   hangup_handler_pop  [= new handler]   removes the most recent one (and pushes the value)
 *   hangup_handler_wipe [= new handler]   removes all (and pushes the value)
 *
 * Engine hook: hangupHandlers(channel) returns the channel's live handler stack in push order
 * (most recent LAST); the engine pops handlers off its end as it runs them. Each entry is a
 * Gosub location "context,exten,priority" or "context,exten,priority(args)".
 */
import { FunctionError, type DialplanChannel, type DialplanFunction } from '../types.js';
import { requireChannel } from './common.js';

const AMA_FLAGS: Record<string, string> = { OMIT: '1', BILLING: '2', DOCUMENTATION: '3' };

const handlerStacks = new WeakMap<DialplanChannel, string[]>();
const properties = new WeakMap<DialplanChannel, Map<string, string>>();

/**
 * The live hangup handler stack (push order, most recent last). A channel that never had one
 * pushed gets a fresh empty array that is not kept: reading must not leave a WeakMap entry and
 * an array behind for every channel (the engine reads it for each call's hangup).
 */
export function hangupHandlers(channel: DialplanChannel): string[] {
  return handlerStacks.get(channel) ?? [];
}

/** The channel's stack for a change, created on first use. */
function handlerStackFor(channel: DialplanChannel): string[] {
  let stack = handlerStacks.get(channel);
  if (!stack) {
    stack = [];
    handlerStacks.set(channel, stack);
  }
  return stack;
}

/**
 * Fill in a Gosub location the way app_stack expands hangup handlers: a missing context and
 * extension come from the channel's current location.
 */
export function expandHandlerLocation(channel: DialplanChannel, spec: string): string {
  const open = spec.indexOf('(');
  const location = open >= 0 ? spec.slice(0, open) : spec;
  const args = open >= 0 ? spec.slice(open) : '';
  const parts = location.split(',').map((p) => p.trim());
  let context = channel.context;
  let exten = channel.exten;
  let priority: string;
  if (parts.length >= 3) [context, exten, priority] = parts as [string, string, string];
  else if (parts.length === 2) [exten, priority] = parts as [string, string];
  else priority = parts[0] ?? '';
  return `${context || channel.context},${exten || channel.exten},${priority}${args}`;
}

function property(channel: DialplanChannel, name: string, fallback: string): string {
  return properties.get(channel)?.get(name) ?? fallback;
}

function setProperty(channel: DialplanChannel, name: string, value: string): void {
  let map = properties.get(channel);
  if (!map) {
    map = new Map();
    properties.set(channel, map);
  }
  map.set(name, value);
}

export const CHANNEL: DialplanFunction = {
  name: 'CHANNEL',
  synopsis: 'Gets/sets various pieces of information about the channel.',
  syntax: 'CHANNEL(item)',
  description:
    'Reads channel facts (name, uniqueid, linkedid, state, context, exten, priority, channeltype, checkhangup, language, musicclass) and sets language, musicclass and the hangup handlers (hangup_handler_push/pop/wipe).',
  read: (call) => {
    const channel = requireChannel(call);
    const item = call.args.trim();
    switch (item.toLowerCase()) {
      case 'name':
      case 'channame':
        return channel.name;
      case 'uniqueid':
        return channel.uniqueid;
      case 'linkedid':
        return channel.linkedid;
      case 'state':
        return channel.state;
      case 'context':
        return channel.context;
      case 'exten':
        return channel.exten;
      case 'priority':
        return String(channel.priority);
      case 'channeltype': {
        const slash = channel.name.indexOf('/');
        return slash >= 0 ? channel.name.slice(0, slash) : channel.name;
      }
      case 'checkhangup':
        return channel.hungUp ? '1' : '0';
      case 'hangupcause':
        return String(channel.hangupCause);
      case 'onhold':
        return '0';
      case 'language':
        return property(channel, 'language', 'en');
      case 'musicclass':
      case 'accountcode':
      case 'parkinglot':
      case 'tonezone':
        return property(channel, item.toLowerCase(), '');
      case 'amaflags':
        return property(channel, 'amaflags', '3');
      default:
        throw new FunctionError(`Unknown or unavailable item requested: '${item}'`);
    }
  },
  write: (call, value) => {
    const channel = requireChannel(call);
    const item = call.args.trim();
    switch (item.toLowerCase()) {
      case 'language':
      case 'musicclass':
      case 'accountcode':
      case 'parkinglot':
      case 'tonezone':
        setProperty(channel, item.toLowerCase(), value);
        return;
      case 'amaflags': {
        const flag = AMA_FLAGS[value.trim().toUpperCase()] ?? (/^[123]$/.test(value.trim()) ? value.trim() : null);
        if (flag === null) throw new FunctionError(`Unknown AMA flag '${value}'`);
        setProperty(channel, 'amaflags', flag);
        return;
      }
      case 'hangup_handler_push':
        if (value.trim() === '') throw new FunctionError('hangup_handler_push requires a Gosub location');
        handlerStackFor(channel).push(expandHandlerLocation(channel, value.trim()));
        return;
      case 'hangup_handler_pop': {
        const stack = handlerStacks.get(channel);
        stack?.pop();
        if (value.trim() !== '') (stack ?? handlerStackFor(channel)).push(expandHandlerLocation(channel, value.trim()));
        return;
      }
      case 'hangup_handler_wipe': {
        const stack = handlerStacks.get(channel);
        if (stack) stack.length = 0;
        if (value.trim() !== '') (stack ?? handlerStackFor(channel)).push(expandHandlerLocation(channel, value.trim()));
        return;
      }
      default:
        throw new FunctionError(`Unknown or unavailable item requested: '${item}'`);
    }
  },
};
