/**
 * Reliable provisional responses, the UAS side of RFC 3262 (100rel) for one INVITE server
 * transaction, as a helper for the transaction user:
 *  - §3: a reliable 1xx carries `Require: 100rel` and `RSeq`, "initialized to ... between 1 and
 *    2**31 - 1" and "incremented by one" for each further reliable provisional;
 *  - it is passed to the transaction again "with an interval that starts at T1 seconds and
 *    doubles for each retransmission" until a PRACK for it arrives; after 64*T1 without one the
 *    UAS "SHOULD reject the original request with a 5xx" (onGiveUp);
 *  - "The UAS MUST NOT send a second reliable provisional response until the first is
 *    acknowledged" (and it is RECOMMENDED for later ones too): later ones wait in a queue;
 *  - a PRACK matches when its RAck names the RSeq, CSeq number and method of the unacknowledged
 *    response; anything else gets 481 from the caller of acknowledge();
 *  - "the UAS MUST NOT send a final response [2xx] until those provisional responses [with a
 *    session description] are acknowledged": blocksAnswer() / whenClear().
 * Timers run on the stack's clock and are cleared by stop() (a final response went out).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { SipResponse } from '../message/index.js';
import type { ServerTransaction, TimerConfig } from './types.js';

/** The values of a RAck header (RFC 3262 §7.2: `RAck: response-num CSeq-num Method`). */
export interface RAck {
  rseq: number;
  cseq: number;
  method: string;
}

/** RAck text → its values; null when malformed. */
export function parseRAck(text: string | undefined): RAck | null {
  const m = /^\s*(\d{1,10})\s+(\d{1,10})\s+([A-Za-z]+)\s*$/.exec(text ?? '');
  if (!m) return null;
  return { rseq: Number(m[1]), cseq: Number(m[2]), method: (m[3] ?? '').toUpperCase() };
}

/** True when the option tag is listed in any of the header values (comma lists, any case). */
export function listsOptionTag(values: readonly string[], tag: string): boolean {
  const want = tag.toLowerCase();
  return values.some((v) => v.split(',').some((t) => t.trim().toLowerCase() === want));
}

interface Pending<T> {
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  body: { type: string; data: Buffer } | null;
  tag: T;
}

interface Outstanding<T> {
  rseq: number;
  res: SipResponse;
  hasBody: boolean;
  tag: T;
  interval: number;
  elapsed: number;
  timer: TimerHandle | null;
}

export interface ReliableProvisionalInit {
  tx: ServerTransaction;
  clock: Clock;
  timers: TimerConfig;
  /** The INVITE's CSeq number (RAck must name it). */
  inviteSeq: number;
  /** 64*T1 passed without a PRACK: reject the INVITE with a 5xx. */
  onGiveUp(): void;
  /** Each reliable provisional as sent (e.g. to learn its To tag). */
  onSent?(res: SipResponse): void;
  /** First RSeq; random by default. */
  firstRSeq?: number;
}

/** T: what the TU wants back when a PRACK acknowledges a response (e.g. where to relay it). */
export class ReliableProvisionals<T> {
  private nextRSeq: number;
  private current: Outstanding<T> | null = null;
  private readonly queue: Array<Pending<T>> = [];
  private clearWaiters: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly init: ReliableProvisionalInit) {
    this.nextRSeq = init.firstRSeq ?? 1 + Math.floor(Math.random() * 0x3fffffff);
  }

  /** Send a provisional reliably now, or after the one still unacknowledged. */
  send(status: number, reason: string, headers: Array<[string, string]>, body: { type: string; data: Buffer } | null, tag: T): void {
    if (this.stopped) return;
    const pending: Pending<T> = { status, reason, headers, body, tag };
    if (this.current) this.queue.push(pending);
    else this.transmitFirst(pending);
  }

  /**
   * A PRACK's RAck: the tag of the response it acknowledges, or null when it matches none
   * (§3: "If the PRACK does not match any unacknowledged reliable provisional response, the UAS
   * MUST respond to the PRACK with a 481").
   */
  acknowledge(rack: RAck | null): { tag: T } | null {
    const cur = this.current;
    if (!rack || !cur || rack.method !== 'INVITE' || rack.cseq !== this.init.inviteSeq || rack.rseq !== cur.rseq) return null;
    this.init.clock.clear(cur.timer);
    this.current = null;
    const next = this.queue.shift();
    if (next && !this.stopped) this.transmitFirst(next);
    // After the caller of acknowledge() has answered the PRACK: a 2xx it unblocks goes out second.
    if (!this.blocksAnswer() && this.clearWaiters.length > 0) queueMicrotask(() => this.runClearWaiters());
    return { tag: cur.tag };
  }

  /** A reliable provisional with a body (an offer or answer) is unacknowledged or queued. */
  blocksAnswer(): boolean {
    return (this.current?.hasBody ?? false) || this.queue.some((p) => p.body !== null);
  }

  /** Run fn once nothing blocks a 2xx any more (at once when nothing does). */
  whenClear(fn: () => void): void {
    if (!this.blocksAnswer()) fn();
    else this.clearWaiters.push(fn);
  }

  /** A final response went out (or the call ended): no more retransmissions, the queue is dropped. */
  stop(): void {
    this.stopped = true;
    if (this.current) this.init.clock.clear(this.current.timer);
    this.current = null;
    this.queue.length = 0;
    this.clearWaiters = [];
  }

  /** Timers armed (for leak checks): 1 while a response is being retransmitted. */
  get activeTimers(): number {
    return this.current?.timer ? 1 : 0;
  }

  private transmitFirst(p: Pending<T>): void {
    const rseq = this.nextRSeq++;
    const res = this.init.tx.reply(p.status, p.reason, [...p.headers, ['Require', '100rel'], ['RSeq', String(rseq)]], p.body ?? undefined);
    this.init.onSent?.(res);
    const T1 = this.init.timers.T1;
    const out: Outstanding<T> = { rseq, res, hasBody: p.body !== null, tag: p.tag, interval: T1, elapsed: 0, timer: null };
    this.current = out;
    this.arm(out);
  }

  private arm(out: Outstanding<T>): void {
    const limit = 64 * this.init.timers.T1;
    const wait = Math.min(out.interval, limit - out.elapsed);
    out.timer = this.init.clock.setTimer(wait, () => {
      out.timer = null;
      if (this.current !== out || this.stopped) return;
      out.elapsed += wait;
      if (out.elapsed >= limit) {
        this.stop();
        this.init.onGiveUp();
        return;
      }
      this.init.tx.respond(out.res);
      out.interval *= 2;
      this.arm(out);
    });
  }

  private runClearWaiters(): void {
    const waiters = this.clearWaiters;
    this.clearWaiters = [];
    for (const fn of waiters) fn();
  }
}
