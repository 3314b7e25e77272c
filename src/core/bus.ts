/**
 * Typed in-process event bus. Everything that changes state publishes here; NOTIFY, AMI and
 * XMPP bridges subscribe. Listeners run synchronously in registration order; a throwing
 * listener is reported to the error hook and never stops the others.
 */
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
  /** Config reload finished (ok=false: the previous config keeps running). */
  Reloaded: { module: string; ok: boolean; message: string };
}

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
