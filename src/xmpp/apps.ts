/**
 * The XMPP dialplan applications and functions (asterisk-dialplan-xmpp.md §6.5–6.7), plus
 * herald's JabberNotify and JabberReceive. None of them waits on the network: sends are queued
 * on the account's connection and the application returns at once; only JabberReceive waits,
 * and only for the time its caller asked for.
 */
import { splitStandard } from '../pbx/apps/split.js';
import { waitOnChannel } from '../pbx/apps/channel-wait.js';
import { FunctionError, type AppCall, type AppResult, type DialplanApplication, type DialplanFunction } from '../pbx/types.js';
import type { XmppAccount } from './account.js';
import { bareOf } from './jid.js';
import type { NotifyQueue } from './notify-queue.js';

export interface XmppDirectory {
  /** By section name (any case), else — as res_jabber did — by the account's bare JID. */
  account(name: string): XmppAccount | undefined;
  readonly queue: NotifyQueue;
}

const CONTINUE: AppResult = { kind: 'continue' };
const HANGUP: AppResult = { kind: 'hangup' };

function noAccount(call: AppCall, name: string): AppResult {
  call.services.log.error(`Could not find sender connection: '${name}'`);
  return HANGUP;
}

/** The `account,jid,message` arguments of JabberSend and JabberNotify, or the AppResult to end with. */
function chatArguments(call: AppCall, dir: XmppDirectory, app: string): { acct: XmppAccount; jid: string; message: string } | AppResult {
  const [account = '', jid = '', message = ''] = splitStandard(call.data, 3);
  if (account === '' || message === '' || !jid.includes('@')) {
    call.services.log.warn(`${app} requires arguments (account,jid,message)`);
    return HANGUP;
  }
  const acct = dir.account(account);
  if (!acct) return noAccount(call, account);
  return { acct, jid, message };
}

interface RoomArguments {
  acct: XmppAccount;
  room: string;
  /** As given; empty when the caller left it out. */
  nick: string;
}

/**
 * The `account,roomjid[,nickname]` arguments of JabberJoin and JabberLeave. A room JID carries no
 * resource (that always ends the call); what a JID without '@' logs and returns differs per
 * application, so the caller says. Returns the AppResult to end with when the arguments are not usable.
 */
function roomArguments(
  call: AppCall,
  dir: XmppDirectory,
  notARoom: (room: string) => { message: string; result: AppResult },
): RoomArguments | AppResult {
  const [account = '', room = '', nick = ''] = splitStandard(call.data, 3);
  if (room.includes('/')) {
    call.services.log.error('Invalid room name : resource must not be appended');
    return HANGUP;
  }
  if (!room.includes('@')) {
    const { message, result } = notARoom(room);
    call.services.log.error(message);
    return result;
  }
  const acct = dir.account(account);
  if (!acct) return noAccount(call, account);
  return { acct, room, nick };
}

export function jabberSendApp(dir: XmppDirectory): DialplanApplication {
  return {
    name: 'JabberSend',
    synopsis: 'Send an XMPP chat message',
    syntax: 'JabberSend(account,jid,message)',
    description:
      'Sends message as a chat message from the account (a section of xmpp.conf or jabber.conf) to jid. ' +
      'The message is the last argument and is used as written (commas and quotes kept). The application ' +
      'returns at once; when the account is not connected the message is dropped with a warning, as in ' +
      'Asterisk (use JabberNotify to keep it until the buddy is online). Missing arguments or an unknown ' +
      'account end the call.',
    exec(call): AppResult {
      const target = chatArguments(call, dir, 'JabberSend');
      if ('kind' in target) return target;
      const { acct, jid, message } = target;
      if (!acct.sendChat(jid, message)) {
        call.services.log.warn(`JabberSend: account '${acct.name}' is ${acct.state}; message to ${jid} dropped`);
      }
      return CONTINUE;
    },
  };
}

export function jabberNotifyApp(dir: XmppDirectory): DialplanApplication {
  return {
    name: 'JabberNotify',
    synopsis: 'Send an XMPP message now, or keep it until the buddy is online',
    syntax: 'JabberNotify(account,jid,message)',
    description:
      'Like JabberSend, but nothing is lost: when jid is Online or Chatty the message goes out at once; ' +
      'otherwise (away, busy, offline, or the account is disconnected) it is kept in the store — across ' +
      'restarts — and delivered when the buddy is next Online or Chatty, marked with its original time ' +
      '("(sent at HH:MM)" and a XEP-0203 delay stamp). It is dropped after the account\'s notify_expiry ' +
      'seconds (default 86400), or after ${JABBERNOTIFY_EXPIRY} seconds when that channel variable is set. ' +
      'Sets JABBERNOTIFYSTATUS to SENT or QUEUED.',
    async exec(call): Promise<AppResult> {
      const target = chatArguments(call, dir, 'JabberNotify');
      if ('kind' in target) return target;
      const { acct, jid, message } = target;
      const st = acct.status(jid);
      if (acct.online && (st === 1 || st === 2) && acct.sendChat(jid, message)) {
        call.channel.setVar('JABBERNOTIFYSTATUS', 'SENT');
        return CONTINUE;
      }
      const override = Number(call.channel.getVar('JABBERNOTIFY_EXPIRY') ?? '');
      const expiry = Number.isFinite(override) && override > 0 ? override : acct.config.notifyExpiry;
      const bare = bareOf(jid);
      try {
        await dir.queue.add(acct.name, bare, message, expiry);
        call.channel.setVar('JABBERNOTIFYSTATUS', 'QUEUED');
        call.services.verbose(3, `JabberNotify: ${bare} is ${st}; message kept for up to ${expiry} s`);
      } catch (err) {
        call.services.log.error({ err }, `JabberNotify: could not store the message for ${bare}`);
        call.channel.setVar('JABBERNOTIFYSTATUS', 'FAILED');
      }
      return CONTINUE;
    },
  };
}

export function jabberStatusApp(dir: XmppDirectory): DialplanApplication {
  let calls = 0;
  return {
    name: 'JabberStatus',
    synopsis: 'Read an XMPP buddy status into a variable (legacy)',
    syntax: 'JabberStatus(account,jid[/resource],variable)',
    description:
      'Sets variable to the buddy status: 1 Online, 2 Chatty, 3 Away, 4 XAway, 5 DND, 6 Offline, ' +
      '7 Not in roster. Kept for old dialplans (Asterisk 17 removed it); JABBER_STATUS() does the same.',
    exec(call): AppResult {
      const args = splitStandard(call.data, 3);
      if (args.length !== 3 || args[2] === '') {
        call.services.log.warn('JabberStatus requires 3 arguments: sender, jid and variable');
        return HANGUP;
      }
      const [account, jid, variable] = args as [string, string, string];
      if (++calls % 10 === 1) call.services.log.info('JabberStatus is deprecated.  Please use the JABBER_STATUS dialplan function in the future.');
      const acct = dir.account(account);
      if (!acct) return noAccount(call, account);
      call.channel.setVar(variable, String(acct.status(jid)));
      return CONTINUE;
    },
  };
}

export function jabberStatusFunction(dir: XmppDirectory): DialplanFunction {
  return {
    name: 'JABBER_STATUS',
    synopsis: 'The status of an XMPP buddy, 1 to 7',
    syntax: 'JABBER_STATUS(account,jid[/resource])',
    description:
      '1 Online, 2 Chatty, 3 Away, 4 XAway, 5 DND, 6 Offline (no resource online, or not that resource), ' +
      '7 Not in roster. Without a resource, the highest-priority resource decides.',
    read(call): string {
      const args = splitStandard(call.args, 2);
      if (args.length !== 2 || args[1] === '') throw new FunctionError('JABBER_STATUS requires 2 arguments: sender and jid.');
      const acct = dir.account(args[0]!);
      if (!acct) throw new FunctionError(`Could not find sender connection: '${args[0]}'`);
      return String(acct.status(args[1]!));
    },
  };
}

export function jabberReceiveFunction(dir: XmppDirectory): DialplanFunction {
  return {
    name: 'JABBER_RECEIVE',
    synopsis: 'The newest waiting XMPP message from a buddy (does not wait)',
    syntax: 'JABBER_RECEIVE(account,jid[,timeout])',
    description:
      'Returns and removes the newest message from jid that arrived within the account\'s timeout= seconds. ' +
      'herald functions cannot wait, so unlike Asterisk this never blocks: when nothing is waiting the ' +
      'value is empty at once. Use the JabberReceive application to wait for a message.',
    read(call): string {
      const args = splitStandard(call.args, 3);
      if (args.length < 2 || args[0] === '' || args[1] === '') throw new FunctionError('JABBER_RECEIVE requires at least 2 arguments: account and jid.');
      if (args[2] !== undefined && args[2] !== '' && !(Number(args[2]) > 0)) throw new FunctionError('Invalid timeout specified');
      const acct = dir.account(args[0]!);
      if (!acct) throw new FunctionError(`Could not find sender connection: '${args[0]}'`);
      const m = acct.takeMessage(args[1]!);
      if (!m) {
        call.services.log.info(`No message from ${args[1]} is waiting`);
        return '';
      }
      return m.body;
    },
  };
}

export function jabberReceiveApp(dir: XmppDirectory): DialplanApplication {
  return {
    name: 'JabberReceive',
    synopsis: 'Wait for an XMPP message from a buddy',
    syntax: 'JabberReceive(account,jid,variable[,timeout])',
    description:
      'Waits up to timeout seconds (default 20) for a message from jid (or takes one that arrived within ' +
      'the account\'s timeout= seconds), stores its body in variable and sets JABBERRECEIVESTATUS to OK, ' +
      'TIMEOUT or HANGUP. herald\'s waiting form of Asterisk\'s JABBER_RECEIVE().',
    async exec(call): Promise<AppResult> {
      const [account = '', jid = '', variable = '', timeoutText = ''] = splitStandard(call.data, 4);
      if (account === '' || jid === '' || variable === '') {
        call.services.log.warn('JabberReceive requires arguments (account,jid,variable[,timeout])');
        return HANGUP;
      }
      const timeout = timeoutText === '' ? 20 : Number(timeoutText);
      if (!(timeout > 0)) {
        call.services.log.warn('Invalid timeout specified');
        return CONTINUE;
      }
      const acct = dir.account(account);
      if (!acct) return noAccount(call, account);
      const deadline = call.services.clock.now() + timeout * 1000;
      for (let round = 0; round < 100000; round++) {
        const m = acct.takeMessage(jid);
        if (m) {
          call.channel.setVar(variable, m.body);
          call.channel.setVar('JABBERRECEIVESTATUS', 'OK');
          return CONTINUE;
        }
        const left = deadline - call.services.clock.now();
        if (left <= 0) break;
        let cancel: () => void = () => {};
        const arrived = new Promise<'message'>((resolve) => {
          cancel = acct.onNextMessage(() => resolve('message'));
        });
        const outcome = await Promise.race([arrived, waitOnChannel(call.channel, call.services, left)]);
        cancel();
        if (outcome === 'hangup') {
          call.channel.setVar('JABBERRECEIVESTATUS', 'HANGUP');
          return CONTINUE;
        }
      }
      call.services.log.info(`Timed out : no message received from ${jid}`);
      call.channel.setVar('JABBERRECEIVESTATUS', 'TIMEOUT');
      return CONTINUE;
    },
  };
}

export function jabberJoinApp(dir: XmppDirectory): DialplanApplication {
  return {
    name: 'JabberJoin',
    synopsis: 'Join an XMPP chat room (XEP-0045)',
    syntax: 'JabberJoin(account,roomjid[,nickname])',
    description: 'Joins roomjid (room@conference.server, no resource) as nickname (default: the account\'s user name). Joined rooms are joined again after a reconnect.',
    exec(call): AppResult {
      const target = roomArguments(call, dir, (room) => ({ message: `JabberJoin: '${room}' is not a room JID (room@service)`, result: CONTINUE }));
      if ('kind' in target) return target;
      target.acct.joinRoom(target.room, target.nick || target.acct.config.jid.local);
      return CONTINUE;
    },
  };
}

export function jabberLeaveApp(dir: XmppDirectory): DialplanApplication {
  return {
    name: 'JabberLeave',
    synopsis: 'Leave an XMPP chat room (XEP-0045)',
    syntax: 'JabberLeave(account,roomjid[,nickname])',
    description: 'Leaves roomjid (sends unavailable presence to room/nickname).',
    exec(call): AppResult {
      const target = roomArguments(call, dir, () => ({ message: 'No jabber ID specified', result: HANGUP }));
      if ('kind' in target) return target;
      const { acct, room, nick } = target;
      acct.leaveRoom(room, nick || acct.rooms.get(room.toLowerCase()) || acct.config.jid.local);
      return CONTINUE;
    },
  };
}

export function jabberSendGroupApp(dir: XmppDirectory): DialplanApplication {
  return {
    name: 'JabberSendGroup',
    synopsis: 'Send a message to an XMPP chat room (XEP-0045)',
    syntax: 'JabberSendGroup(account,roomjid,message[,nickname])',
    description:
      'Sends message as a groupchat message to roomjid (join it first with JabberJoin). The message is not ' +
      'the last argument, so a comma in it starts the nickname and quotes are removed, as in Asterisk.',
    exec(call): AppResult {
      const args = splitStandard(call.data, 4);
      const [account = '', room = '', message = ''] = args;
      if (args.length < 3 || message === '' || !room.includes('@')) {
        call.services.log.warn('JabberSendGroup requires arguments (sender,groupchatid,message[,nickname])');
        return HANGUP;
      }
      const acct = dir.account(account);
      if (!acct) return noAccount(call, account);
      if (!acct.sendGroup(room, message)) call.services.log.warn(`JabberSendGroup: account '${acct.name}' is ${acct.state}; message to ${room} dropped`);
      return CONTINUE;
    },
  };
}

export function xmppApplications(dir: XmppDirectory): DialplanApplication[] {
  return [
    jabberSendApp(dir),
    jabberNotifyApp(dir),
    jabberStatusApp(dir),
    jabberReceiveApp(dir),
    jabberJoinApp(dir),
    jabberLeaveApp(dir),
    jabberSendGroupApp(dir),
  ];
}

export function xmppFunctions(dir: XmppDirectory): DialplanFunction[] {
  return [jabberStatusFunction(dir), jabberReceiveFunction(dir)];
}
