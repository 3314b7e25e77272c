/**
 * Channel commands: `core show channel NAME`, `channel request hangup NAME|all`,
 * `sip show channels` (dialogs of live SIP channels) and `sip show inuse` (calls per peer).
 * Layouts follow Asterisk's columns; the texts are herald's own.
 */
import { CliUsageError, type CliCommand } from '../../cli/types.js';
import type { Channel, ChannelRegistry } from '../channel.js';
import type { SipStack } from '../../sip/transaction/types.js';
import type { SipPeerConfig } from '../../sip/config/sip-conf.js';
import type { PeerCalls } from './device-state.js';
import type { InboundCall } from './inbound-call.js';
import { SipChannel } from './sip-channel.js';

export interface CallCliSource {
  channels: ChannelRegistry;
  peerCalls: PeerCalls;
  stack: () => SipStack;
  inbound(): InboundCall[];
  sip: { listPeers(): SipPeerConfig[] };
}

function describeChannel(c: Channel): string {
  const sip = c instanceof SipChannel ? c : null;
  const up = Math.max(0, Math.floor(Date.now() / 1000) - c.createdAt);
  const hms = `${String(Math.floor(up / 3600)).padStart(2, '0')}:${String(Math.floor(up / 60) % 60).padStart(2, '0')}:${String(up % 60).padStart(2, '0')}`;
  const lines = [
    ' -- General --',
    `           Name: ${c.name}`,
    `           Type: ${c.name.split('/')[0] ?? ''}`,
    `       UniqueID: ${c.uniqueid}`,
    `       LinkedID: ${c.linkedid}`,
    `      Caller ID: ${c.callerId.num || '(N/A)'}`,
    ` Caller ID Name: ${c.callerId.name || '(N/A)'}`,
    `    DNID Digits: ${c.callerId.dnid || '(N/A)'}`,
    `          State: ${c.state}`,
    `  Hangup Cause: ${c.hangupCause}`,
    `   Elapsed Time: ${hms}`,
    `  Bridged To: ${sip?.bridgedTo ?? '(None)'}`,
    `      Direction: ${sip ? sip.direction : '(N/A)'}`,
    `        On Hold: ${sip?.onHold ? 'Yes' : 'No'}`,
    `        SIP Call-ID: ${sip?.callId ?? '(N/A)'}`,
    ' --   PBX   --',
    `        Context: ${c.context}`,
    `      Extension: ${c.exten}`,
    `       Priority: ${c.priority}`,
    `    Application: ${c.currentApp || '(N/A)'}`,
    `           Data: ${c.currentApp ? c.currentData || '(Empty)' : '(None)'}`,
    '      Variables:',
    ...c.listVars().map(([k, v]) => `${k}=${v}`),
  ];
  return lines.join('\n') + '\n';
}

export function callCommands(src: CallCliSource): CliCommand[] {
  const names = (partial: string): string[] => src.channels.list().map((c) => c.name).filter((n) => n.startsWith(partial));
  return [
    {
      words: ['core', 'show', 'channel'],
      summary: 'Display information on a specific channel',
      usage: 'Usage: core show channel <channel>\n       Everything herald knows about one live channel.\n',
      complete: (args, partial) => (args.length === 0 ? names(partial) : []),
      handler: ({ args }) => {
        if (args.length !== 1) throw new CliUsageError();
        const c = src.channels.get(args[0] ?? '');
        return c ? describeChannel(c) : `${args[0]} is not a known channel\n`;
      },
    },
    {
      words: ['channel', 'request', 'hangup'],
      summary: 'Request a hangup on a given channel',
      usage: 'Usage: channel request hangup <channel>|all\n       Asks one channel, or every channel, to hang up.\n',
      complete: (args, partial) => (args.length === 0 ? ['all', ...names(partial)].filter((n) => n.startsWith(partial)) : []),
      handler: ({ args }) => {
        if (args.length !== 1) throw new CliUsageError();
        const which = args[0] ?? '';
        const targets = which === 'all' ? src.channels.list() : [src.channels.get(which)].filter((c): c is Channel => c !== undefined);
        if (targets.length === 0) return which === 'all' ? '' : `${which} is not a known channel\n`;
        const out: string[] = [];
        for (const c of targets) {
          out.push(`Requested Hangup on channel '${c.name}'`);
          c.requestHangup(16);
        }
        return out.join('\n') + '\n';
      },
    },
    {
      words: ['sip', 'show', 'channels'],
      summary: 'List active SIP channels',
      usage: 'Usage: sip show channels\n       Lists the SIP calls in progress: where from, who, the Call-ID and whether held.\n',
      handler: ({ args }) => {
        if (args.length > 0) throw new CliUsageError();
        const row = (a: string, b: string, c: string, d: string, e: string, f: string): string =>
          `${a.padEnd(16).slice(0, 16)} ${b.padEnd(16).slice(0, 16)} ${c.padEnd(16).slice(0, 16)} ${d.padEnd(16).slice(0, 16)} ${e.padEnd(8).slice(0, 8)} ${f}`;
        const lines = [row('Peer', 'User/ANR', 'Call ID', 'Format', 'Hold', 'Channel')];
        const sipChans = src.channels.list().filter((c): c is SipChannel => c instanceof SipChannel);
        for (const c of sipChans) lines.push(row(c.peer ?? '(guest)', c.callerId.num, c.callId, '(nothing)', c.onHold ? 'Yes' : 'No', c.name));
        const n = sipChans.length;
        const t = src.stack().stats();
        lines.push(`${n} active SIP channel${n === 1 ? '' : 's'}`);
        lines.push(`${t.serverTransactions} server and ${t.clientTransactions} client transactions`);
        return lines.join('\n') + '\n';
      },
    },
    {
      words: ['sip', 'show', 'inuse'],
      summary: 'List all inuse/limits',
      usage: 'Usage: sip show inuse [all]\n       Calls in use, ringing and on hold per peer, with its limit; "all" lists idle peers too.\n',
      handler: ({ args }) => {
        if (args.length > 1 || (args.length === 1 && args[0] !== 'all')) throw new CliUsageError();
        const all = args[0] === 'all';
        const row = (a: string, b: string, c: string): string => `${a.padEnd(25).slice(0, 25)} ${b.padEnd(15).slice(0, 15)} ${c.padEnd(15).slice(0, 15)} `;
        const lines = [row('* Peer name', 'In use', 'Limit')];
        for (const p of src.sip.listPeers()) {
          const chans = src.peerCalls.of(p.name);
          if (!all && chans.length === 0) continue;
          const inUse = chans.filter((c) => c.state === 'Up' || c.state === 'Ring').length;
          const ringing = chans.filter((c) => c.state === 'Ringing').length;
          const held = chans.filter((c) => c.onHold).length;
          lines.push(row(p.name, `${inUse}/${ringing}/${held}`, p.callLimit !== null ? String(p.callLimit) : 'N/A'));
        }
        return lines.join('\n') + '\n';
      },
    },
  ];
}
