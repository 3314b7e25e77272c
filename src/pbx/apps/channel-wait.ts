/**
 * Waiting on the dialplan clock: resolves after ms, or early when the channel hangs up.
 * The simulator's clock fires timers without real sleeping, so waits cost no wall time there.
 */
import type { DialplanChannel, PbxServices } from '../types.js';

interface HangupSource {
  onHangup(fn: (cause: number) => void): () => void;
}

/**
 * Call fn when the channel hangs up, for channels that announce it (Channel does; a bare
 * DialplanChannel does not, and then nothing is called). Returns the function that stops watching.
 */
export function watchHangup(chan: DialplanChannel, fn: () => void): () => void {
  const src = chan as DialplanChannel & Partial<HangupSource>;
  return typeof src.onHangup === 'function' ? src.onHangup(fn) : () => undefined;
}

/** Resolves 'timeout' after ms, or 'hangup' as soon as the channel is hung up. */
export function waitOnChannel(chan: DialplanChannel, services: PbxServices, ms: number): Promise<'timeout' | 'hangup'> {
  if (chan.hungUp) return Promise.resolve('hangup');
  return new Promise((resolve) => {
    // Both callbacks run later (timers and hangups are events), when `off` and `timer` are set.
    const timer = services.clock.setTimer(Math.max(0, ms), () => {
      off();
      resolve('timeout');
    });
    const off = watchHangup(chan, () => {
      services.clock.clear(timer);
      off();
      resolve('hangup');
    });
  });
}

/** Parse a seconds argument that may have a fraction ("2.5"); bad or negative values give 0. */
export function parseSeconds(text: string): number {
  const n = Number.parseFloat(text.trim());
  return Number.isFinite(n) && n > 0 ? n : 0;
}
