/**
 * Waiting on the dialplan clock: resolves after ms, or early when the channel hangs up.
 * The simulator's clock fires timers without real sleeping, so waits cost no wall time there.
 */
import type { DialplanChannel, PbxServices } from '../types.js';

interface HangupSource {
  onHangup(fn: (cause: number) => void): () => void;
}

function hasHangupSource(chan: DialplanChannel): chan is DialplanChannel & HangupSource {
  return typeof (chan as Partial<HangupSource>).onHangup === 'function';
}

/** Resolves 'timeout' after ms, or 'hangup' as soon as the channel is hung up. */
export function waitOnChannel(chan: DialplanChannel, services: PbxServices, ms: number): Promise<'timeout' | 'hangup'> {
  if (chan.hungUp) return Promise.resolve('hangup');
  return new Promise((resolve) => {
    let off: (() => void) | undefined;
    const timer = services.clock.setTimer(Math.max(0, ms), () => {
      off?.();
      resolve('timeout');
    });
    if (hasHangupSource(chan)) {
      off = chan.onHangup(() => {
        services.clock.clear(timer);
        off?.();
        resolve('hangup');
      });
    }
  });
}

/** Parse a seconds argument that may have a fraction ("2.5"); bad or negative values give 0. */
export function parseSeconds(text: string): number {
  const n = Number.parseFloat(text.trim());
  return Number.isFinite(n) && n > 0 ? n : 0;
}
