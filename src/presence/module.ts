/**
 * The presence module ("presence"): the SIP SUBSCRIBE/NOTIFY notifier on top of the SIP module's
 * stack and the state module's hints.
 *
 * Start order: after 'state' and 'sip' (it looks both up at start). Without a running SIP
 * module it does nothing until a reload brings SIP up. On start it registers the SUBSCRIBE
 * handler, restores the stored subscriptions (family SIP/Subscription), wires `SIP/<peer>`
 * device state to registrations when nobody else provides it, and registers
 * `sip show subscriptions`. Stored subscriptions whose hint is not loaded yet are attached on
 * the next DialplanReloaded. After a reload (its own, or the server's Reloaded event for 'sip')
 * the SUBSCRIBE handler is put on the SIP module's current stack, which a rebind replaces.
 *
 * PUBLISH (RFC 3903) is not handled here; a PUBLISH module feeds presence into the state
 * module's PresenceEngine and every watcher is notified through the hint rules.
 */
import type { CliCommand } from '../cli/types.js';
import type { HeraldModule, ReloadResult, ServerContext } from '../core/module.js';
import { DigestAuthenticator } from '../sip/auth/digest.js';
import type { SipStack } from '../sip/transaction/types.js';
import type { SipModule } from '../registrar/module.js';
import type { StateModule } from '../state/module.js';
import type { RingingCaller } from './bodies/types.js';
import { subscriptionCommands } from './cli.js';
import { SubscriptionStore } from './record.js';
import { wireSipDeviceState } from './sip-device-state.js';
import { NO_MESSAGES, SubscriptionServer, type HintSource, type MailboxCountProvider, type SubscriptionSummary } from './subscriptions.js';

export interface PresenceModule extends HeraldModule {
  readonly name: 'presence';
  /** Active subscriptions (what `sip show subscriptions` lists); [] when not running. */
  subscriptions(): SubscriptionSummary[];
  /** Voicemail: counts changed for `mailbox@context` → NOTIFY its message-summary subscribers. */
  mailboxChanged(mailbox: string): void;
  /** Voicemail: where message counts come from (default 0/0 for every mailbox). */
  setMailboxCounts(provider: MailboxCountProvider): void;
  /** Calls: who is ringing an extension, for the dialog-info early state (default: unknown). */
  setRingingCallerSource(source: (context: string, exten: string) => RingingCaller | null): void;
}

export function createPresenceModule(): PresenceModule {
  let server: SubscriptionServer | null = null;
  let ctxRef: ServerContext | null = null;
  let commands: CliCommand[] = [];
  let counts: MailboxCountProvider = NO_MESSAGES;
  let ringingCaller: (context: string, exten: string) => RingingCaller | null = () => null;
  let handledStack: SipStack | null = null;
  const undo: Array<() => void> = [];

  /** Start serving SUBSCRIBE if SIP and state run; put the handler on the current stack. */
  function attach(ctx: ServerContext): void {
    const sip = ctx.getModule<SipModule>('sip');
    const state = ctx.getModule<StateModule>('state');
    const stack = sip?.isRunning() ? sip.getStack() : null;
    if (!sip || !stack) {
      ctx.log.info('presence: SIP is not running, no SUBSCRIBE handling');
      return;
    }
    if (!state) {
      ctx.log.warn('presence: the state module is not loaded, no SUBSCRIBE handling');
      return;
    }
    if (!server) server = createServer(ctx, sip, state);
    if (handledStack !== stack) {
      stack.handle('SUBSCRIBE', server.handle);
      handledStack = stack;
    }
  }

  function createServer(ctx: ServerContext, sip: SipModule, state: StateModule): SubscriptionServer {
    const g = sip.general();
    // The SIP module keeps its authenticator private; an own one with the same settings issues
    // and checks SUBSCRIBE nonces (they are HMAC-signed, no shared table is needed).
    const auth = new DigestAuthenticator({
      realm: g.realm,
      algorithms: g.authAlgorithms,
      nonceLifetimeMs: g.nonceLifetimeSec * 1000,
      now: () => ctx.clock.wallNow(),
    });
    const hints: HintSource = {
      find: (context, exten) => state.hints.find(context, exten),
      has: (context, exten) => state.hints.has(context, exten),
      watch: (context, exten, cb) => state.hints.watch(context, exten, (u) => cb({ state: u.state, reason: u.reason })),
      deviceState: (device) => state.devices.getState(device),
    };
    const unwire = wireSipDeviceState(state.devices, ctx.bus, sip);
    if (unwire) {
      undo.push(unwire);
      state.hints.refreshAll();
    }
    // sip.conf [general] subscribewritedelay (ms, default 10, like registrywritedelay): new and
    // refreshed subscriptions are gathered that long so they share one store commit.
    const delay = Number(g.extra.get('subscribewritedelay')?.trim() ?? '10');
    const store = new SubscriptionStore(ctx.store, ctx.log, { clock: ctx.clock, writeDelayMs: Number.isFinite(delay) && delay >= 0 ? Math.min(delay, 1000) : 10 });
    const running = new SubscriptionServer({
      stack: () => sip.getStack(),
      general: () => sip.general(),
      getPeer: (name) => sip.getPeer(name),
      auth: () => auth,
      hints,
      store,
      clock: ctx.clock,
      log: ctx.log,
      mailboxCounts: (m) => counts(m),
      ringingCaller: (context, exten) => ringingCaller(context, exten),
    });
    const clean = store.takeCleanMark();
    const { restored, expired } = running.restore(store.loadAll(), clean);
    // The state module follows DialplanReloaded first (it started earlier), so hints are there.
    undo.push(ctx.bus.on('DialplanReloaded', () => running.retryPending()));
    commands = subscriptionCommands(() => running.list());
    for (const c of commands) ctx.cli.register(c);
    ctx.log.info({ restored, expired }, 'presence: SUBSCRIBE handling started');
    if (restored > 0) ctx.bus.emit('Verbose', { level: 2, text: `Restored ${restored} SIP subscription${restored === 1 ? '' : 's'}` });
    return running;
  }

  return {
    name: 'presence',
    subscriptions: () => server?.list() ?? [],
    mailboxChanged: (mailbox) => server?.mailboxChanged(mailbox),
    setMailboxCounts: (provider) => {
      counts = provider;
    },
    setRingingCallerSource: (source) => {
      ringingCaller = source;
    },

    async start(ctx: ServerContext): Promise<void> {
      ctxRef = ctx;
      attach(ctx);
      undo.push(
        ctx.bus.on('Reloaded', (e) => {
          if (e.module === 'sip' && ctxRef) attach(ctxRef);
        }),
      );
    },

    async reload(ctx: ServerContext): Promise<ReloadResult> {
      ctxRef = ctx;
      attach(ctx);
      return { ok: true, message: server ? `${server.count()} SIP subscriptions` : 'SIP is not running: no subscriptions' };
    },

    async stop(): Promise<void> {
      for (const c of commands) ctxRef?.cli.unregister(c.words);
      commands = [];
      for (const u of undo.splice(0)) u();
      server?.close();
      server = null;
      handledStack = null;
    },
  };
}
