/**
 * Where a phone's published presence goes, and how it is written there.
 *
 * Target entity (documented for sip.conf; the keys land in the parsed config's `extra` maps):
 *   per peer   publish_entity = CustomPresence:<name>   the entity this peer's PUBLISH sets;
 *              publish_entity = no                     this peer may not PUBLISH (403);
 *   [general]  publish_presence = no                   nobody may PUBLISH (403), default yes.
 * Without publish_entity a peer's PUBLISH sets `CustomPresence:<peer name>`. Only CustomPresence
 * entities can be written (they are the only writable presence provider, reference §1.2); any
 * other value is ignored with a warning and the default is used.
 *
 * Writing goes through the state module's CustomPresence provider (store family
 * `CustomPresence`, then a publish on the presence engine), so `presencestate list`, hints,
 * NOTIFYs and the PresenceStateChanged bus event follow exactly as for `presencestate change`.
 */
import type { Logger } from '../../core/log.js';
import type { SipGeneral, SipPeerConfig } from '../../sip/config/sip-conf.js';
import { CUSTOM_PRESENCE_FAMILY, CustomPresence } from '../../state/custom-presence.js';
import type { KvStore } from '../../store/types.js';
import type { PublishedPresence } from './pidf-parse.js';

const PREFIX = 'CustomPresence:';

/** The entity a peer publishes to, or null when publishing is switched off for it. */
export function publishEntityOf(peer: SipPeerConfig, general: SipGeneral, log?: Logger): string | null {
  const global = general.extra.get('publish_presence');
  if (global !== undefined && /^(no|false|off|0)$/i.test(global.trim())) return null;
  const own = peer.extra.get('publish_entity')?.trim();
  if (own !== undefined && own !== '') {
    if (/^(no|false|off)$/i.test(own)) return null;
    if (own.slice(0, PREFIX.length).toLowerCase() === PREFIX.toLowerCase() && own.length > PREFIX.length) {
      return `${PREFIX}${own.slice(PREFIX.length)}`;
    }
    log?.warn({ peer: peer.name, publish_entity: own }, 'publish_entity must name a CustomPresence: entity; using the default');
  }
  return `${PREFIX}${peer.name}`;
}

/**
 * The stored raw value for a published presence: `state,subtype,message` as PRESENCE_STATE
 * takes it, or, when a field has a comma (which that syntax cannot carry), both fields in
 * Base64 with the `e` option.
 */
export function formatPresenceValue(p: PublishedPresence): string {
  if (p.subtype.includes(',') || p.message.includes(',')) {
    const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
    return `${p.state},${b64(p.subtype)},${b64(p.message)},e`;
  }
  if (p.message !== '') return `${p.state},${p.subtype},${p.message}`;
  if (p.subtype !== '') return `${p.state},${p.subtype}`;
  return p.state;
}

/**
 * The sink of the publication table: writes the composed presence of an entity as a
 * CustomPresence value. When the last publication goes (null), the entity is set to not_set —
 * but only if the stored value is still the one PUBLISH wrote: a later `presencestate change`
 * or dialplan Set() by someone else is left alone.
 */
export class CustomPresenceWriter {
  private readonly custom: CustomPresence;
  /** What PUBLISH last stored per entity name. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly store: KvStore,
    custom: CustomPresence,
  ) {
    this.custom = custom;
  }

  readonly apply = async (entity: string, presence: PublishedPresence | null): Promise<void> => {
    const name = entity.slice(PREFIX.length);
    if (presence === null) {
      const mine = this.written.get(name);
      this.written.delete(name);
      const stored = this.store.get(CUSTOM_PRESENCE_FAMILY, name);
      if (mine === undefined || stored !== mine) return;
      await this.custom.write(entity, 'not_set');
      return;
    }
    const value = formatPresenceValue(presence);
    this.written.set(name, value);
    await this.custom.write(entity, value);
  };

  /** After a restart: the stored value of an entity with live publications counts as ours. */
  adopt(entity: string): void {
    const name = entity.slice(PREFIX.length);
    const stored = this.store.get(CUSTOM_PRESENCE_FAMILY, name);
    if (stored !== undefined) this.written.set(name, stored);
  }
}
