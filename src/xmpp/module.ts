/**
 * The XMPP gateway inside the server (xmpp.conf / jabber.conf). start() reads the
 * configuration, registers the dialplan applications and functions into the pbx module's
 * registries, the CLI commands and the `XMPP/<account>/<jid>` device state, then connects every
 * account in the background — it never waits for the network. reload() adds, removes,
 * reconnects or updates accounts; stop() says goodbye (unavailable presence) and closes.
 */
import type { HeraldModule, ReloadResult, ServerContext } from '../core/module.js';
import type { TimerHandle } from '../core/clock.js';
import { ConfError } from '../config/types.js';
import { Channel, ChannelIds } from '../channels/channel.js';
import type { DialplanModule } from '../pbx/module.js';
import type { StateModule } from '../state/module.js';
import type { CliCommand } from '../cli/types.js';
import { XmppAccount, type AccountDeps, type ReceivedMessage } from './account.js';
import { xmppApplications, xmppFunctions, type XmppDirectory } from './apps.js';
import { xmppCliCommands, type XmppCliHost } from './cli.js';
import { loadXmppConfig, needsReconnect, type AccountConfig, type ShowValue, type XmppConfig } from './config.js';
import { presenceFromHint } from './hint-presence.js';
import { bareOf } from './jid.js';
import { NotifyQueue } from './notify-queue.js';

export interface XmppModule extends HeraldModule, XmppDirectory {
  readonly name: 'xmpp';
  accounts(): XmppAccount[];
  readonly queue: NotifyQueue;
}

export interface XmppModuleOptions {
  /** Reconnect delays (tests shorten them). Default 1 s doubling up to 60 s. */
  backoff?: { firstMs: number; maxMs: number };
}

const EXPIRY_SWEEP_MS = 60000;

export function createXmppModule(opts: XmppModuleOptions = {}): XmppModule {
  let ctxRef: ServerContext | null = null;
  let queue: NotifyQueue | null = null;
  let config: XmppConfig | null = null;
  const accounts = new Map<string, XmppAccount>();
  let debugAll = false;
  let cliCommands: CliCommand[] = [];
  const registeredApps: string[] = [];
  const registeredFunctions: string[] = [];
  const cleanups: Array<() => void> = [];
  let sweepTimer: TimerHandle | null = null;
  const channelIds = new ChannelIds();

  const need = (): ServerContext => {
    if (!ctxRef) throw new Error('the xmpp module is not started');
    return ctxRef;
  };

  function findAccount(name: string): XmppAccount | undefined {
    const lower = name.toLowerCase();
    for (const a of accounts.values()) if (a.name.toLowerCase() === lower) return a;
    // res_jabber also accepted the account's JID (without resource) in place of its name.
    const bare = bareOf(name);
    if (bare === '') return undefined;
    for (const a of accounts.values()) if (bareOf(a.config.username) === bare) return a;
    return undefined;
  }

  function configuredPresence(cfg: AccountConfig): { show: ShowValue; text: string } {
    const base = { show: cfg.status, text: cfg.statusMessage };
    const state = ctxRef?.getModule<StateModule>('state');
    if (!cfg.statusFromHint || !state) return base;
    try {
      const snap = state.hints.find(cfg.statusFromHint.context, cfg.statusFromHint.exten);
      if (!snap) return base;
      return presenceFromHint({ state: snap.state, presence: snap.presence.state, presenceMessage: snap.presence.message }, base);
    } catch {
      return base;
    }
  }

  /** sendtodialplan=yes: run the account's context, extension s, with the message in variables. */
  function toDialplan(acct: XmppAccount, msg: ReceivedMessage): void {
    const ctx = ctxRef;
    if (!ctx || !acct.config.sendtodialplan) return;
    const pbx = ctx.getModule<DialplanModule>('pbx');
    if (!pbx) {
      ctx.log.warn(`xmpp ${acct.name}: sendtodialplan=yes but no dialplan is loaded; message from ${msg.from} not routed`);
      return;
    }
    const chan = new Channel({
      name: channelIds.nextName('XMPP', acct.name),
      uniqueid: channelIds.nextUniqueId(ctx.clock.wallNow() / 1000),
      context: acct.config.context,
      exten: 's',
      priority: 1,
      callerId: { num: msg.bare, name: '' },
      state: 'Up',
    });
    chan.setVar('XMPP_ACCOUNT', acct.name);
    chan.setVar('XMPP_FROM', msg.from);
    chan.setVar('XMPP_BUDDY', msg.bare);
    chan.setVar('XMPP_TO', `xmpp:${acct.config.username}`);
    chan.setVar('XMPP_BODY', msg.body);
    chan.setVar('XMPP_TYPE', msg.type);
    pbx.runChannel(chan).catch((err: unknown) => ctx.log.error({ err }, `xmpp ${acct.name}: dialplan run for a message from ${msg.from} failed`));
  }

  function deps(ctx: ServerContext): AccountDeps {
    return {
      log: ctx.log,
      clock: ctx.clock,
      debugEnabled: () => debugAll,
      trace: (account, direction, text) => {
        const head = direction === 'sent' ? `<--- XMPP sent to '${account}' --->` : `<--- XMPP received from '${account}' --->`;
        // Console only: even redacted, stanzas are not for the JSON log.
        ctx.bus.emit('XmppTrace', { text: `${head}\n${text}\n<------------->` });
      },
      onMessage: (acct, msg) => toDialplan(acct, msg),
      onBuddyStatus: (acct, bare, _before, after) => {
        ctx.getModule<StateModule>('state')?.devices.refresh(`XMPP/${acct.name}/${bare}`);
        if ((after === 1 || after === 2) && queue) {
          queue.deliver(acct, bare).catch((err: unknown) => ctx.log.error({ err }, `xmpp ${acct.name}: queued messages for ${bare} not delivered`));
        }
      },
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
    };
  }

  function reportWarnings(ctx: ServerContext, cfg: XmppConfig): string[] {
    for (const w of cfg.warnings) ctx.log.warn(`${w.file}:${w.line}: ${w.message}`);
    return cfg.warnings.map((w) => `WARNING: ${w.file}:${w.line}: ${w.message}`);
  }

  function addAccount(ctx: ServerContext, cfg: AccountConfig): void {
    const acct = new XmppAccount(cfg, deps(ctx));
    const p = configuredPresence(cfg);
    acct.show = p.show;
    acct.statusText = p.text;
    accounts.set(cfg.name.toLowerCase(), acct);
    acct.start();
  }

  function followHints(ctx: ServerContext): void {
    const off = ctx.bus.on('ExtensionStateChanged', (u) => {
      for (const a of accounts.values()) {
        const h = a.config.statusFromHint;
        if (!h || h.context.toLowerCase() !== u.context.toLowerCase() || h.exten !== u.exten) continue;
        const p = presenceFromHint({ state: u.state, presence: u.presence, presenceMessage: u.presenceMessage }, { show: a.config.status, text: a.config.statusMessage });
        a.setPresence(p.show, p.text);
      }
    });
    cleanups.push(off);
  }

  function armSweep(ctx: ServerContext): void {
    sweepTimer = ctx.clock.setTimer(EXPIRY_SWEEP_MS, () => {
      queue?.expire().catch((err: unknown) => ctx.log.error({ err }, 'xmpp queue: expiry sweep failed'));
      armSweep(ctx);
    });
  }

  const host: XmppCliHost = {
    accounts: () => [...accounts.values()],
    account: findAccount,
    get queue() {
      if (!queue) throw new Error('the xmpp module is not started');
      return queue;
    },
    setDebug: (on) => {
      debugAll = on;
    },
    clockWallNow: () => need().clock.wallNow(),
  };

  const mod: XmppModule = {
    name: 'xmpp',
    accounts: () => [...accounts.values()],
    account: findAccount,
    get queue() {
      if (!queue) throw new Error('the xmpp module is not started');
      return queue;
    },

    async start(ctx) {
      ctxRef = ctx;
      queue = new NotifyQueue(ctx.store, ctx.clock, ctx.log);
      try {
        config = loadXmppConfig(ctx.dirs.config);
        reportWarnings(ctx, config);
      } catch (err) {
        const why = err instanceof ConfError ? err.message : `${ctx.dirs.config}: ${(err as Error).message}`;
        ctx.log.error(`${why} — no XMPP accounts`);
        config = null;
      }
      debugAll = config?.general.debug ?? false;
      const pbx = ctx.getModule<DialplanModule>('pbx');
      if (pbx) {
        for (const app of xmppApplications(mod)) {
          pbx.apps.register(app);
          registeredApps.push(app.name);
        }
        for (const f of xmppFunctions(mod)) {
          pbx.functions.register(f);
          registeredFunctions.push(f.name);
        }
      } else {
        ctx.log.warn('xmpp: no dialplan module: JabberSend and the other applications are not available');
      }
      const state = ctx.getModule<StateModule>('state');
      if (state) {
        // res_xmpp's device state: NOT_INUSE while at least one resource is exactly Online (1).
        cleanups.push(
          state.devices.registerProvider('XMPP', (resource) => {
            const slash = resource.indexOf('/');
            const acct = slash > 0 ? findAccount(resource.slice(0, slash)) : undefined;
            const b = acct?.buddies.get(resource.slice(slash + 1));
            if (!b) return 'UNAVAILABLE';
            return [...b.resources.values()].some((r) => r.status === 1) ? 'NOT_INUSE' : 'UNAVAILABLE';
          }),
        );
      }
      followHints(ctx);
      cliCommands = xmppCliCommands(host);
      for (const c of cliCommands) ctx.cli.register(c);
      for (const cfg of config?.accounts ?? []) addAccount(ctx, cfg);
      queue.expire().catch((err: unknown) => ctx.log.error({ err }, 'xmpp queue: expiry sweep failed'));
      armSweep(ctx);
    },

    async reload(ctx): Promise<ReloadResult> {
      let next: XmppConfig;
      try {
        next = loadXmppConfig(ctx.dirs.config);
      } catch (err) {
        const why = err instanceof ConfError ? err.message : (err as Error).message;
        return { ok: false, message: `${why} — keeping the running XMPP configuration` };
      }
      const warnings = reportWarnings(ctx, next);
      config = next;
      debugAll = next.general.debug;
      const keep = new Set(next.accounts.map((a) => a.name.toLowerCase()));
      const changes: string[] = [];
      for (const [key, acct] of [...accounts]) {
        if (keep.has(key)) continue;
        accounts.delete(key);
        await acct.stop();
        changes.push(`removed ${acct.name}`);
      }
      for (const cfg of next.accounts) {
        const key = cfg.name.toLowerCase();
        const old = accounts.get(key);
        if (!old) {
          addAccount(ctx, cfg);
          changes.push(`added ${cfg.name}`);
        } else if (needsReconnect(old.config, cfg)) {
          accounts.delete(key);
          await old.stop();
          addAccount(ctx, cfg);
          changes.push(`reconnecting ${cfg.name}`);
        } else {
          old.applyConfig(cfg, configuredPresence(cfg));
        }
      }
      const summary = `XMPP reloaded: ${accounts.size} account${accounts.size === 1 ? '' : 's'}${changes.length ? ` (${changes.join(', ')})` : ''}`;
      return { ok: true, message: [...warnings, summary].join('\n') };
    },

    async stop() {
      const ctx = ctxRef;
      if (ctx) {
        ctx.clock.clear(sweepTimer);
        for (const c of cliCommands) ctx.cli.unregister(c.words);
        const pbx = ctx.getModule<DialplanModule>('pbx');
        for (const name of registeredApps) pbx?.apps.unregister(name);
        for (const name of registeredFunctions) (pbx?.functions as { unregister?: (n: string) => void } | undefined)?.unregister?.(name);
      }
      cliCommands = [];
      registeredApps.length = 0;
      registeredFunctions.length = 0;
      for (const off of cleanups.splice(0)) off();
      await Promise.all([...accounts.values()].map((a) => a.stop()));
      accounts.clear();
    },
  };
  return mod;
}
