/**
 * Busy([timeout]) and Congestion([timeout]) (asterisk-dialplan-xmpp.md §5.13): indicate, set the
 * cause when the channel is not up (USER_BUSY 17 / NORMAL_CIRCUIT_CONGESTION 34), wait for the
 * hangup or the timeout, then hang up. Without a media layer the indication is the state change.
 */
import type { AppResult, DialplanApplication, DialplanChannel, PbxServices } from '../types.js';
import { parseSeconds, waitOnChannel } from './channel-wait.js';

export async function indicateAndWait(
  chan: DialplanChannel,
  services: PbxServices,
  kind: 'busy' | 'congestion',
  timeoutMs: number,
): Promise<void> {
  if (chan.state !== 'Up') {
    chan.hangupCause = kind === 'busy' ? 17 : 34;
    chan.state = kind === 'busy' ? 'Busy' : chan.state;
  }
  if (timeoutMs > 0) await waitOnChannel(chan, services, timeoutMs);
}

function make(name: 'Busy' | 'Congestion', kind: 'busy' | 'congestion'): DialplanApplication {
  return {
    name,
    synopsis: kind === 'busy' ? 'Signal busy, then hang up' : 'Signal congestion, then hang up',
    syntax: `${name}([timeout])`,
    description:
      `Tells the caller the line is ${kind === 'busy' ? 'busy' : 'congested'} and hangs up after timeout ` +
      'seconds, or when the caller hangs up first. Without a timeout it waits for the caller to hang up.',
    async exec(call): Promise<AppResult> {
      const secs = parseSeconds(call.data);
      // No timeout: wait until the caller hangs up (bounded to one hour so nothing waits forever).
      await indicateAndWait(call.channel, call.services, kind, secs > 0 ? secs * 1000 : 3_600_000);
      return { kind: 'hangup' };
    },
  };
}

export const busyApp = make('Busy', 'busy');
export const congestionApp = make('Congestion', 'congestion');
