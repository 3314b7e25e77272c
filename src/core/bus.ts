/**
 * Typed in-process event bus. Everything that changes state publishes here; NOTIFY, AMI and
 * XMPP bridges subscribe. Listeners run synchronously in registration order; a throwing
 * listener is reported to the error hook and never stops the others.
 */
import type { HintEntry } from '../pbx/model.js';

export type Listener<T> = (event: T) => void;

// Event map shared by all subsystems. Subsystems add their events here as they are built.
export interface HeraldEvents {
  /** A SIP peer registered, refreshed, or its last contact went away. */
  PeerRegistration: { peer: string; contacts: number; reason: 'register' | 'refresh' | 'unregister' | 'expire' | 'restore' };
  /** qualify result changed. */
  PeerReachability: { peer: string; status: 'Reachable' | 'Lagged' | 'Unreachable' | 'Unmonitored'; rttMs: number | null };
  /** Something happened that a user would see on the console at this verbosity (1–5). */
  Verbose: { level: number; text: string };
  /** UserEvent() from the dialplan. */
  UserEvent: { channel: string; name: string; fields: Record<string, string> };
  /** `sip set debug on`: one SIP message in or out, formatted as chan_sip prints it; the console prints it. */
  SipTrace: { text: string };
  /** `xmpp set debug on`: one stanza in or out (SASL data redacted); console only, like SipTrace. */
  XmppTrace: { text: string };
  /** Config reload finished (ok=false: the previous config keeps running). */
  Reloaded: { module: string; ok: boolean; message: string };
  /** A device's cached state changed (Asterisk's DeviceStateChange; never sent for an unchanged state). */
  DeviceStateChanged: { device: string; state: DeviceStateName };
  /** A presence provider published a state (sent on every write, even an unchanged one, as Asterisk does). */
  PresenceStateChanged: { provider: string; state: PresenceStateName; subtype: string; message: string };
  /** A hint's extension state or aggregated presence changed, or the hint went away (state -2). */
  ExtensionStateChanged: {
    context: string;
    exten: string;
    /** The hint text as written: devices, then `,presence` when there is a presence part. */
    hint: string;
    /** ast_extension_state value: 0 Idle, 1 InUse, 2 Busy, 4 Unavailable, 8 Ringing, 9, 16 Hold, -1/-2 removed. */
    state: number;
    stateText: string;
    presence: PresenceStateName;
    presenceSubtype: string;
    presenceMessage: string;
    reason: 'device' | 'presence' | 'removed';
  };
  /** The dialplan was loaded or reloaded: the hint engine follows these hints. */
  DialplanReloaded: { hints: HintEntry[] };
}

/** Asterisk's device state names (ast_devstate_str). */
export type DeviceStateName =
  'UNKNOWN' | 'NOT_INUSE' | 'INUSE' | 'BUSY' | 'INVALID' | 'UNAVAILABLE' | 'RINGING' | 'RINGINUSE' | 'ONHOLD';
/** Asterisk's presence strings (ast_presence_state2str); INVALID prints as ''. */
export type PresenceStateName = '' | 'not_set' | 'unavailable' | 'available' | 'away' | 'xa' | 'chat' | 'dnd';

export class EventBus<E extends object = HeraldEvents> {
  private readonly listeners = new Map<keyof E, Array<Listener<unknown>>>();
  onError: (err: unknown, event: keyof E) => void = () => {};

  on<K extends keyof E>(name: K, fn: Listener<E[K]>): () => void {
    let list = this.listeners.get(name);
    if (!list) {
      list = [];
      this.listeners.set(name, list);
    }
    list.push(fn as Listener<unknown>);
    return () => this.off(name, fn);
  }

  off<K extends keyof E>(name: K, fn: Listener<E[K]>): void {
    const list = this.listeners.get(name);
    if (!list) return;
    const i = list.indexOf(fn as Listener<unknown>);
    if (i >= 0) list.splice(i, 1);
  }

  emit<K extends keyof E>(name: K, event: E[K]): void {
    const list = this.listeners.get(name);
    if (!list || list.length === 0) return;
    for (const fn of list.slice()) {
      try {
        fn(event);
      } catch (err) {
        this.onError(err, name);
      }
    }
  }

  listenerCount<K extends keyof E>(name: K): number {
    return this.listeners.get(name)?.length ?? 0;
  }
}
