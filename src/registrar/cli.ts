/**
 * The registrar's CLI commands. `sip show peers` and `sip show peer` copy chan_sip's layout (column
 * widths as observed on Asterisk 20); `sip show registrations` is herald's own: the inbound
 * contacts, one line each (chan_sip's `sip show registry` lists OUTBOUND registrations, which
 * herald does not make).
 */
import { CliUsageError, type CliCommand } from '../cli/types.js';
import type { SipGeneral, SipPeerConfig } from '../sip/config/sip-conf.js';
import type { ContactBinding } from './binding.js';
import { EXPIRY_GRACE_MS } from './location.js';
import type { PeerReachability } from './qualify.js';
import { formatHostPort } from '../sip/transport/endpoint.js';

/** What the commands read from the running module. */
export interface SipCliSource {
  general(): SipGeneral;
  listPeers(): SipPeerConfig[];
  peer(name: string): SipPeerConfig | undefined;
  contacts(peerName: string): readonly ContactBinding[];
  reachability(peerName: string): PeerReachability | undefined;
  wallNow(): number;
  setDebug(on: boolean): void;
  /** Drop every contact of a peer; false when it had none. */
  unregister(peerName: string): Promise<boolean>;
  reload(): Promise<{ ok: boolean; message: string }>;
}

function pad(text: string, width: number): string {
  const t = text.length > width ? text.slice(0, width) : text;
  return t + ' '.repeat(width - t.length);
}

/** chan_sip's peer_status(): the Status column text, and whether the peer counts as online. */
export function peerStatusText(peer: SipPeerConfig, reach: PeerReachability | undefined, registered: boolean): { text: string; online: boolean } {
  if (!peer.qualify.enabled) return { text: 'Unmonitored', online: registered };
  if (!reach || reach.status === 'Unknown') return { text: 'UNKNOWN', online: false };
  if (reach.status === 'Unreachable') return { text: 'UNREACHABLE', online: false };
  if (reach.status === 'Lagged') return { text: `LAGGED (${reach.rttMs ?? 0} ms)`, online: true };
  return { text: `OK (${reach.rttMs ?? 0} ms)`, online: true };
}

function forceRportText(nat: string): string {
  if (nat.startsWith('auto')) return nat.includes('force_rport') || nat === 'auto' ? 'Auto (No)' : 'No';
  return nat === 'no' || nat === 'never' ? 'No' : nat.includes('force_rport') || nat === 'yes' ? 'Yes' : 'No';
}

function comediaText(nat: string): string {
  if (nat === 'auto_comedia') return 'Auto (No)';
  return nat.includes('comedia') || nat === 'yes' ? 'Yes' : 'No';
}

export function showPeers(src: SipCliSource): string {
  const cols = (v: string[]): string =>
    [pad(v[0], 25), pad(v[1], 39), pad(v[2], 3), pad(v[3], 10), pad(v[4], 10), pad(v[5], 3), pad(v[6], 8), pad(v[7], 11), pad(v[8], 32), ''].join(' ');
  const lines = [cols(['Name/username', 'Host', 'Dyn', 'Forcerport', 'Comedia', 'ACL', 'Port', 'Status', 'Description'])];
  let monOn = 0;
  let monOff = 0;
  let unmonOn = 0;
  let unmonOff = 0;
  const peers = src.listPeers();
  for (const p of peers) {
    const contacts = src.contacts(p.name);
    const last = contacts[contacts.length - 1];
    const user = last?.user || p.defaultUser || '';
    const name = user ? `${p.name}/${user}` : p.name;
    const host = last ? last.source.address : p.host ?? '(Unspecified)';
    const port = last ? String(last.source.port) : p.dynamic ? '0' : String(p.port ?? 5060);
    const st = peerStatusText(p, src.reachability(p.name), contacts.length > 0 || !p.dynamic);
    if (p.qualify.enabled) {
      if (st.online) monOn++;
      else monOff++;
    } else if (st.online) unmonOn++;
    else unmonOff++;
    lines.push(cols([name, host, p.dynamic ? ' D ' : '   ', forceRportText(p.nat), comediaText(p.nat), p.acl.length > 0 ? ' A ' : '   ', port, st.text, p.description]));
  }
  lines.push(`${peers.length} sip peers [Monitored: ${monOn} online, ${monOff} offline Unmonitored: ${unmonOn} online, ${unmonOff} offline]`);
  return lines.join('\n') + '\n';
}

function transportList(p: SipPeerConfig): string {
  return p.transports.map((t) => t.toUpperCase()).join(',');
}

export function showPeer(src: SipCliSource, name: string): string {
  const p = src.peer(name);
  if (!p || p.type === 'user') return `Peer ${name} not found.\n`;
  const g = src.general();
  const contacts = src.contacts(p.name);
  const last = contacts[contacts.length - 1];
  const now = src.wallNow();
  const set = (v: string | null): string => (v === null ? '<Not set>' : '<Set>');
  const st = peerStatusText(p, src.reachability(p.name), contacts.length > 0 || !p.dynamic);
  const addr = last ? formatHostPort(last.source.address, last.source.port) : '(null)';
  const expire = last ? String(Math.max(0, Math.round((last.expiresAt + EXPIRY_GRACE_MS - now) / 1000))) : '-1';
  const lines = [
    '',
    '',
    `  * Name       : ${p.name}`,
    `  Description  : ${p.description}`,
    `  Secret       : ${set(p.secret)}`,
    `  MD5Secret    : ${set(p.md5secret)}`,
    `  Remote Secret: ${set(p.remotesecret)}`,
    `  Context      : ${p.context}`,
    `  Subscr.Cont. : ${p.subscribeContext ?? '<Not set>'}`,
    `  Mailbox      : ${p.mailbox ?? ''}`,
    `  Call limit   : ${p.callLimit ?? 2147483647}`,
    `  Dynamic      : ${p.dynamic ? 'Yes' : 'No'}`,
    `  Callerid     : ${p.callerId ?? '"" <>'}`,
    `  Expire       : ${expire}`,
    `  Force rport  : ${forceRportText(p.nat)}`,
    `  ACL          : ${p.acl.length > 0 ? 'Yes' : 'No'}`,
    `  Subscriptions: ${p.allowSubscribe ? 'Yes' : 'No'}`,
    `  Timer T1     : ${g.timerT1}`,
    `  Timer B      : ${g.timerB}`,
    `  ToHost       : ${p.dynamic ? '' : p.host ?? ''}`,
    `  Addr->IP     : ${addr}`,
    `  Defaddr->IP  : ${p.dynamic || !p.host ? '(null)' : `${p.host}:${p.port ?? 5060}`}`,
    `  Prim.Transp. : ${last ? last.source.proto : (p.transports[0] ?? 'udp').toUpperCase()}`,
    `  Allowed.Trsp : ${transportList(p)}`,
    `  Def. Username: ${last?.user || p.defaultUser || ''}`,
    `  Status       : ${st.text}`,
    `  Useragent    : ${last?.userAgent ?? ''}`,
    `  Reg. Contact : ${last?.uri ?? ''}`,
    `  Qualify Freq : ${p.qualifyFreqMs} ms`,
  ];
  if (contacts.length > 1) lines.push(`  Contacts     : ${contacts.length} (see sip show registrations)`);
  lines.push('', '');
  return lines.join('\n');
}

export function showRegistrations(src: SipCliSource, filter?: string): string {
  const now = src.wallNow();
  const row = (v: string[]): string => [pad(v[0], 25), pad(v[1], 48), pad(v[2], 8), pad(v[3], 24), pad(v[4], 7), v[5]].join(' ').trimEnd();
  const lines = [row(['Peer', 'Contact', 'Expires', 'Source', 'Transp', 'User agent'])];
  let count = 0;
  let peersWith = 0;
  for (const p of src.listPeers()) {
    if (filter && p.name.toLowerCase() !== filter.toLowerCase()) continue;
    const contacts = src.contacts(p.name);
    if (contacts.length > 0) peersWith++;
    for (const b of contacts) {
      count++;
      const left = Math.max(0, Math.round((b.expiresAt - now) / 1000));
      const source = formatHostPort(b.source.address, b.source.port);
      lines.push(row([p.name, b.uri, String(left), source, b.source.proto, b.userAgent]));
    }
  }
  lines.push(`${count} contacts registered for ${peersWith} sip peers`);
  return lines.join('\n') + '\n';
}

export function sipCommands(src: SipCliSource): CliCommand[] {
  const peerNames = (partial: string): string[] =>
    src.listPeers().map((p) => p.name).filter((n) => n.toLowerCase().startsWith(partial.toLowerCase()));
  return [
    {
      words: ['sip', 'show', 'peers'],
      summary: 'List the SIP peers and their state',
      usage: 'Usage: sip show peers\n       One line per SIP peer (friend or peer): address, port, qualify status.\n',
      handler: (ctx) => {
        if (ctx.args.length > 0) throw new CliUsageError();
        return showPeers(src);
      },
    },
    {
      words: ['sip', 'show', 'peer'],
      summary: 'Show the details of one SIP peer',
      usage: 'Usage: sip show peer <name>\n       The settings and registration of one SIP peer; secrets are shown only as <Set>.\n',
      handler: (ctx) => {
        if (ctx.args.length !== 1) throw new CliUsageError();
        return showPeer(src, ctx.args[0]);
      },
      complete: (args, partial) => (args.length === 0 ? peerNames(partial) : []),
    },
    {
      words: ['sip', 'show', 'registrations'],
      summary: 'List the contacts registered with herald',
      usage:
        'Usage: sip show registrations [peer]\n' +
        '       Every registered contact: peer, contact URI, seconds until it expires, the address\n' +
        '       the REGISTER came from, transport and user agent.\n',
      handler: (ctx) => {
        if (ctx.args.length > 1) throw new CliUsageError();
        return showRegistrations(src, ctx.args[0]);
      },
      complete: (args, partial) => (args.length === 0 ? peerNames(partial) : []),
    },
    {
      words: ['sip', 'unregister'],
      summary: 'Drop the registration of a SIP peer',
      usage: 'Usage: sip unregister <peer>\n       Forget every contact the peer registered, as if it had sent Expires: 0.\n',
      handler: async (ctx) => {
        if (ctx.args.length !== 1) throw new CliUsageError();
        const name = ctx.args[0];
        const p = src.peer(name);
        if (!p || p.type === 'user') return `Peer unknown: '${name}'. Not unregistered.\n`;
        return (await src.unregister(p.name)) ? `Unregistered peer '${p.name}'\n\n` : `Peer ${p.name} not registered\n`;
      },
      complete: (args, partial) => (args.length === 0 ? peerNames(partial) : []),
    },
    {
      words: ['sip', 'set', 'debug'],
      summary: 'Print every SIP message sent and received',
      usage: 'Usage: sip set debug {on|off}\n       Turn the printing of every SIP message in and out on or off.\n',
      handler: (ctx) => {
        const v = ctx.args[0]?.toLowerCase();
        if (ctx.args.length !== 1 || (v !== 'on' && v !== 'off')) throw new CliUsageError();
        src.setDebug(v === 'on');
        return v === 'on' ? 'SIP Debugging enabled\n' : 'SIP Debugging Disabled\n';
      },
      complete: (args, partial) => (args.length === 0 ? ['on', 'off'].filter((w) => w.startsWith(partial)) : []),
    },
    {
      words: ['sip', 'reload'],
      summary: 'Re-read sip.conf',
      usage: 'Usage: sip reload\n       Re-read sip.conf; on an error the running configuration stays.\n',
      handler: async (ctx) => {
        if (ctx.args.length > 0) throw new CliUsageError();
        const r = await src.reload();
        return `${r.message}\n`;
      },
    },
  ];
}
