/**
 * XMPP applications as the simulator plays them (asterisk-dialplan-xmpp.md §6.6): nothing is
 * sent; JabberSend prints what would be sent, JabberStatus reads SimWorld's buddy table
 * (default 6 = Offline). JabberSend's message is the last argument, taken verbatim.
 */
import { splitStandard } from '../apps/split.js';
import type { AppResult, DialplanApplication } from '../types.js';
import type { SimWorld } from './world.js';

export function simJabberSendApp(world: SimWorld): DialplanApplication {
  return {
    name: 'JabberSend',
    synopsis: 'Send an XMPP message (simulated: printed only)',
    syntax: 'JabberSend(account,jid,message)',
    description: 'Simulator version of JabberSend: prints the account, recipient and message instead of sending.',
    exec(call): AppResult {
      const [account = '', jid = '', message = ''] = splitStandard(call.data, 3);
      if (account === '' || message === '' || !jid.includes('@')) {
        call.services.log.warn('JabberSend requires arguments (account,jid,message)');
        return { kind: 'hangup' };
      }
      world.say(`would send XMPP via ${account} to ${jid} : ${message}`);
      return { kind: 'continue' };
    },
  };
}

export function simJabberStatusApp(world: SimWorld): DialplanApplication {
  return {
    name: 'JabberStatus',
    synopsis: 'Read an XMPP buddy status into a variable (simulated)',
    syntax: 'JabberStatus(account,jid,variable)',
    description:
      'Simulator version of the old JabberStatus application: sets variable to 1 Online, 2 Chatty, ' +
      '3 Away, 4 XAway, 5 DND, 6 Offline or 7 Not in roster, from the simulator\'s buddy table (default 6).',
    exec(call): AppResult {
      const [account = '', jid = '', variable = ''] = splitStandard(call.data, 3);
      if (variable === '') {
        call.services.log.warn('JabberStatus requires arguments (account,jid,variable)');
        return { kind: 'continue' };
      }
      const status = world.buddyStatus(account, jid.split('/')[0] ?? jid);
      world.say(`XMPP status of ${jid} via ${account} is ${status}`);
      call.channel.setVar(variable, String(status));
      return { kind: 'continue' };
    },
  };
}
