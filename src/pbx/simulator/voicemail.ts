/**
 * VoiceMail as the simulator plays it (asterisk-dialplan-xmpp.md §5.9): VMSTATUS from --vmstatus.
 *  - SUCCESS: a message was left and the caller hung up afterwards (how a voicemail call
 *    normally ends) → the call ends (h runs) with VMSTATUS=SUCCESS;
 *  - FAILED: the caller hung up during the greeting → the call ends (h runs);
 *  - USEREXIT: the caller pressed `*` → extension `a` of the current context when it exists,
 *    otherwise the dialplan goes on.
 */
import { splitStandard } from '../apps/split.js';
import type { AppResult, DialplanApplication } from '../types.js';
import type { SimWorld } from './world.js';

export function simVoiceMailApp(world: SimWorld): DialplanApplication {
  return {
    name: 'VoiceMail',
    synopsis: 'Leave a voicemail message (simulated: the result comes from --vmstatus)',
    syntax: 'VoiceMail(mailbox[@context][&mailbox2[@context]...][,options])',
    description: 'Simulator version of VoiceMail: nothing is recorded; VMSTATUS comes from the --vmstatus option.',
    exec(call): AppResult {
      const chan = call.channel;
      const [boxes = '', options = ''] = splitStandard(call.data, 2);
      const status = world.vmStatus;
      const first = boxes.split('&')[0] ?? '';
      const box = first.includes('@') ? first : `${first}@default`;
      world.say(`would record voicemail for ${box}${options ? ` (options ${options})` : ''} → ${status}`);
      chan.state = 'Up';
      chan.setVar('VMSTATUS', status);
      if (status === 'FAILED' || status === 'SUCCESS') {
        const c = chan as typeof chan & { requestHangup?: (cause?: number) => void };
        c.requestHangup?.(16);
        return { kind: 'hangup' };
      }
      if (status === 'USEREXIT') {
        const dp = call.services.dialplan();
        if (dp.findPriority(chan.context, 'a', 1, chan.callerId.num)) {
          chan.exten = 'a';
          chan.priority = 1;
          return { kind: 'jumped' };
        }
      }
      return { kind: 'continue' };
    },
  };
}
