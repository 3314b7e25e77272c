/**
 * SHARED(varname[,channel]) (func_globals.c): variables a channel shares with other channels.
 * They belong to the channel (kept in a WeakMap, so they go with it); another channel's are
 * reached by name when that channel has used SHARED (the index is per PbxServices).
 */
import { splitArgs } from '../args.js';
import { FunctionError, type DialplanChannel, type DialplanFunction, type FunctionCall, type PbxServices } from '../types.js';

const sharedByChannel = new WeakMap<DialplanChannel, Map<string, string>>();
const channelsByName = new WeakMap<PbxServices, Map<string, WeakRef<DialplanChannel>>>();

function remember(services: PbxServices, channel: DialplanChannel): void {
  let index = channelsByName.get(services);
  if (!index) {
    index = new Map();
    channelsByName.set(services, index);
  }
  index.set(channel.name, new WeakRef(channel));
}

function resolve(call: FunctionCall, channelName: string | undefined): DialplanChannel | null {
  if (call.channel) remember(call.services, call.channel);
  if (channelName === undefined || channelName === '') return call.channel;
  if (call.channel && call.channel.name === channelName) return call.channel;
  const found = channelsByName.get(call.services)?.get(channelName)?.deref();
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
