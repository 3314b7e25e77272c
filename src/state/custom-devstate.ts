/**
 * The `Custom:` device state provider (Asterisk's func_devstate idea): states set by the
 * dialplan or the CLI, stored as typed in the store family `CustomDevstate` (key = the name
 * after `Custom:`), replayed at start; the DEVICE_STATE function and the `devstate` CLI commands
 * (reference §3.5, Asterisk 20 capture §5).
 */
import { CliUsageError, type CliCommand } from '../cli/types.js';
import { FunctionError, type DialplanFunction } from '../pbx/types.js';
import type { KvStore } from '../store/types.js';
import { parseDeviceState, type DeviceState, type DeviceStateEngine } from './device-state.js';

export const CUSTOM_DEVSTATE_FAMILY = 'CustomDevstate';
const PREFIX = 'Custom:';

const RULE = '---------------------------------------------------------------------\n';
const LIST_HEADER = `\n${RULE}--- Custom Device States --------------------------------------------\n${RULE}---\n`;
const LIST_FOOTER = `${RULE}${RULE}\n`;

/** A DEVICE_STATE write refused; `level` is the log level Asterisk uses for it. */
export class DeviceStateWriteError extends FunctionError {
  readonly level: 'warn' | 'error';
  constructor(message: string, level: 'warn' | 'error' = 'warn') {
    super(message);
    this.name = 'DeviceStateWriteError';
    this.level = level;
  }
}

function hasPrefix(text: string): boolean {
  return text.slice(0, PREFIX.length).toLowerCase() === PREFIX.toLowerCase();
}

function objectName(fullKey: string): string {
  return fullKey.slice(fullKey.lastIndexOf('/') + 1);
}

export class CustomDevstate {
  constructor(
    private readonly store: KvStore,
    private readonly devices: DeviceStateEngine,
  ) {}

  /** Register the `Custom:` provider: the stored text parsed (nothing stored: UNKNOWN). */
  register(): () => void {
    return this.devices.registerProvider('Custom', (name) => this.read(name), 'label');
  }

  read(name: string): DeviceState {
    return parseDeviceState(this.store.get(CUSTOM_DEVSTATE_FAMILY, name) ?? '');
  }

  /** Publish every stored state into the device state cache (module load). */
  replay(): number {
    let count = 0;
    for (const entry of this.store.entries(CUSTOM_DEVSTATE_FAMILY)) {
      const name = objectName(entry.key);
      if (name === '') continue;
      this.devices.setState(`${PREFIX}${name}`, parseDeviceState(entry.value));
      count++;
    }
    return count;
  }

  /**
   * `Set(DEVICE_STATE(Custom:name)=STATE)`: only Custom: devices; UNKNOWN (or any unknown
   * word) is refused because it is Asterisk's fallback value. Stores the value as typed.
   */
  async write(device: string, value: string): Promise<void> {
    if (!hasPrefix(device)) {
      throw new DeviceStateWriteError("The DEVICE_STATE function can only be used to set 'Custom:' device state!");
    }
    const name = device.slice(PREFIX.length);
    if (name === '') throw new DeviceStateWriteError('DEVICE_STATE function called with no custom device name!');
    const state = parseDeviceState(value);
    if (state === 'UNKNOWN') {
      throw new DeviceStateWriteError(`DEVICE_STATE function given invalid state value '${value}'`, 'error');
    }
    await this.store.put(CUSTOM_DEVSTATE_FAMILY, name, value);
    this.devices.setState(`${PREFIX}${name}`, state);
  }

  /** DEVICE_STATE(device): read any device (cached state, else its provider); write Custom: only. */
  deviceStateFunction(): DialplanFunction {
    return {
      name: 'DEVICE_STATE',
      synopsis: 'Read the state of any device, or set a Custom: one',
      syntax: 'DEVICE_STATE(device)',
      description:
        'Reading gives the device state name (NOT_INUSE, INUSE, BUSY, UNAVAILABLE, RINGING, …)\n' +
        'of any device, e.g. SIP/6002 or Custom:lamp1. Writing works for Custom:<name> only and\n' +
        'takes one of NOT_INUSE | INUSE | BUSY | INVALID | UNAVAILABLE | RINGING | RINGINUSE |\n' +
        'ONHOLD (any case); the value is kept across restarts. A hint can watch it.',
      read: (call) => this.devices.getState(call.args),
      write: (call, value) => this.write(call.args, value),
    };
  }

  /** `devstate list` and `devstate change`. */
  cliCommands(): CliCommand[] {
    return [
      {
        words: ['devstate', 'list'],
        summary: 'List currently known custom device states',
        usage:
          'Usage: devstate list\n' +
          '       Shows every Custom: device state stored by DEVICE_STATE or devstate change.\n',
        handler: ({ args }) => {
          if (args.length !== 0) throw new CliUsageError();
          return this.listText();
        },
      },
      {
        words: ['devstate', 'change'],
        summary: 'Change a custom device state',
        usage:
          'Usage: devstate change <device> <state>\n' +
          '       Sets the state of a Custom: device. State is one of\n' +
          '       NOT_INUSE | INUSE | BUSY | INVALID | UNAVAILABLE | RINGING | RINGINUSE | ONHOLD\n' +
          '       (UNKNOWN is what an unset device reads as and cannot be set).\n' +
          '\n' +
          '       For instance: devstate change Custom:door BUSY\n',
        handler: ({ args }) => this.cliChange(args),
        complete: (args, partial) => {
          if (args.length !== 1) return [];
          const lower = partial.toLowerCase();
          return ['UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD'].filter((w) =>
            w.toLowerCase().startsWith(lower),
          );
        },
      },
    ];
  }

  /** The exact `devstate list` text: the state is printed as stored. */
  listText(): string {
    let out = LIST_HEADER;
    for (const entry of this.store.entries(CUSTOM_DEVSTATE_FAMILY)) {
      const name = objectName(entry.key);
      if (name === '') continue;
      out += `--- Name: 'Custom:${name}'  State: '${entry.value}'\n---\n`;
    }
    return out + LIST_FOOTER;
  }

  private async cliChange(args: string[]): Promise<string> {
    if (args.length !== 2) throw new CliUsageError();
    const [device = '', value = ''] = args;
    if (!hasPrefix(device)) throw new Error("The devstate command can only be used to set 'Custom:' device state!");
    const name = device.slice(PREFIX.length);
    if (name === '') throw new CliUsageError();
    const state = parseDeviceState(value);
    if (state === 'UNKNOWN') throw new CliUsageError();
    await this.store.put(CUSTOM_DEVSTATE_FAMILY, name, value);
    this.devices.setState(`${PREFIX}${name}`, state);
    return `Changing ${name} to ${value}\n`;
  }
}
