/** Wait(seconds): pause on the dialplan clock (fractions allowed); a hangup ends the call early. */
import type { DialplanApplication } from '../types.js';
import { parseSeconds, waitOnChannel } from './channel-wait.js';

export const waitApp: DialplanApplication = {
  name: 'Wait',
  synopsis: 'Pause for a number of seconds',
  syntax: 'Wait(seconds)',
  description: 'Waits the given seconds (fractions allowed) before going on; if the caller hangs up meanwhile the call ends.',
  async exec(call) {
    const r = await waitOnChannel(call.channel, call.services, parseSeconds(call.data) * 1000);
    return r === 'hangup' ? { kind: 'hangup' } : { kind: 'continue' };
  },
};
