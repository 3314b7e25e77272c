/**
 * Run a Gosub routine on a channel and come back (Asterisk's ast_app_exec_sub, used by Dial's
 * b()/B() pre-dial routines and U() on the answered callee): the channel need not be running
 * a dialplan; its location and the application shown for it are put back afterwards, so the
 * caller of Dial still shows Dial. A routine that ends without Return() has its frames popped
 * (Asterisk logs this as an abnormal Gosub exit).
 */
import { engineOf } from '../engine.js';
import { popFramesTo, gosubStack, startGosub } from './gosub.js';
import type { DialplanChannel, PbxServices } from '../types.js';

/** returned: Return() was reached; hangup: the channel hung up or an app ended it; ended: ran off the end; failed: could not start. */
export type SubroutineEnd = 'returned' | 'hangup' | 'ended' | 'failed';

type ShowsApp = DialplanChannel & { currentApp?: string; currentData?: string };

export async function execSubroutine(chan: DialplanChannel, services: PbxServices, location: string): Promise<SubroutineEnd> {
  const engine = engineOf(services);
  const shown = chan as ShowsApp;
  const saved = { context: chan.context, exten: chan.exten, priority: chan.priority, app: shown.currentApp, data: shown.currentData };
  const depth = gosubStack(chan).length;
  const started = startGosub(chan, services, location, { returnTo: null });
  if (!started.ok) {
    services.log.warn(started.error);
    return 'failed';
  }
  let end: SubroutineEnd;
  try {
    const r = await engine.loop(chan, { inHangup: false, stopWhen: (c) => gosubStack(c).length <= depth });
    end = r.kind === 'stopped' ? 'returned' : r.kind === 'notfound' ? 'ended' : 'hangup';
  } finally {
    if (popFramesTo(chan, depth) > 0) services.log.warn(`Abnormal 'Gosub(${location})' exit on '${chan.name}': popping its return location`);
    chan.context = saved.context;
    chan.exten = saved.exten;
    chan.priority = saved.priority;
    if (saved.app !== undefined) shown.currentApp = saved.app;
    if (saved.data !== undefined) shown.currentData = saved.data;
  }
  return end;
}
