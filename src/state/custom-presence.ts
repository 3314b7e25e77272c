/**
 * The CustomPresence provider (Asterisk's func_presencestate idea): presence states set by the
 * dialplan or the CLI, stored raw in the store family `CustomPresence` (key = the name after
 * `CustomPresence:`), replayed at start; the PRESENCE_STATE function and the `presencestate`
 * CLI commands. Behaviour and messages follow reference §1 and the Asterisk 20 capture §5/§7.
 */
import { CliUsageError, type CliCommand } from '../cli/types.js';
import type { Logger } from '../core/log.js';
import { splitStandard } from '../pbx/apps/split.js';
import { FunctionError, type DialplanFunction, type FunctionCall } from '../pbx/types.js';
import type { KvStore } from '../store/types.js';
import {
  NOT_SET,
  PRESENCE_INVALID,
  decodeBase64Field,
  encodeBase64Field,
  parsePresenceData,
  type PresenceEngine,
  type PresenceInfo,
} from './presence-state.js';

export const CUSTOM_PRESENCE_FAMILY = 'CustomPresence';
const PREFIX = 'CustomPresence:';
/** The provider re-reads the stored value into 1301-byte buffers: at most 1300 decoded bytes. */
const PROVIDER_DECODE_MAX = 1300;
/** The function decodes into 256-byte buffers before publishing: at most 255 bytes. */
const WRITE_DECODE_MAX = 255;

const RULE = '---------------------------------------------------------------------\n';
const LIST_HEADER = `\n${RULE}--- Custom Presence States ------------------------------------------\n${RULE}---\n`;
const LIST_FOOTER = `${RULE}${RULE}\n`;

/** A PRESENCE_STATE write refused; `detail` is the line logged before the message, if any. */
export class PresenceWriteError extends FunctionError {
  readonly detail: string | null;
  constructor(message: string, detail: string | null = null) {
    super(message);
    this.name = 'PresenceWriteError';
    this.detail = detail;
  }
}

function hasPrefix(text: string): boolean {
  return text.slice(0, PREFIX.length).toLowerCase() === PREFIX.toLowerCase();
}

/** The object name of a stored key: the text after its last '/'. */
function objectName(fullKey: string): string {
  return fullKey.slice(fullKey.lastIndexOf('/') + 1);
}

export class CustomPresence {
  constructor(
    private readonly store: KvStore,
    private readonly presence: PresenceEngine,
    private readonly log?: Logger,
  ) {}

  /** Register the `CustomPresence:` provider with the presence engine. */
  register(): () => void {
    return this.presence.registerProvider('CustomPresence', (name) => this.read(name), 'label');
  }

  /**
   * The provider: a name with no stored entry is not_set; an entry that does not parse is
   * INVALID; with the `e` option the stored Base64 subtype and message are decoded.
   */
  read(name: string): PresenceInfo {
    const raw = this.store.get(CUSTOM_PRESENCE_FAMILY, name);
    if (raw === undefined) return { ...NOT_SET };
    const parsed = parsePresenceData(raw);
    if (!parsed.ok) return { state: PRESENCE_INVALID, subtype: '', message: '' };
    const { state, subtype, message, options } = parsed.data;
    if (options.includes('e')) {
      return {
        state,
        subtype: subtype === '' ? '' : decodeBase64Field(subtype, PROVIDER_DECODE_MAX),
        message: message === '' ? '' : decodeBase64Field(message, PROVIDER_DECODE_MAX),
      };
    }
    return { state, subtype, message };
  }

  /** Publish every stored entry (module load fills the presence cache this way). */
  replay(): number {
    let count = 0;
    for (const entry of this.store.entries(CUSTOM_PRESENCE_FAMILY)) {
      const name = objectName(entry.key);
      if (name === '') continue;
      // A not_set publication makes the engine ask the provider, which reads the store.
      this.presence.publish(`${PREFIX}${name}`, NOT_SET);
      count++;
    }
    return count;
  }

  /**
   * `Set(PRESENCE_STATE(CustomPresence:name)=state[,subtype[,message[,e]]])`: validate, store
   * the raw value, then publish (Base64 fields decoded first). Nothing is stored on error.
   */
  async write(provider: string, value: string): Promise<void> {
    if (!hasPrefix(provider)) {
      throw new PresenceWriteError('The PRESENCE_STATE function can only set CustomPresence: presence providers.');
    }
    const name = provider.slice(PREFIX.length);
    if (name === '') throw new PresenceWriteError('PRESENCE_STATE function called with no custom device name!');
    const parsed = parsePresenceData(value);
    if (!parsed.ok) throw new PresenceWriteError('Invalid arguments to PRESENCE_STATE', parsed.log);
    await this.store.put(CUSTOM_PRESENCE_FAMILY, name, value);
    const { state, subtype, message, options } = parsed.data;
    if (options.includes('e')) {
      this.presence.publish(provider, {
        state,
        subtype: decodeBase64Field(subtype, WRITE_DECODE_MAX),
        message: decodeBase64Field(message, WRITE_DECODE_MAX),
      });
    } else {
      this.presence.publish(provider, { state, subtype, message });
    }
  }

  /** The PRESENCE_STATE dialplan function (read any provider, write CustomPresence only). */
  presenceStateFunction(): DialplanFunction {
    return {
      name: 'PRESENCE_STATE',
      synopsis: 'Read a presence state, or set a CustomPresence one',
      syntax: 'PRESENCE_STATE(provider,field[,options])',
      description:
        'Reading asks the provider (joined with & for several) for its presence; field is value,\n' +
        'subtype or message, and option e returns subtype/message Base64-encoded.\n' +
        'Writing works for CustomPresence:<name> only; the value is\n' +
        'state[,subtype[,message[,e]]] with state one of not_set, unavailable, available, away,\n' +
        'xa, chat, dnd (any case); with e, subtype and message are given Base64-encoded.',
      read: (call) => this.functionRead(call),
      write: (call, value) => this.functionWrite(call, value),
    };
  }

  /** `presencestate list` and `presencestate change`. */
  cliCommands(): CliCommand[] {
    return [
      {
        words: ['presencestate', 'list'],
        summary: 'List currently known custom presence states',
        usage:
          'Usage: presencestate list\n' +
          '       Shows every custom presence state stored by PRESENCE_STATE or\n' +
          '       presencestate change, with its subtype, message and encoding.\n',
        handler: ({ args }) => {
          if (args.length !== 0) throw new CliUsageError();
          return this.listText();
        },
      },
      {
        words: ['presencestate', 'change'],
        summary: 'Change a custom presence state',
        usage:
          'Usage: presencestate change <entity> <state>[,<subtype>[,message[,options]]]\n' +
          '       Sets the presence of a CustomPresence: entity.\n' +
          '       State is one of NOT_SET | UNAVAILABLE | AVAILABLE | AWAY | XA | CHAT | DND;\n' +
          '       a subtype, a message and the option e (both given in Base64) may follow,\n' +
          '       separated by commas. Put the whole value in double quotes when it has spaces.\n' +
          '\n' +
          '       For instance: presencestate change CustomPresence:desk1 "XA,vacation,Back on Monday"\n',
        handler: ({ args }) => this.cliChange(args),
        complete: (args, partial) => {
          if (args.length !== 1) return [];
          const lower = partial.toLowerCase();
          return ['NOT_SET', 'UNAVAILABLE', 'AVAILABLE', 'AWAY', 'XA', 'CHAT', 'DND'].filter((w) =>
            w.toLowerCase().startsWith(lower),
          );
        },
      },
    ];
  }

  /** The exact `presencestate list` text. */
  listText(): string {
    const entries = this.store.entries(CUSTOM_PRESENCE_FAMILY);
    if (entries.length === 0) return `${LIST_HEADER}No custom presence states defined\n`;
    let out = LIST_HEADER;
    for (const entry of entries) {
      const parsed = parsePresenceData(entry.value);
      if (!parsed.ok) {
        this.log?.warn(`Invalid CustomPresence entry ${entry.value} encountered`);
        continue;
      }
      const name = objectName(entry.key);
      if (name === '') continue;
      const d = parsed.data;
      out +=
        `--- Name: 'CustomPresence:${name}'\n` +
        `    --- State: '${d.state}'\n` +
        `    --- Subtype: '${d.subtype}'\n` +
        `    --- Message: '${d.message}'\n` +
        `    --- Base64 Encoded: '${d.options.includes('e') ? 'Yes' : 'No'}'\n` +
        '---\n';
    }
    return out + LIST_FOOTER;
  }

  private functionRead(call: FunctionCall): string {
    if (call.args === '') throw new FunctionError('PRESENCE_STATE reading requires an argument ');
    const [provider = '', field = '', options = ''] = splitStandard(call.args, 3);
    if (provider === '' || field === '') {
      throw new FunctionError('PRESENCE_STATE reading requires both presence provider and presence field arguments. ');
    }
    const info = this.presence.query(provider);
    if (info.state === PRESENCE_INVALID) throw new FunctionError('PRESENCE_STATE unknown ');
    const encode = options.includes('e');
    const wanted = field.toLowerCase();
    // An empty subtype/message writes nothing; an unknown field name is '' without an error.
    if (info.subtype !== '' && wanted === 'subtype') return encode ? encodeBase64Field(info.subtype) : info.subtype;
    if (info.message !== '' && wanted === 'message') return encode ? encodeBase64Field(info.message) : info.message;
    if (wanted === 'value') return info.state;
    return '';
  }

  private async functionWrite(call: FunctionCall, value: string): Promise<void> {
    try {
      await this.write(call.args, value);
    } catch (err) {
      if (err instanceof PresenceWriteError && err.detail !== null) {
        // Asterisk: WARNING for an unknown state, NOTICE for bad options, then the main line.
        if (err.detail.startsWith('Invalid options')) call.services.log.info(err.detail);
        else call.services.log.warn(err.detail);
      }
      throw err;
    }
  }

  private async cliChange(args: string[]): Promise<string> {
    if (args.length !== 2) throw new CliUsageError();
    const [entity = '', value = ''] = args;
    if (!hasPrefix(entity)) {
      throw new Error("The presencestate command can only be used to set 'CustomPresence:' presence state!");
    }
    const name = entity.slice(PREFIX.length);
    if (name === '') throw new CliUsageError();
    const parsed = parsePresenceData(value);
    if (!parsed.ok) {
      if (parsed.log !== null) this.log?.warn(parsed.log);
      throw new CliUsageError();
    }
    await this.store.put(CUSTOM_PRESENCE_FAMILY, name, value);
    // The CLI publishes the fields as given: it does not decode Base64 even with `e`.
    const { state, subtype, message, stateToken } = parsed.data;
    this.presence.publish(entity, { state, subtype, message });
    // Only the text before the first comma is echoed (Asterisk splits the buffer in place).
    return `Changing ${name} to ${stateToken}\n`;
  }
}
