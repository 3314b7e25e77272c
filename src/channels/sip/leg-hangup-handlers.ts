/**
 * Hangup handlers on a Dial leg's channel. A leg never runs a dialplan of its own, but a b()
 * routine (or U()) may push handlers on it with CHANNEL(hangup_handler_push); Asterisk runs a
 * channel's handlers when the channel is hung up (ast_pbx_hangup_handler_run), the most recently
 * pushed first, each as a Gosub that ends with Return(). This is the same walk the engine does
 * for a caller's channel after its `h` extension (legs have no `h` run).
 */
import type { PbxEngine } from '../../pbx/engine.js';
import type { DialplanChannel } from '../../pbx/types.js';
import { hangupHandlers } from '../../pbx/funcs/index.js';
import { gosubStack, startGosub } from '../../pbx/apps/gosub.js';

/** At most this many handlers per channel (a handler may push another). */
const MAX_HANDLERS = 1000;

export function hasHangupHandlers(chan: DialplanChannel): boolean {
  return hangupHandlers(chan).length > 0;
}

export async function runLegHangupHandlers(engine: PbxEngine, chan: DialplanChannel): Promise<void> {
  const pending = hangupHandlers(chan);
  for (let n = 0; pending.length > 0 && n < MAX_HANDLERS; n++) {
    const location = pending.pop() ?? '';
    const depth = gosubStack(chan).length;
    const started = startGosub(chan, engine.services, location, { returnTo: null });
    if (!started.ok) {
      engine.warn(started.error);
      continue;
    }
    try {
      // The channel is hung up already: keep running, as the engine does for `h` and handlers.
      await engine.loop(chan, { inHangup: true, stopWhen: (c) => gosubStack(c).length <= depth });
    } finally {
      gosubStack(chan).length = depth;
    }
  }
}
