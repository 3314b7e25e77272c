/**
 * RFC 3261 §17 timer values (Table 4) computed from T1/T2/T4. On reliable transports the
 * retransmit timers (A, E, G) are not used and the "absorb retransmissions" waits (D, I, J, K)
 * are zero: "Timer D ... 0s for reliable transports" (§17.1.1.2), likewise I, J, K.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { TimerConfig } from './types.js';

export const DEFAULT_TIMERS: TimerConfig = { T1: 500, T2: 4000, T4: 5000 };

export interface TimerValues {
  /** INVITE request retransmit interval (doubles, uncapped). */
  A: number;
  /** INVITE transaction timeout, 64*T1. */
  B: number;
  /** Wait for response retransmits after a non-2xx final: >= 32 s unreliable, 0 reliable. */
  D: number;
  /** Non-INVITE request retransmit interval (doubles, capped at T2). */
  E: number;
  /** Non-INVITE transaction timeout, 64*T1. */
  F: number;
  /** INVITE final response retransmit interval (doubles, capped at T2). */
  G: number;
  /** Wait for ACK receipt, 64*T1. */
  H: number;
  /** Wait for ACK retransmits, T4 unreliable, 0 reliable. */
  I: number;
  /** Wait for non-INVITE request retransmits, 64*T1 unreliable, 0 reliable. */
  J: number;
  /** Wait for non-INVITE response retransmits, T4 unreliable, 0 reliable. */
  K: number;
  /** RFC 6026: IST Accepted state lifetime, 64*T1. */
  L: number;
  /** RFC 6026: ICT Accepted state lifetime, 64*T1. */
  M: number;
}

const memo = new WeakMap<TimerConfig, { reliable: TimerValues; unreliable: TimerValues }>();

/** The values for cfg, shared (frozen) between every transaction using the same config object. */
export function timerValues(cfg: TimerConfig, reliable: boolean): TimerValues {
  let m = memo.get(cfg);
  if (!m) {
    m = { reliable: Object.freeze(computeTimerValues(cfg, true)), unreliable: Object.freeze(computeTimerValues(cfg, false)) };
    memo.set(cfg, m);
  }
  return reliable ? m.reliable : m.unreliable;
}

function computeTimerValues(cfg: TimerConfig, reliable: boolean): TimerValues {
  const t64 = 64 * cfg.T1;
  return {
    A: cfg.T1,
    B: t64,
    D: reliable ? 0 : Math.max(32000, t64),
    E: cfg.T1,
    F: t64,
    G: cfg.T1,
    H: t64,
    I: reliable ? 0 : cfg.T4,
    J: reliable ? 0 : t64,
    K: reliable ? 0 : cfg.T4,
    L: t64,
    M: t64,
  };
}

/** Named one-shot timers on a Clock, all cleared at once when a transaction ends. */
export class NamedTimers {
  // Allocated on first start: a non-INVITE server transaction never starts one.
  private handles: Map<string, TimerHandle> | null = null;
  constructor(private readonly clock: Clock) {}

  /** (Re)start timer `name`; a running timer of that name is cancelled first. */
  start(name: string, ms: number, fn: () => void): void {
    this.stop(name);
    const handles = (this.handles ??= new Map());
    const handle = this.clock.setTimer(ms, () => {
      if (handles.get(name) === handle) handles.delete(name);
      fn();
    });
    handles.set(name, handle);
  }

  stop(name: string): void {
    const h = this.handles?.get(name);
    if (h) {
      this.clock.clear(h);
      this.handles?.delete(name);
    }
  }

  stopAll(): void {
    if (this.handles === null) return;
    for (const h of this.handles.values()) this.clock.clear(h);
    this.handles.clear();
  }

  running(name: string): boolean {
    return this.handles?.has(name) ?? false;
  }
}
