/**
 * The 'presence-publish' module: answers PUBLISH (Event: presence) on the SIP module's stack and
 * turns each phone's own published PIDF into its CustomPresence entity (see presence-target.ts),
 * through the state module, so hints, NOTIFYs and bus events follow.
 *
 * Needs the 'sip' and 'state' modules started before it. Publications are soft state kept in
 * the store family `PresencePublish` (key = entity-tag) so that a restart re-arms their expiry
 * instead of keeping a published state forever.
 *
 * Server wiring (src/modules.ts is not this module's file): an entry after 'state' and 'sip',
 *   { name: 'presence-publish', configured: hasConf('sip.conf'),
 *     load: async () => (await import('./presence/publish/module.js')).createPublishModule() }
 */
import { randomBytes } from 'node:crypto';
import type { HeraldModule, ReloadResult, ServerContext } from '../../core/module.js';
import type { SipModule } from '../../registrar/module.js';
import type { SipGeneral } from '../../sip/config/sip-conf.js';
import { DigestAuthenticator } from '../../sip/auth/digest.js';
import type { SipStack } from '../../sip/transaction/types.js';
import { CustomPresence } from '../../state/custom-presence.js';
import type { StateModule } from '../../state/module.js';
import type { PublishedState } from './pidf-parse.js';
import { CustomPresenceWriter, publishEntityOf } from './presence-target.js';
import { PublicationTable, type PublicationPersistence, type PublicationRecord } from './publication-table.js';
import { PublishHandler } from './publish-handler.js';

export const PUBLISH_FAMILY = 'PresencePublish';

const STATES: readonly PublishedState[] = ['not_set', 'unavailable', 'available', 'away', 'xa', 'dnd'];

/** A stored record back to a PublicationRecord; null when it is not one of ours. */
export function decodeRecord(etag: string, raw: string): PublicationRecord | null {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    const p = o.presence as Record<string, unknown> | undefined;
    if (typeof o.entity !== 'string' || typeof o.expiresAtWall !== 'number' || typeof o.seq !== 'number' || !p) return null;
    const state = STATES.find((s) => s === p.state);
    if (state === undefined || typeof p.subtype !== 'string' || typeof p.message !== 'string') return null;
    return { etag, entity: o.entity, expiresAtWall: o.expiresAtWall, seq: o.seq, presence: { state, subtype: p.subtype, message: p.message } };
  } catch {
    return null;
  }
}

function storePersistence(ctx: ServerContext): PublicationPersistence {
  return {
    save: (rec) =>
      ctx.store.put(PUBLISH_FAMILY, rec.etag, JSON.stringify({ entity: rec.entity, presence: rec.presence, expiresAtWall: rec.expiresAtWall, seq: rec.seq })),
    drop: async (etag) => {
      await ctx.store.del(PUBLISH_FAMILY, etag);
    },
  };
}

export interface PublishModule extends HeraldModule {
  readonly name: 'presence-publish';
  /** The live publications (null before start or without SIP). */
  table(): PublicationTable | null;
}

export function createPublishModule(): PublishModule {
  let table: PublicationTable | null = null;
  let stack: SipStack | null = null;
  let handler: PublishHandler | null = null;
  let auth: { key: string; value: DigestAuthenticator } | null = null;
  const nonceKey = randomBytes(32);

  const authenticator = (ctx: ServerContext, g: SipGeneral): DigestAuthenticator => {
    // Own authenticator built from [general] like the SIP module's (it keeps its private);
    // rebuilt when realm, algorithms or nonce lifetime change on reload.
    const key = `${g.realm}\n${g.authAlgorithms.join()}\n${g.nonceLifetimeSec}`;
    if (!auth || auth.key !== key) {
      auth = {
        key,
        value: new DigestAuthenticator({
          realm: g.realm,
          algorithms: g.authAlgorithms,
          nonceLifetimeMs: g.nonceLifetimeSec * 1000,
          now: () => ctx.clock.wallNow(),
          secret: nonceKey,
        }),
      };
    }
    return auth.value;
  };

  const attach = (ctx: ServerContext): boolean => {
    const sip = ctx.getModule<SipModule>('sip');
    const current = sip?.getStack() ?? null;
    if (!current || !handler) return false;
    if (current !== stack) {
      current.handle('PUBLISH', handler.handle);
      stack = current;
    }
    return true;
  };

  return {
    name: 'presence-publish',
    table: () => table,
    async start(ctx: ServerContext): Promise<void> {
      const sip = ctx.getModule<SipModule>('sip');
      const state = ctx.getModule<StateModule>('state');
      if (!sip?.isRunning()) {
        ctx.log.info('SIP is not running: PUBLISH is not answered');
        return;
      }
      if (!state) {
        ctx.log.warn("presence-publish: the 'state' module is not loaded, PUBLISH is not answered");
        return;
      }
      const writer = new CustomPresenceWriter(ctx.store, new CustomPresence(ctx.store, state.presence, ctx.log));
      const log = ctx.log.child({ module: 'presence-publish' });
      table = new PublicationTable({
        clock: ctx.clock,
        sink: writer.apply,
        persistence: storePersistence(ctx),
        onError: (err, entity) => log.error({ err, entity }, 'expiring a publication failed'),
      });
      const records: PublicationRecord[] = [];
      for (const entry of ctx.store.entries(PUBLISH_FAMILY)) {
        const etag = entry.key.slice(entry.key.lastIndexOf('/') + 1);
        const rec = decodeRecord(etag, entry.value);
        if (rec) records.push(rec);
        else await ctx.store.del(PUBLISH_FAMILY, etag);
      }
      for (const rec of records) writer.adopt(rec.entity);
      const restored = await table.restore(records);
      handler = new PublishHandler({
        table,
        log,
        general: () => sip.general(),
        peer: (name) => sip.getPeer(name),
        auth: () => authenticator(ctx, sip.general()),
        entityOf: (peer) => publishEntityOf(peer, sip.general(), log),
      });
      attach(ctx);
      log.info(restored, 'PUBLISH (presence) answered');
    },
    async reload(ctx: ServerContext): Promise<ReloadResult> {
      // The SIP module may have rebound onto a new stack: hand PUBLISH to it.
      if (!handler) return { ok: true, message: 'presence-publish: SIP not running' };
      attach(ctx);
      return { ok: true, message: `presence-publish: ${table?.size() ?? 0} publications` };
    },
    async stop(): Promise<void> {
      // The stack has no way to drop a handler: PUBLISHes arriving until SIP stops get 503.
      stack?.handle('PUBLISH', (_req, rctx) => {
        rctx.tx?.reply(503, 'Service Unavailable');
      });
      table?.close();
      table = null;
      handler = null;
      stack = null;
    },
  };
}
