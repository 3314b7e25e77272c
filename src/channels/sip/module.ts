/**
 * The calls module ("calls"): herald's SIP channel driver, a B2BUA. It starts after `sip` and
 * `pbx` (and `state` when present) and puts on the SIP stack the INVITE/ACK/BYE/INFO/UPDATE/NOTIFY
 * handlers; registers Dial (real calls) and Transfer (REFER) in the dialplan; keeps `SIP/<peer>` device state from
 * registrations and calls; writes one call record per call; adds the channel CLI commands; gives
 * the presence module the caller of a ringing peer (dialog-info early state).
 */
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { HeraldModule, ServerContext } from '../../core/module.js';
import type { CliCommand } from '../../cli/types.js';
import { ChannelIds } from '../channel.js';
import { dialogKey } from '../../sip/dialog/dialog.js';
import { DigestAuthenticator } from '../../sip/auth/digest.js';
import { newBranch, type SipRequest, type SipResponse } from '../../sip/message/index.js';
import type { RequestContext, SipStack } from '../../sip/transaction/types.js';
import type { Endpoint } from '../../sip/transport/types.js';
import type { SipModule } from '../../registrar/module.js';
import type { DialplanModule } from '../../pbx/module.js';
import type { StateModule } from '../../state/module.js';
import type { PresenceModule } from '../../presence/module.js';
import { createDialApp, type CallerLine } from '../../pbx/apps/dial.js';
import { createTransferApp } from '../../pbx/apps/transfer.js';
import type { DialplanChannel } from '../../pbx/types.js';
import { CdrEngine } from '../../cdr/engine.js';
import { cdrCommands } from '../../cdr/cli.js';
import { dispositionFor, formatCdrDate, formatClid } from '../../cdr/record.js';
import { performance } from 'node:perf_hooks';
import type { CallTrace, CallsContext, DialogUser } from './context.js';
import { InboundCall } from './inbound-call.js';
import { callerIdFor, identifyCaller, routeOrReject } from './inbound-invite.js';
import { SipChannel } from './sip-channel.js';
import { sipTechnology } from './technology.js';
import type { OutboundLeg } from './outbound-leg.js';
import { relayInto } from './relay.js';
import { inviteRefusal, sessionTimerSettings } from './session-timer.js';
import { implementsOptionTags } from '../../sip/transaction/option-tags.js';
import { PeerCalls, sipPeerDeviceState } from './device-state.js';
import { callCommands } from './cli.js';
import { CAUSE } from './causes.js';
import { ringingCallerSource } from './ringing-caller.js';
import { hangupHandlers } from '../../pbx/funcs/index.js';

/** The call record database in astvarlibdir. */
export const CDR_FILE_NAME = 'cdr.sqlite3';

export interface CallsModule extends HeraldModule {
  readonly name: 'calls';
  /** Live inbound calls (the caller sides), for tests and the CLI. */
  activeCalls(): number;
  /** In-dialog users (dialogs herald is in). */
  activeDialogs(): number;
  readonly cdr: CdrEngine | null;
  /** Follow call milestones (INVITE, CANCEL, BYE received; dialplan ended). Returns an unsubscribe. */
  observe(fn: (e: CallTrace) => void): () => void;
}

function wildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}

function firstInterfaceAddress(v6: boolean): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && (a.family === 'IPv6') === v6) return a.address;
  }
  return v6 ? '::1' : '127.0.0.1';
}

interface CallBook {
  /** Caller channel → its SIP side. */
  inbound: Map<DialplanChannel, InboundCall>;
  /** Caller channel → the last leg Dial created for it (CDR dstchannel). */
  lastLeg: WeakMap<DialplanChannel, OutboundLeg>;
  /** Caller channel → its legs by name (the bridge finds the winner's SIP side). */
  legs: WeakMap<DialplanChannel, Map<string, OutboundLeg>>;
}

export function createCallsModule(): CallsModule {
  let server: ServerContext | null = null;
  let cdr: CdrEngine | null = null;
  const dialogs = new Map<string, DialogUser>();
  const book: CallBook = { inbound: new Map(), lastLeg: new WeakMap(), legs: new WeakMap() };
  const peerCalls = new PeerCalls();
  const cleanups: Array<() => void> = [];
  let commands: CliCommand[] = [];
  const observers = new Set<(e: CallTrace) => void>();
  const trace = (e: CallTrace): void => {
    for (const fn of observers) fn(e);
  };

  const mod: CallsModule = {
    name: 'calls',
    get cdr() {
      return cdr;
    },
    activeCalls: () => book.inbound.size,
    activeDialogs: () => dialogs.size,
    observe(fn) {
      observers.add(fn);
      return () => observers.delete(fn);
    },

    async start(sctx: ServerContext): Promise<void> {
      server = sctx;
      const sip = sctx.getModule<SipModule>('sip');
      const pbx = sctx.getModule<DialplanModule>('pbx');
      const state = sctx.getModule<StateModule>('state');
      const theStack = sip?.getStack() ?? null;
      if (!sip || !pbx || !theStack) {
        sctx.log.info('calls: SIP or the dialplan is not running: no calls');
        return;
      }
      const general = sip.general();
      const auth = new DigestAuthenticator({
        realm: general.realm,
        algorithms: general.authAlgorithms,
        nonceLifetimeMs: general.nonceLifetimeSec * 1000,
        now: () => sctx.clock.wallNow(),
      });
      const hostFor = (dest: Endpoint): string => {
        const bound = sip.boundEndpoints().find((e) => e.proto === dest.proto) ?? sip.boundEndpoints()[0];
        const v6 = dest.address.includes(':');
        let address = bound?.address ?? '127.0.0.1';
        if (wildcard(address)) address = dest.address === '127.0.0.1' || dest.address === '::1' ? dest.address : firstInterfaceAddress(v6);
        const host = address.includes(':') ? `[${address}]` : address;
        return `${host}:${bound?.port ?? 5060}`;
      };
      const devices = state ? state.devices : null;
      const refreshPeer = (peer: string): void => {
        if (!devices) return;
        const p = sip.getPeer(peer);
        if (p) devices.setState(`SIP/${p.name}`, sipPeerDeviceState(sip, peerCalls, p.name));
      };
      // Dialog-info NOTIFYs name who rings a peer: hand the presence module our source. It
      // starts after us (src/modules.ts), so it is looked up again on channel changes until
      // found; the lookup runs before the device state change that makes it send the NOTIFY.
      let presenceLinked = false;
      const linkPresence = (): void => {
        if (presenceLinked || !state) return;
        const presence = sctx.getModule<PresenceModule>('presence');
        if (!presence) return;
        presence.setRingingCallerSource(ringingCallerSource(state.hints, peerCalls));
        presenceLinked = true;
        cleanups.push(() => presence.setRingingCallerSource(() => null));
      };
      linkPresence();
      const ctx: CallsContext = {
        stack: theStack,
        clock: sctx.clock,
        bus: sctx.bus,
        log: sctx.log,
        ids: new ChannelIds(),
        channels: pbx.channels,
        dialogs,
        reliableSource: null,
        earlySource: null,
        earlyCaller: (caller) => book.inbound.get(caller)?.earlyDialogRef() ?? null,
        answering: null,
        legInviteHeaders: (caller) => book.inbound.get(caller)?.legInviteHeaders() ?? [],
        legIntervalAfter422: (caller, sent, res) => book.inbound.get(caller)?.legIntervalAfter422(sent, res) ?? null,
        hostFor,
        contactFor: (user, dest) => `<sip:${user}@${hostFor(dest)}>`,
        viaFor: (dest) => `SIP/2.0/${dest.proto} ${hostFor(dest)};branch=${newBranch()};rport`,
        legGone: (chan) => {
          // A leg runs no dialplan, but b() or U() may have pushed handlers on it (Asterisk runs them at its hangup).
          if (hangupHandlers(chan).length === 0) return;
          pbx.engine.runHangupHandlers(chan).catch((err: unknown) => sctx.log.error({ err, channel: chan.name }, 'leg hangup handlers failed'));
        },
        channelChanged: (chan, gone) => {
          linkPresence();
          peerCalls.update(chan, gone);
          if (chan.peer) refreshPeer(chan.peer);
        },
        verbose: (level, text) => sctx.bus.emit('Verbose', { level, text }),
        trace: (e) => {
          if (observers.size > 0) trace(e);
        },
      };

      // Device state: SIP/<peer> from registrations and calls. The presence module may have
      // registered a registration-only provider first; then we keep the cache right ourselves.
      if (devices) {
        try {
          cleanups.push(devices.registerProvider('SIP', (resource) => sipPeerDeviceState(sip, peerCalls, resource), 'tech'));
        } catch {
          sctx.log.info('calls: SIP device state provider already registered; publishing call states through the cache');
        }
        cleanups.push(sctx.bus.on('PeerRegistration', (e) => refreshPeer(e.peer)));
      }

      cdr = CdrEngine.open(join(sctx.dirs.varlib, CDR_FILE_NAME), sctx.log);
      const cdrEngine = cdr;

      const callerLine = (chan: DialplanChannel): CallerLine | null => book.inbound.get(chan) ?? null;
      const technology = sipTechnology(ctx, sip, (caller, leg) => {
        book.lastLeg.set(caller, leg);
        let legs = book.legs.get(caller);
        if (!legs) {
          legs = new Map();
          book.legs.set(caller, legs);
        }
        legs.set(leg.name, leg);
      });
      const dialApp = createDialApp({
        technology: (tech) => (tech.toUpperCase() === 'SIP' ? technology : undefined),
        callerLine,
        bridged: (caller, leg) => {
          const call = book.inbound.get(caller);
          const out = leg ? book.legs.get(caller)?.get(leg.name) : undefined;
          if (caller instanceof SipChannel) caller.bridgedTo = leg ? leg.name : null;
          if (!call || !out) {
            if (call) {
              call.relay?.stop();
              call.relay = null;
            }
            return;
          }
          out.channel.bridgedTo = caller.name;
          call.onAck((body) => out.acknowledge(body));
          const refreshed = (req: SipRequest, res: SipResponse): Array<[string, string]> => call.sessionRefreshed(req, res);
          // §13.3.1.4: a side that never ACKs our 2xx to its re-INVITE is hung up (BYE), which ends the bridge.
          call.relay = relayInto(ctx, {
            target: () => (out.channel.hungUp ? null : out.dialog),
            source: call.dialog,
            onRefreshed: refreshed,
            onNoAck: () => call.channel.requestHangup(CAUSE.NORMAL_CLEARING),
          });
          out.relay = relayInto(ctx, {
            target: () => (call.answered ? call.dialog : null),
            source: out.dialog,
            onRefreshed: refreshed,
            answerHere: (req) => call.answerCalleeRefresh(req),
            onNoAck: () => out.channel.requestHangup(CAUSE.NORMAL_CLEARING),
          });
        },
      });
      pbx.apps.register(dialApp);
      cleanups.push(() => pbx.apps.unregister('Dial'));
      pbx.apps.register(createTransferApp({ transferLine: (chan) => book.inbound.get(chan) ?? null }));
      cleanups.push(() => pbx.apps.unregister('Transfer'));

      const inDialog = (req: SipRequest, rctx: RequestContext): boolean => {
        const toTag = req.toTag;
        if (toTag === null) return false;
        const user = dialogs.get(dialogKey(req.callId, toTag, req.fromTag ?? ''));
        if (user) user.onInDialog(req, rctx);
        else if (rctx.tx) rctx.tx.reply(481, 'Call/Transaction Does Not Exist');
        return true;
      };

      const onInvite = (req: SipRequest, rctx: RequestContext): void => {
        const tx = rctx.tx;
        if (!tx || inDialog(req, rctx)) return;
        const who = identifyCaller(req, rctx.inbound.source, { general: sip.general(), getPeer: (n) => sip.getPeer(n), listPeers: () => sip.listPeers(), auth }, tx);
        if (!who) return;
        // RFC 4028: 422 for a session interval below our minimum (420 for Require: timer when refused).
        const timers = sessionTimerSettings(sip.general().extra, who.peer?.extra);
        const refusal = inviteRefusal(req, timers);
        if (refusal) {
          tx.reply(refusal.status, refusal.reason, refusal.headers);
          return;
        }
        const exten = req.requestUri.user || 's';
        const callerId = callerIdFor(req, who.peer);
        if (!routeOrReject(pbx.dialplan(), who.context, exten, callerId.num ?? '', tx)) return;
        const startMs = sctx.clock.wallNow();
        const chan = new SipChannel({
          name: ctx.ids.nextName('SIP', who.resource),
          uniqueid: ctx.ids.nextUniqueId(startMs / 1000),
          direction: 'inbound',
          peer: who.peer?.name ?? null,
          callId: req.callId,
          context: who.context,
          exten,
          priority: 1,
          callerId,
          state: 'Ring',
          createdAt: Math.floor(startMs / 1000),
        });
        if (observers.size > 0) trace({ kind: 'invite-received', channel: chan.name, at: performance.now() });
        const call = new InboundCall(ctx, req, tx, rctx.inbound, chan, timers);
        book.inbound.set(chan, call);
        ctx.channelChanged(chan, false);
        // CDR lastapp/lastdata: what ran when the call was hung up (the h extension does not count).
        let lastApp = '';
        let lastData = '';
        const offHangup = chan.onHangup(() => {
          lastApp = chan.currentApp;
          lastData = chan.currentData;
        });
        pbx
          .runChannel(chan, { context: who.context, exten, priority: 1 })
          .catch((err: unknown) => sctx.log.error({ err, channel: chan.name }, 'dialplan run failed'))
          .finally(() => {
            offHangup();
            if (observers.size > 0) trace({ kind: 'dialplan-ended', channel: chan.name, at: performance.now() });
            if (!chan.hungUp) {
              lastApp = chan.currentApp;
              lastData = chan.currentData;
            }
            call.end();
            book.inbound.delete(chan);
            ctx.channelChanged(chan, true);
            const endMs = sctx.clock.wallNow();
            const leg = book.lastLeg.get(chan);
            const answerMs = chan.answeredAt;
            cdrEngine.post({
              calldate: formatCdrDate(startMs),
              clid: formatClid(chan.callerId.name, chan.callerId.num),
              src: chan.callerId.num,
              dst: exten,
              dcontext: who.context,
              channel: chan.name,
              dstchannel: leg?.name ?? '',
              lastapp: lastApp,
              lastdata: lastData,
              duration: Math.round((endMs - startMs) / 1000),
              billsec: answerMs === null ? 0 : Math.round((endMs - answerMs) / 1000),
              disposition: dispositionFor(answerMs !== null, chan.getVar('DIALSTATUS') ?? ''),
              amaflags: 'DOCUMENTATION',
              accountcode: who.peer?.extra.get('accountcode') ?? '',
              uniqueid: chan.uniqueid,
              linkedid: chan.linkedid,
              userfield: chan.getVar('CDR_USERFIELD') ?? '',
              startMs,
              answerMs,
              endMs,
            });
          });
      };
      const onOther = (req: SipRequest, rctx: RequestContext): void => {
        if (!inDialog(req, rctx)) rctx.tx?.reply(481, 'Call/Transaction Does Not Exist');
      };
      // RFC 3262: callers may require 100rel (herald sends reliable 1xx and PRACKs callees' 1xx).
      // RFC 4028: and timer (session timers answered, refreshes relayed).
      implementsOptionTags(onInvite, ['100rel', 'timer']);
      implementsOptionTags(onOther, ['100rel', 'timer']);
      const attach = (target: SipStack): void => {
        target.handle('INVITE', onInvite);
        target.handle('ACK', (req, rctx) => {
          inDialog(req, rctx);
        });
        for (const m of ['BYE', 'INFO', 'UPDATE', 'NOTIFY', 'PRACK']) target.handle(m, onOther);
      };
      attach(theStack);
      // A sip.conf reload that changes the bind address builds a new stack: follow it. Calls in
      // progress on the old one are over (its sockets are closed).
      cleanups.push(
        sctx.bus.on('Reloaded', (e) => {
          const now = e.module === 'sip' ? sip.getStack() : null;
          if (!now || now === ctx.stack) return;
          ctx.stack = now;
          attach(now);
          for (const call of [...book.inbound.values()]) call.channel.requestHangup(CAUSE.NORMAL_CLEARING);
        }),
      );

      commands = [
        ...callCommands({ channels: pbx.channels, peerCalls, stack: () => ctx.stack, inbound: () => [...book.inbound.values()], sip }),
        ...cdrCommands(cdrEngine),
      ];
      for (const c of commands) sctx.cli.register(c);
      sctx.log.info('calls: SIP channel driver ready');
    },

    async stop(): Promise<void> {
      for (const c of commands) server?.cli.unregister(c.words);
      commands = [];
      for (const call of [...book.inbound.values()]) call.channel.requestHangup(16);
      for (const fn of cleanups.splice(0)) fn();
      cdr?.close();
    },
  };
  return mod;
}
