/**
 * The channel model: name, unique id, location in the dialplan, caller id, state, variables and
 * the hangup request. Variable rules follow Asterisk 12+ (asterisk-dialplan-xmpp.md §2.4, §2.6):
 * names are case-sensitive; a stored name is compared without its `_`/`__` inheritance prefix,
 * the looked-up name raw (so `${FOO}` finds `__FOO`, but `${__FOO}` finds nothing); setting any
 * prefixed form replaces the others.
 */
import type { CallerId, DialplanChannel } from '../pbx/types.js';

interface StoredVar {
  /** Name as set, with its inheritance prefix. */
  name: string;
  value: string;
}

/** Strip Asterisk's inheritance prefix: `__FOO` and `_FOO` both compare as `FOO`. */
export function stripInheritPrefix(name: string): string {
  if (name.charCodeAt(0) !== 95) return name;
  return name.startsWith('__') ? name.slice(2) : name.slice(1);
}

export function emptyCallerId(): CallerId {
  return { name: '', num: '', ani: '', dnid: '', rdnis: '', pres: 'allowed_not_screened' };
}

export interface ChannelInit {
  name: string;
  uniqueid: string;
  linkedid?: string;
  context?: string;
  exten?: string;
  priority?: number;
  callerId?: Partial<CallerId>;
  state?: string;
  /** Creation time in epoch seconds (default: now). */
  createdAt?: number;
}

type HangupListener = (cause: number) => void;

export class Channel implements DialplanChannel {
  readonly name: string;
  readonly uniqueid: string;
  linkedid: string;
  context: string;
  exten: string;
  priority: number;
  callerId: CallerId;
  /** The channel state (Ring, Ringing, Up, Busy …); read and set through `state`. */
  protected currentState: string;
  hangupCause = 0;
  readonly createdAt: number;
  /** The application currently running and its data (for `core show channels`). */
  currentApp = '';
  currentData = '';
  private readonly vars = new Map<string, StoredVar>();
  private hangupRequested = false;
  private readonly hangupListeners = new Set<HangupListener>();

  constructor(init: ChannelInit) {
    this.name = init.name;
    this.uniqueid = init.uniqueid;
    this.linkedid = init.linkedid ?? init.uniqueid;
    this.context = init.context ?? 'default';
    this.exten = init.exten ?? 's';
    this.priority = init.priority ?? 1;
    this.callerId = { ...emptyCallerId(), ...init.callerId };
    this.currentState = init.state ?? 'Ring';
    this.createdAt = init.createdAt ?? Math.floor(Date.now() / 1000);
  }

  get state(): string {
    return this.currentState;
  }

  set state(next: string) {
    const prev = this.currentState;
    if (prev === next) return;
    this.currentState = next;
    this.stateChanged(prev, next);
  }

  /**
   * Called after `state` took a new value (not for a set to the same value). A technology
   * overrides it to follow what applications do to the state; one accessor on the prototype
   * costs nothing per channel, where an accessor defined per instance cost two closures.
   */
  protected stateChanged(_prev: string, _next: string): void {}

  get hungUp(): boolean {
    return this.hangupRequested;
  }

  getVar(name: string): string | undefined {
    return this.vars.get(name)?.value;
  }

  setVar(name: string, value: string | undefined): void {
    const key = stripInheritPrefix(name);
    this.vars.delete(key);
    if (value !== undefined) this.vars.set(key, { name, value });
  }

  listVars(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const v of this.vars.values()) out.push([v.name, v.value]);
    return out;
  }

  /**
   * Copy inheritable variables from the channel that creates this one (Asterisk's
   * ast_channel_inherit_variables): `_FOO` arrives as `FOO` (one level only), `__FOO` stays
   * `__FOO` (inherited forever), unprefixed variables stay behind. The linkedid follows the parent.
   */
  inherit(parent: DialplanChannel): this {
    for (const [name, value] of parent.listVars()) {
      if (name.startsWith('__')) this.setVar(name, value);
      else if (name.startsWith('_')) this.setVar(name.slice(1), value);
    }
    this.linkedid = parent.linkedid;
    return this;
  }

  /** Ask for the channel to hang up (the caller went away, Hangup() …). Idempotent. */
  requestHangup(cause?: number): void {
    if (cause !== undefined && cause > 0 && this.hangupCause === 0) this.hangupCause = cause;
    if (this.hangupRequested) return;
    this.hangupRequested = true;
    for (const fn of [...this.hangupListeners]) fn(this.hangupCause);
  }

  /** Called once when a hangup is requested (waits use it to end early). Returns an unsubscribe. */
  onHangup(fn: HangupListener): () => void {
    this.hangupListeners.add(fn);
    return () => this.hangupListeners.delete(fn);
  }
}

/** Channel names and unique ids the Asterisk way: `SIP/2000-0000000a`, `<epoch>.<seq>`. */
export class ChannelIds {
  private nameSeq = 0;
  private uniqueSeq = 0;

  /** `TECH/resource-%08x` with a per-allocator sequence starting at 1. */
  nextName(tech: string, resource: string): string {
    this.nameSeq++;
    return `${tech}/${resource}-${this.nameSeq.toString(16).padStart(8, '0')}`;
  }

  /** `<epoch seconds>.<n>` (n counts from 0, as Asterisk's unique id counter). */
  nextUniqueId(epochSeconds: number): string {
    return `${Math.floor(epochSeconds)}.${this.uniqueSeq++}`;
  }
}

/** Live channels, for `core show channels` and lookups by name. */
export class ChannelRegistry {
  private readonly byName = new Map<string, Channel>();
  private processed = 0;

  add(chan: Channel): void {
    this.byName.set(chan.name, chan);
    this.processed++;
  }

  remove(chanOrName: Channel | string): boolean {
    const name = typeof chanOrName === 'string' ? chanOrName : chanOrName.name;
    return this.byName.delete(name);
  }

  get(name: string): Channel | undefined {
    return this.byName.get(name);
  }

  list(): Channel[] {
    return [...this.byName.values()];
  }

  /** Calls = distinct linkedids among the live channels. */
  activeCalls(): number {
    const ids = new Set<string>();
    for (const c of this.byName.values()) ids.add(c.linkedid);
    return ids.size;
  }

  /** Channels ever added (Asterisk's "calls processed" counter). */
  callsProcessed(): number {
    return this.processed;
  }
}
