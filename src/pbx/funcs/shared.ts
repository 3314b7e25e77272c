/**
 * SHARED(varname[,channel]) (func_globals.c): variables a channel shares with other channels.
 * They belong to the channel (kept in a WeakMap, so they go with it); another channel's are
 * reached by name when that channel has used SHARED (the index is per PbxServices).
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanChannel, type DialplanFunction, type FunctionCall, type PbxServices } from '../types.js';

const sharedByChannel = new WeakMap<DialplanChannel, Map<string, string>>();

/**
 * Channels that used SHARED, by name, per PbxServices. Every call has a new channel name, so the
 * entries of channels that are gone or hung up (SHARED no longer finds those) are swept out
 * whenever the index has doubled since the last sweep: it stays about the size of the live set.
 */
interface NameIndex {
  byName: Map<string, WeakRef<DialplanChannel>>;
  sweepAt: number;
}

const MIN_SWEEP_SIZE = 64;
const channelsByName = new WeakMap<PbxServices, NameIndex>();

function remember(services: PbxServices, channel: DialplanChannel): void {
  let index = channelsByName.get(services);
  if (!index) {
    index = { byName: new Map(), sweepAt: MIN_SWEEP_SIZE };
    channelsByName.set(services, index);
  }
  if (index.byName.get(channel.name)?.deref() === channel) return;
  index.byName.set(channel.name, new WeakRef(channel));
  if (index.byName.size < index.sweepAt) return;
  for (const [name, ref] of index.byName) {
    const c = ref.deref();
    if (!c || c.hungUp) index.byName.delete(name);
  }
  index.sweepAt = Math.max(MIN_SWEEP_SIZE, 2 * index.byName.size);
}

/** How many channel names the SHARED index holds for these services (leak tests). */
export function sharedIndexSize(services: PbxServices): number {
  return channelsByName.get(services)?.byName.size ?? 0;
}

function resolve(call: FunctionCall, channelName: string | undefined): DialplanChannel | null {
  if (call.channel) remember(call.services, call.channel);
  if (channelName === undefined || channelName === '') return call.channel;
  if (call.channel && call.channel.name === channelName) return call.channel;
  const found = channelsByName.get(call.services)?.byName.get(channelName)?.deref();
  return found && !found.hungUp ? found : null;
}

function store(channel: DialplanChannel): Map<string, string> {
  let vars = sharedByChannel.get(channel);
  if (!vars) {
    vars = new Map();
    sharedByChannel.set(channel, vars);
  }
  return vars;
}

export const SHARED: DialplanFunction = {
  name: 'SHARED',
  synopsis: 'Gets or sets the shared variable specified.',
  syntax: 'SHARED(varname[,channel])',
  description: "Reads or writes a variable that other channels can read through SHARED(varname,<this channel's name>).",
  read: (call) => {
    const [varname = '', channelName] = splitArgs(call.args, ',', { max: 2 });
    if (varname === '') throw new FunctionError('SHARED() requires an argument: SHARED(<var>[,<chan>])');
    const channel = resolve(call, channelName);
    if (!channel) {
      if (!channelName) throw new FunctionError('SHARED() needs a channel');
      call.services.log.warn(`Channel '${channelName}' not found!  Variable '${varname}' will be blank.`);
      return '';
    }
    return sharedByChannel.get(channel)?.get(varname) ?? '';
  },
  write: (call, value) => {
    const [varname = '', channelName] = splitArgs(call.args, ',', { max: 2 });
    if (varname === '') throw new FunctionError('SHARED() requires an argument: SHARED(<var>[,<chan>])');
    const channel = resolve(call, channelName);
    if (!channel) throw new FunctionError(`Channel '${channelName ?? ''}' not found!  Variable '${varname}' not set.`);
    store(channel).set(varname, value);
  },
};
