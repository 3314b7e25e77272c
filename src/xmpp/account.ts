/**
 * One configured XMPP account: an @xmpp/client connection kept up in the background
 * (asterisk-dialplan-xmpp.md §6.3–6.5).
 *
 * Sequence: TCP (or TLS for xmpps://) → STARTTLS → SASL (SCRAM-SHA-1, else PLAIN once the stream
 * is encrypted) → resource binding → roster get → roster processing (autoprune/autoregister) →
 * our presence → `Connected`. A failed or dropped connection only changes the state: the next
 * attempt follows after 1, 2, 4 … 60 s (±20 % jitter so many accounts do not reconnect in step).
 * Nothing here ever waits on the network for a caller: sends are fire-and-forget, and every
 * stanza handler catches its own errors.
 */
import type { Client } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { Socket } from 'node:net';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { AccountConfig, ShowValue } from './config.js';
import { bareOf, resourceOf } from './jid.js';
import { BuddyTable, showToStatus, STATUS_OFFLINE } from './roster.js';
import { caList, trustForSocket } from './tls-trust.js';

export type AccountState = 'Disconnected' | 'Connecting' | 'Authenticating' | 'Retrieving roster' | 'Connected' | 'Disconnecting';

type XmppLib = typeof import('@xmpp/client');
/**
 * @xmpp/client is imported on the first connection attempt, so a server whose jabber.conf has no
 * account (the demo) never pays its ~70 ms import at start-up. Stanzas are built only once an
 * account is connecting, i.e. after the import.
 */
let xmppLib: XmppLib | null = null;
function lib(): XmppLib {
  if (!xmppLib) throw new Error('@xmpp/client is not loaded yet');
  return xmppLib;
}
const xml = ((...args: Parameters<XmppLib['xml']>) => lib().xml(...args)) as XmppLib['xml'];

const NS_ROSTER = 'jabber:iq:roster';
const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_CAPS = 'http://jabber.org/protocol/caps';
const NS_DELAY = 'urn:xmpp:delay';
const SHOW_WORDS: Record<number, string | undefined> = { 1: undefined, 2: 'chat', 3: 'away', 4: 'xa', 5: 'dnd' };

export interface ReceivedMessage {
  /** Full JID of the sender. */
  from: string;
  bare: string;
  body: string;
  type: string;
  id: string;
  /** Wall-clock ms of arrival. */
  at: number;
}

export interface AccountDeps {
  log: Logger;
  clock: Clock;
  /** Whether stanzas are traced (`xmpp set debug on` or debug=yes). */
  debugEnabled(): boolean;
  /** One traced stanza (secrets already redacted). */
  trace(account: string, direction: 'sent' | 'received', text: string): void;
  onMessage?(account: XmppAccount, msg: ReceivedMessage): void;
  /** A buddy's status (1..7) changed. */
  onBuddyStatus?(account: XmppAccount, bare: string, before: number, after: number): void;
  onStateChange?(account: XmppAccount, state: AccountState): void;
  /** Reconnect delays (tests shorten them). */
  backoff?: { firstMs: number; maxMs: number };
  /** Stream open/close timeout and the roster request timeout, ms (default 10000). */
  timeoutMs?: number;
}

/** Remove what must never reach a log: SASL exchanges and passwords. */
export function redactStanza(text: string): string {
  return text
    .replace(/(<(auth|response|challenge|success|authenticate)\b[^>]*>)[^<]+(<\/\2>)/g, '$1[redacted]$3')
    .replace(/(<password\b[^>]*>)[^<]*(<\/password>)/g, '$1[redacted]$2');
}

/** A short, human reason for a connection failure. */
export function describeError(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err);
  const e = err as { name?: string; message?: string; condition?: string; code?: string; text?: string };
  if (e.name === 'SASLError') return `authentication failed (${e.condition ?? 'failure'}): check username and secret`;
  if (e.name === 'StreamError') return `stream error from server: ${e.condition ?? e.message ?? ''}`;
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return `unknown host (${e.code})`;
  if (e.code === 'ETIMEDOUT') return 'connection timed out';
  if (typeof e.code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME/.test(e.code)) {
    return `TLS failure: ${e.message ?? e.code} (${e.code}); set cafile= for a private CA`;
  }
  return e.message ?? String(err);
}

export class XmppAccount {
  state: AccountState = 'Disconnected';
  /** Why the last attempt failed or the connection dropped ('' while all is well). */
  lastError = '';
  /** Wall-clock ms of the next connection attempt, null when none is scheduled. */
  nextAttemptAt: number | null = null;
  readonly buddies: BuddyTable;
  /** Incoming messages with a body, newest first (JABBER_RECEIVE). */
  readonly messages: ReceivedMessage[] = [];
  /** Joined MUC rooms → nick (re-joined after a reconnect). */
  readonly rooms = new Map<string, string>();
  show: ShowValue;
  statusText: string;
  private xmpp: Client | null = null;
  private generation = 0;
  private failedGeneration = -1;
  private attempts = 0;
  private retryTimer: TimerHandle | null = null;
  private keepaliveTimer: TimerHandle | null = null;
  private stopped = true;
  private readonly messageWaiters = new Set<() => void>();

  constructor(
    public config: AccountConfig,
    private readonly deps: AccountDeps,
  ) {
    this.buddies = new BuddyTable(config.buddies);
    this.show = config.status;
    this.statusText = config.statusMessage;
  }

  get name(): string {
    return this.config.name;
  }

  /** Begin connecting in the background (returns at once). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt();
  }

  /** Send unavailable presence, close the stream and stop reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.clock.clear(this.retryTimer);
    this.deps.clock.clear(this.keepaliveTimer);
    this.retryTimer = null;
    this.nextAttemptAt = null;
    const c = this.xmpp;
    this.xmpp = null;
    this.generation++;
    if (!c) {
      this.setState('Disconnected');
      return;
    }
    this.setState('Disconnecting');
    try {
      if (c.status === 'online') await withTimeout(c.send(xml('presence', { type: 'unavailable' })), 1000);
      await withTimeout(c.stop(), 2000);
    } catch {
      // the connection is going away either way
    }
    destroyClient(c);
    this.buddies.clearResources();
    this.setState('Disconnected');
  }

  /**
   * Take a reloaded configuration that does not need a new connection (res_xmpp's rule: same
   * credentials, server, port and priority): new buddies are added (and subscribed to with
   * autoregister), and our presence is re-sent when status or statusmessage changed.
   */
  applyConfig(cfg: AccountConfig, presence: { show: ShowValue; text: string } = { show: cfg.status, text: cfg.statusMessage }): void {
    const added = cfg.buddies.filter((b) => !this.config.buddies.includes(b));
    this.config = cfg;
    for (const b of added) this.buddies.add(b, true);
    if (this.online && cfg.autoregister) {
      for (const jid of added) {
        const b = this.buddies.get(jid);
        if (b && b.subscription !== 'to' && b.subscription !== 'both' && !b.subscribeSent) this.subscribeTo(jid);
      }
    }
    this.setPresence(presence.show, presence.text);
  }

  /** Connected and able to send now. */
  get online(): boolean {
    return this.state === 'Connected' && this.xmpp !== null;
  }

  /** JABBER_STATUS for `jid` or `jid/resource`: 1..7. */
  status(jid: string): number {
    return this.buddies.status(jid);
  }

  /**
   * Send a chat message now if connected (returns false otherwise: the message is dropped,
   * as res_xmpp drops it). `delay` adds a XEP-0203 delay element with the original time.
   */
  sendChat(to: string, body: string, delay?: { stamp: Date }): boolean {
    const children: Element[] = [xml('body', {}, body)];
    if (delay) children.push(xml('delay', { xmlns: NS_DELAY, from: this.config.jid.domain, stamp: delay.stamp.toISOString() }));
    return this.sendStanza(xml('message', { type: 'chat', to }, ...children));
  }

  /** XEP-0045: join (or change nick in) a room. */
  joinRoom(room: string, nick: string): boolean {
    this.rooms.set(room.toLowerCase(), nick);
    return this.sendStanza(xml('presence', { to: `${room}/${nick}` }, xml('x', { xmlns: NS_MUC })));
  }

  leaveRoom(room: string, nick: string): boolean {
    this.rooms.delete(room.toLowerCase());
    return this.sendStanza(xml('presence', { to: `${room}/${nick}`, type: 'unavailable' }));
  }

  sendGroup(room: string, body: string): boolean {
    return this.sendStanza(xml('message', { type: 'groupchat', to: room }, xml('body', {}, body)));
  }

  /** Change our own presence (status_from_hint); sent at once when connected. */
  setPresence(show: ShowValue, text: string): void {
    if (show === this.show && text === this.statusText) return;
    this.show = show;
    this.statusText = text;
    if (this.online) this.sendStanza(this.presenceStanza());
  }

  /** Newest stored message from `jid` (prefix match on the bare JID, or bare + resource prefix), removed from the store. */
  takeMessage(jid: string): ReceivedMessage | undefined {
    this.purgeMessages();
    const wantBare = bareOf(jid) || jid.toLowerCase();
    const wantRes = resourceOf(jid);
    const i = this.messages.findIndex((m) =>
      wantRes === '' ? m.from.toLowerCase().startsWith(wantBare) : m.bare === wantBare && resourceOf(m.from).startsWith(wantRes),
    );
    if (i < 0) return undefined;
    return this.messages.splice(i, 1)[0];
  }

  /** Resolves when a new message arrives (or the returned cancel is called). */
  onNextMessage(fn: () => void): () => void {
    this.messageWaiters.add(fn);
    return () => this.messageWaiters.delete(fn);
  }

  // ---- connection ---------------------------------------------------------------------

  private setState(s: AccountState): void {
    if (this.state === s) return;
    this.state = s;
    try {
      this.deps.onStateChange?.(this, s);
    } catch (err) {
      this.deps.log.error({ err }, `xmpp ${this.name}: state listener failed`);
    }
  }

  private attempt(): void {
    if (this.stopped) return;
    if (!xmppLib) {
      import('@xmpp/client').then(
        (m) => {
          xmppLib = m;
          this.attempt();
        },
        (err: unknown) => this.fail(++this.generation, err),
      );
      return;
    }
    this.retryTimer = null;
    this.nextAttemptAt = null;
    const gen = ++this.generation;
    const cfg = this.config;
    let c: Client;
    try {
      c = lib().client({
        service: cfg.service,
        domain: cfg.jid.domain,
        username: cfg.jid.local,
        password: cfg.secret,
        resource: cfg.jid.resource,
        timeout: this.deps.timeoutMs ?? 10000,
      });
    } catch (err) {
      this.fail(gen, err);
      return;
    }
    this.xmpp = c;
    c.reconnect.stop(); // herald schedules its own attempts (backoff with jitter)
    const caPem = cfg.caPem;
    if (caPem !== null && cfg.service.startsWith('xmpps:')) {
      // TLS from the first byte: hand the CA to tls.connect through the socket parameters.
      const entity = c as unknown as { socketParameters(service: string): Record<string, unknown> | undefined };
      const original = entity.socketParameters.bind(c);
      entity.socketParameters = (service: string) => {
        const p = original(service);
        return p ? { ...p, ca: caList(caPem), servername: cfg.jid.domain } : p;
      };
    }
    c.on('error', (err: unknown) => this.fail(gen, err));
    c.on('status', (s: string) => {
      if (gen !== this.generation) return;
      if (s === 'connecting') this.setState('Connecting');
      else if (s === 'connect' && caPem !== null) {
        const sock = (c as unknown as { socket: unknown }).socket;
        if (sock && typeof (sock as Socket).setNoDelay === 'function') trustForSocket(sock as Socket, caPem);
      } else if (s === 'open' && this.state === 'Connecting') this.setState('Authenticating');
    });
    c.on('disconnect', () => this.dropped(gen));
    c.on('stanza', (el: Element) => this.onStanza(gen, el));
    c.on('element', (el: Element) => {
      if (this.deps.debugEnabled() || cfg.debug) this.deps.trace(cfg.name, 'received', redactStanza(el.toString()));
    });
    c.on('send', (el: Element) => {
      if (this.deps.debugEnabled() || cfg.debug) this.deps.trace(cfg.name, 'sent', redactStanza(el.toString()));
    });
    const iqCallee = c.iqCallee as unknown as { set(ns: string, name: string, h: (ctx: { stanza: Element; element: Element }) => boolean): void };
    iqCallee.set(NS_ROSTER, 'query', (ctx) => {
      this.safely('roster push', () => this.onRosterPush(ctx.stanza, ctx.element));
      return true;
    });
    this.setState('Connecting');
    c.start().then(
      () => this.online_(gen),
      (err: unknown) => this.fail(gen, err),
    );
  }

  private async online_(gen: number): Promise<void> {
    const c = this.xmpp;
    if (gen !== this.generation || !c) return;
    this.setState('Retrieving roster');
    try {
      const result = await this.requestIq(c, xml('iq', { type: 'get' }, xml('query', { xmlns: NS_ROSTER })));
      if (gen !== this.generation) return;
      this.processRoster(result.getChild('query', NS_ROSTER)?.getChildren('item') ?? []);
      this.sendStanza(this.presenceStanza());
      for (const [room, nick] of this.rooms) this.sendStanza(xml('presence', { to: `${room}/${nick}` }, xml('x', { xmlns: NS_MUC })));
    } catch (err) {
      this.fail(gen, err);
      return;
    }
    this.attempts = 0;
    if (this.lastError !== '') this.deps.log.info(`xmpp ${this.name}: connected again as ${c.jid?.toString() ?? this.config.username}`);
    else this.deps.log.info(`xmpp ${this.name}: connected as ${c.jid?.toString() ?? this.config.username}`);
    this.lastError = '';
    this.setState('Connected');
    this.armKeepalive(gen);
  }

  private fail(gen: number, err: unknown): void {
    if (gen !== this.generation || this.failedGeneration === gen) return;
    this.failedGeneration = gen;
    const why = describeError(err);
    this.lastError = why;
    this.deps.log.warn(`xmpp ${this.name}: ${this.config.username} via ${this.config.service}: ${why}`);
    this.teardownAndRetry();
  }

  private dropped(gen: number): void {
    if (gen !== this.generation || this.failedGeneration === gen || this.stopped) return;
    this.failedGeneration = gen;
    if (this.state === 'Connected') {
      this.lastError = 'connection lost';
      this.deps.log.warn(`xmpp ${this.name}: connection to ${this.config.service} lost`);
    } else if (this.lastError === '') {
      this.lastError = 'connection closed during login';
      this.deps.log.warn(`xmpp ${this.name}: connection to ${this.config.service} closed during login`);
    }
    this.teardownAndRetry();
  }

  private teardownAndRetry(): void {
    const c = this.xmpp;
    this.xmpp = null;
    this.deps.clock.clear(this.keepaliveTimer);
    this.keepaliveTimer = null;
    if (c) destroyClient(c);
    // Nobody is known to be online once the stream is gone.
    for (const b of this.buddies.list()) {
      if (b.resources.size === 0) continue;
      const before = this.buddies.statusOf(b);
      b.resources.clear();
      this.emitStatus(b.jid, before, STATUS_OFFLINE);
    }
    this.setState('Disconnected');
    if (this.stopped) return;
    const { firstMs, maxMs } = this.deps.backoff ?? { firstMs: 1000, maxMs: 60000 };
    const base = Math.min(maxMs, firstMs * 2 ** Math.min(this.attempts, 16));
    this.attempts++;
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.nextAttemptAt = this.deps.clock.wallNow() + delay;
    this.retryTimer = this.deps.clock.setTimer(delay, () => this.attempt());
  }

  /** Whitespace keepalive (res_jabber's single space) after 30 s of quiet on a connected stream. */
  private armKeepalive(gen: number): void {
    if (!this.config.keepalive) return;
    this.deps.clock.clear(this.keepaliveTimer);
    this.keepaliveTimer = this.deps.clock.setTimer(30000, () => {
      const c = this.xmpp;
      if (gen !== this.generation || !c) return;
      const w = c as unknown as { write(s: string): Promise<void> };
      w.write(' ').catch((err: unknown) => this.fail(gen, err));
      this.armKeepalive(gen);
    });
  }

  private sendStanza(el: Element): boolean {
    const c = this.xmpp;
    if (!c || this.state !== 'Connected') {
      if (!(c && this.state === 'Retrieving roster')) return false;
    }
    const gen = this.generation;
    c.send(el).catch((err: unknown) => this.fail(gen, err));
    return true;
  }

  private presenceStanza(): Element {
    const children: Element[] = [];
    const show = SHOW_WORDS[this.show];
    if (show) children.push(xml('show', {}, show));
    if (this.statusText !== '') children.push(xml('status', {}, this.statusText));
    children.push(xml('priority', {}, String(this.config.priority)));
    if (this.show === 0) return xml('presence', { type: 'unavailable' }, ...children);
    return xml('presence', {}, ...children);
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.log.error({ err }, `xmpp ${this.name}: error while handling ${what}`);
    }
  }

  private emitStatus(bare: string, before: number, after: number): void {
    if (before === after) return;
    this.safely('a buddy status listener', () => this.deps.onBuddyStatus?.(this, bare, before, after));
  }

  // ---- roster and presence -------------------------------------------------------------

  /**
   * §6.4: items that are not configured buddies are pruned (autoprune) or tracked; kept items
   * need a subscribe when their subscription is none/from; with autoregister one is sent.
   */
  private processRoster(items: Element[]): void {
    const cfg = this.config;
    const inRoster = new Set<string>();
    for (const item of items) {
      const jid = bareOf(item.attrs.jid ?? '');
      if (jid === '') continue;
      inRoster.add(jid);
      const sub = item.attrs.subscription ?? 'none';
      const configured = cfg.buddies.includes(jid);
      if (!configured && cfg.autoprune) {
        this.deps.log.info(`xmpp ${this.name}: autoprune removes ${jid} from the roster`);
        this.sendStanza(xml('presence', { to: jid, type: 'unsubscribe' }, xml('status', {}, 'Goodbye: herald no longer needs your status.')));
        this.rosterRemove(jid);
        this.buddies.remove(jid);
        continue;
      }
      const b = this.buddies.add(jid, configured);
      b.subscription = sub;
      b.subscribeSent = item.attrs.ask === 'subscribe';
    }
    if (!cfg.autoregister) return;
    for (const b of this.buddies.list()) {
      if (b.subscription === 'to' || b.subscription === 'both' || b.subscribeSent) continue;
      if (!b.configured && !inRoster.has(b.jid)) continue;
      this.subscribeTo(b.jid);
    }
  }

  /** RFC 6121 §2.5: roster set with subscription="remove" (the server also cancels both subscriptions). */
  private rosterRemove(jid: string): void {
    const c = this.xmpp;
    if (!c) return;
    this.requestIq(c, xml('iq', { type: 'set' }, xml('query', { xmlns: NS_ROSTER }, xml('item', { jid, subscription: 'remove' })))).catch(
      (err: unknown) => this.deps.log.warn(`xmpp ${this.name}: could not remove ${jid} from the roster: ${describeError(err)}`),
    );
  }

  /** An iq get/set through the client's iqCaller: the result stanza, or a rejection (error reply, timeout). */
  private requestIq(c: Client, el: Element): Promise<Element> {
    const iqCaller = c.iqCaller as unknown as { request(el: Element, timeout?: number): Promise<Element> };
    return iqCaller.request(el, this.deps.timeoutMs ?? 10000);
  }

  private subscribeTo(jid: string): void {
    const b = this.buddies.add(jid);
    b.subscribeSent = true;
    this.sendStanza(xml('presence', { to: jid, type: 'subscribe' }, xml('status', {}, 'herald (a PBX) would like to see your presence to route calls and messages.')));
  }

  private onRosterPush(iq: Element, query: Element): void {
    // RFC 6121 §2.1.6: only pushes from our own account (or the server) are legitimate.
    const from = iq.attrs.from;
    if (from !== undefined && bareOf(from) !== bareOf(this.config.username)) return;
    for (const item of query.getChildren('item')) {
      const jid = bareOf(item.attrs.jid ?? '');
      if (jid === '') continue;
      if (item.attrs.subscription === 'remove') {
        if (!this.config.buddies.includes(jid)) this.buddies.remove(jid);
        continue;
      }
      if (this.config.autoprune && !this.config.buddies.includes(jid)) continue;
      const b = this.buddies.add(jid, this.config.buddies.includes(jid));
      b.subscription = item.attrs.subscription ?? 'none';
      if (item.attrs.ask === 'subscribe') b.subscribeSent = true;
    }
  }

  private onStanza(gen: number, el: Element): void {
    if (gen !== this.generation) return;
    this.safely(`a <${el.name}> stanza`, () => {
      if (el.name === 'presence') this.onPresence(el);
      else if (el.name === 'message') this.onMessage(el);
    });
  }

  private onPresence(el: Element): void {
    const from = el.attrs.from ?? '';
    const bare = bareOf(from);
    const type = el.attrs.type ?? '';
    if (bare === '') return;
    const own = bareOf(this.config.username);
    if (type === 'subscribe') {
      this.buddies.add(bare);
      if (this.config.autoregister) {
        this.sendStanza(xml('presence', { to: bare, type: 'subscribed' }, xml('status', {}, 'herald approved your subscription.')));
        const b = this.buddies.get(bare);
        if (b && b.subscription !== 'to' && b.subscription !== 'both' && !b.subscribeSent) this.subscribeTo(bare);
      } else {
        this.deps.log.info(`xmpp ${this.name}: subscription request from ${bare} left unanswered (autoregister=no)`);
      }
      return;
    }
    if (type === 'subscribed') {
      const b = this.buddies.add(bare);
      b.subscription = b.subscription === 'from' || b.subscription === 'both' ? 'both' : 'to';
      return;
    }
    if (type === 'unsubscribe' || type === 'unsubscribed' || type === 'probe') return;
    if (type === 'error') {
      this.deps.log.debug(`xmpp ${this.name}: presence error from ${from}`);
      return;
    }
    const resource = resourceOf(from);
    if (resource === '' || bare === own || this.rooms.has(bare)) return;
    if (!this.buddies.get(bare)) {
      this.deps.log.debug(`xmpp ${this.name}: presence about ${from} ignored: not in the roster`);
      return;
    }
    let change: { before: number; after: number } | null;
    if (type === 'unavailable') change = this.buddies.removeResource(bare, resource);
    else {
      const prio = Number.parseInt(el.getChildText('priority') ?? '0', 10);
      const caps = el.getChild('c', NS_CAPS);
      change = this.buddies.setResource(bare, resource, {
        status: showToStatus(el.getChildText('show') ?? undefined),
        priority: Number.isFinite(prio) ? Math.max(-128, Math.min(127, prio)) : 0,
        description: el.getChildText('status') ?? '',
        capsNode: caps?.attrs.node ?? '',
        capsVer: caps?.attrs.ver ?? '',
        capsExt: caps?.attrs.ext ?? '',
      });
    }
    if (change) this.emitStatus(bare, change.before, change.after);
  }

  private onMessage(el: Element): void {
    const body = el.getChildText('body');
    const type = el.attrs.type ?? 'normal';
    if (body === null || type === 'error') return;
    const from = el.attrs.from ?? '';
    if (type === 'groupchat') {
      // A room echoes our own lines and replays its history (XEP-0045 §7.2.15, §7.4): neither is new input.
      const room = bareOf(from);
      if (this.rooms.get(room) === resourceOf(from) || el.getChild('delay', NS_DELAY)) return;
    }
    const msg: ReceivedMessage = { from, bare: bareOf(from), body, type, id: el.attrs.id ?? '', at: this.deps.clock.wallNow() };
    // §6.7: newest first; older messages from the same sender past `timeout` are dropped.
    this.purgeMessages(msg.bare);
    this.messages.unshift(msg);
    if (this.messages.length > 1000) this.messages.length = 1000;
    for (const w of [...this.messageWaiters]) this.safely('a message waiter', w);
    this.deps.onMessage?.(this, msg);
  }

  private purgeMessages(bare?: string): void {
    const oldest = this.deps.clock.wallNow() - this.config.timeout * 1000;
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i]!;
      if (m.at < oldest && (bare === undefined || m.bare === bare)) this.messages.splice(i, 1);
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
      timer.unref();
    }),
  ]);
}

/** Drop a client without waiting: listeners off (errors swallowed), sockets destroyed. */
function destroyClient(c: Client): void {
  c.removeAllListeners();
  c.on('error', () => {});
  const s = (c as unknown as { socket: { destroy?: () => void; socket?: { destroy?: () => void } | null } | null }).socket;
  try {
    s?.socket?.destroy?.();
    s?.destroy?.();
  } catch {
    // already gone
  }
}
