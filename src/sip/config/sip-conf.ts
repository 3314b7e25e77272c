/**
 * Typed reading of sip.conf the way chan_sip reads it: [general] settings, then one section per
 * peer (type=friend|peer|user). Unknown keys are kept in `extra` and otherwise ignored (chan_sip
 * knows hundreds); a value that does not parse gives a warning with file:line and the default.
 *
 * Peer names: chan_sip hashes and compares peer names case-insensitively (its peer container
 * uses a case-insensitive hash and strcasecmp), so `peers` is keyed by the lower-cased name and
 * each peer keeps its name as written.
 *
 * herald extras (not in chan_sip), all in [general] unless noted:
 *   auth_algorithms   digest algorithms to challenge with, default "MD5,SHA-256"; the 401 lists
 *                     SHA-256 first when both are on (RFC 8760 §2.4: most preferred first).
 *   noncelifetime     seconds a nonce stays valid before a 401 with stale=true, default 300.
 *   maxcontacts       contacts kept per peer (also per peer), default 1 like chan_sip; a newer
 *                     contact pushes out the oldest.
 *   maxmessagesize    largest SIP message accepted in bytes, default 65535.
 *   tcpmaxconnections simultaneous TCP connections, default 10000.
 *   tcpidletimeout    seconds before an idle TCP connection is closed, default 600.
 *   registrywritedelay ms the registrar gathers registration writes so they share one store
 *                     commit (one fsync), default 10; 0 writes each REGISTER on its own. The 200
 *                     is sent only after the commit either way.
 */
import type { ConfDiagnostic, ConfDocument, ConfEntry, ConfSection } from '../../config/types.js';
import { confFalse, confTrue } from '../../config/types.js';
import { isIP } from 'node:net';
import { parseAclRule, type AclRule } from './acl.js';

export type SipTransportName = 'udp' | 'tcp';
export type DigestAlgorithmName = 'MD5' | 'SHA-256';

export interface BindAddress {
  address: string;
  port: number;
}

export interface SipGeneral {
  udpBind: BindAddress;
  tcpEnable: boolean;
  tcpBind: BindAddress;
  /** Default transports for peers, first = primary. */
  transports: SipTransportName[];
  context: string;
  allowGuest: boolean;
  alwaysAuthReject: boolean;
  allowSubscribe: boolean;
  subscribeContext: string | null;
  minExpiry: number;
  maxExpiry: number;
  defaultExpiry: number;
  realm: string;
  userAgent: string;
  qualifyFreqMs: number;
  /**
   * chan_sip qualifygap (ms between groups of qualify OPTIONS). Read but not used: herald
   * spreads the first qualify of restored peers at random over qualifyfreq instead.
   */
  qualifyGapMs: number;
  t1Min: number;
  timerT1: number;
  timerB: number;
  callCounter: boolean;
  notifyRinging: boolean;
  notifyHold: boolean;
  authAlgorithms: DigestAlgorithmName[];
  nonceLifetimeSec: number;
  maxContacts: number;
  maxMessageBytes: number;
  tcpMaxConnections: number;
  tcpIdleTimeoutMs: number;
  /** herald: gather registration writes this long (ms) into one store commit. */
  registryWriteDelayMs: number;
  /** Keys herald does not use, last value wins. */
  extra: Map<string, string>;
}

export interface QualifySetting {
  enabled: boolean;
  /** Round trip above which the peer is Lagged (qualify=yes → 2000 ms). */
  maxMs: number;
}

export interface SipPeerConfig {
  /** As written in the section header. */
  name: string;
  type: 'friend' | 'peer' | 'user';
  /** host=dynamic → true. */
  dynamic: boolean;
  /** Static host name/IP, null when dynamic. */
  host: string | null;
  port: number | null;
  secret: string | null;
  md5secret: string | null;
  remotesecret: string | null;
  defaultUser: string | null;
  /** Legacy username= (the auth user for outbound calls). */
  username: string | null;
  context: string;
  callerId: string | null;
  mailbox: string | null;
  allowSubscribe: boolean;
  subscribeContext: string | null;
  qualify: QualifySetting;
  qualifyFreqMs: number;
  /** nat= as written (chan_sip: no, force_rport, comedia, auto_force_rport, auto_comedia …). */
  nat: string;
  transports: SipTransportName[];
  acl: AclRule[];
  description: string;
  callLimit: number | null;
  busyLevel: number | null;
  maxContacts: number;
  extra: Map<string, string>;
  file: string;
  line: number;
}

export interface SipConf {
  general: SipGeneral;
  /** Keyed by lower-cased peer name. */
  peers: Map<string, SipPeerConfig>;
  warnings: ConfDiagnostic[];
}

/** Sections chan_sip treats as settings, not peers. */
const RESERVED_SECTIONS = new Set(['general', 'authentication']);

function defaultGeneral(): SipGeneral {
  return {
    udpBind: { address: '0.0.0.0', port: 5060 },
    tcpEnable: false,
    tcpBind: { address: '0.0.0.0', port: 5060 },
    transports: ['udp'],
    context: 'default',
    allowGuest: true,
    alwaysAuthReject: true,
    allowSubscribe: true,
    subscribeContext: null,
    minExpiry: 60,
    maxExpiry: 3600,
    defaultExpiry: 120,
    realm: 'asterisk',
    userAgent: 'herald',
    qualifyFreqMs: 60_000,
    qualifyGapMs: 100,
    t1Min: 100,
    timerT1: 500,
    timerB: 32_000,
    callCounter: false,
    notifyRinging: true,
    notifyHold: false,
    authAlgorithms: ['MD5', 'SHA-256'],
    nonceLifetimeSec: 300,
    maxContacts: 1,
    maxMessageBytes: 65535,
    tcpMaxConnections: 10_000,
    tcpIdleTimeoutMs: 600_000,
    registryWriteDelayMs: 10,
    extra: new Map(),
  };
}

class Reader {
  constructor(readonly warnings: ConfDiagnostic[]) {}

  warn(e: ConfEntry, message: string): void {
    this.warnings.push({ file: e.file, line: e.line, message: `${e.key}: ${message}` });
  }

  bool(e: ConfEntry, fallback: boolean): boolean {
    if (confTrue(e.value)) return true;
    if (confFalse(e.value)) return false;
    this.warn(e, `'${e.value}' is not yes/no, using ${fallback ? 'yes' : 'no'}`);
    return fallback;
  }

  int(e: ConfEntry, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const v = e.value.trim();
    if (/^-?\d+$/.test(v)) {
      const n = Number(v);
      if (n >= min && n <= max) return n;
    }
    this.warn(e, `'${e.value}' is not a whole number in ${min}..${max}, using ${fallback}`);
    return fallback;
  }

  transports(e: ConfEntry, fallback: SipTransportName[]): SipTransportName[] {
    const out: SipTransportName[] = [];
    for (const raw of e.value.split(',')) {
      const t = raw.trim().toLowerCase();
      if (t === '') continue;
      if (t === 'udp' || t === 'tcp') {
        if (!out.includes(t)) out.push(t);
      } else {
        this.warn(e, `transport '${t}' is not supported (udp, tcp)`);
      }
    }
    return out.length > 0 ? out : fallback;
  }

  /** `host`, `host:port`, `[v6]:port`; the port stays null when not given. */
  hostPort(e: ConfEntry): { address: string; port: number | null } | null {
    const v = e.value.trim();
    let address = v;
    let portText: string | null = null;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(v);
    if (bracket) {
      address = bracket[1];
      portText = bracket[2] ?? null;
    } else if (v.split(':').length === 2) {
      [address, portText] = v.split(':');
    }
    if (isIP(address) === 0) {
      this.warn(e, `'${v}' is not an IP address`);
      return null;
    }
    if (portText === null) return { address, port: null };
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) {
      this.warn(e, `bad port in '${v}'`);
      return null;
    }
    return { address, port };
  }
}

function readGeneral(section: ConfSection | undefined, r: Reader): SipGeneral {
  const g = defaultGeneral();
  if (!section) return g;
  let bindaddr: string | null = null;
  let bindport: number | null = null;
  let udpbind: { address: string; port: number | null } | null = null;
  let tcpbind: { address: string; port: number | null } | null = null;
  let t1minSeen = false;
  let timerBSeen = false;
  for (const e of section.entries) {
    const key = e.key.toLowerCase();
    switch (key) {
      case 'bindaddr':
      case 'udpbindaddr': {
        const hp = r.hostPort(e);
        if (hp) {
          if (key === 'bindaddr') bindaddr = hp.address;
          udpbind = hp;
        }
        break;
      }
      case 'bindport':
        bindport = r.int(e, 5060, 0, 65535);
        break;
      case 'tcpenable':
        g.tcpEnable = r.bool(e, false);
        break;
      case 'tcpbindaddr':
        tcpbind = r.hostPort(e);
        break;
      case 'transport':
        g.transports = r.transports(e, g.transports);
        break;
      case 'context':
        g.context = e.value;
        break;
      case 'allowguest':
        g.allowGuest = r.bool(e, true);
        break;
      case 'alwaysauthreject':
        g.alwaysAuthReject = r.bool(e, true);
        break;
      case 'allowsubscribe':
        g.allowSubscribe = r.bool(e, true);
        break;
      case 'subscribecontext':
        g.subscribeContext = e.value || null;
        break;
      case 'minexpiry':
        g.minExpiry = r.int(e, 60, 1);
        break;
      case 'maxexpiry':
        g.maxExpiry = r.int(e, 3600, 1);
        break;
      case 'defaultexpiry':
        g.defaultExpiry = r.int(e, 120, 1);
        break;
      case 'realm':
        if (e.value) g.realm = e.value;
        break;
      case 'useragent':
        if (e.value) g.userAgent = e.value;
        break;
      case 'qualifyfreq':
        g.qualifyFreqMs = r.int(e, 60, 1, 86400) * 1000;
        break;
      case 'qualifygap':
        g.qualifyGapMs = r.int(e, 100, 0, 60_000);
        break;
      case 't1min':
        g.t1Min = r.int(e, 100, 1, 10_000);
        t1minSeen = true;
        break;
      case 'timert1':
        g.timerT1 = r.int(e, 500, 1, 10_000);
        break;
      case 'timerb':
        g.timerB = r.int(e, 32_000, 1, 600_000);
        timerBSeen = true;
        break;
      case 'callcounter':
        g.callCounter = r.bool(e, false);
        break;
      case 'notifyringing':
        g.notifyRinging = r.bool(e, true);
        break;
      case 'notifyhold':
        g.notifyHold = r.bool(e, false);
        break;
      case 'auth_algorithms': {
        const list: DigestAlgorithmName[] = [];
        for (const raw of e.value.split(',')) {
          const a = raw.trim().toUpperCase();
          if (a === '') continue;
          if (a === 'MD5' || a === 'SHA-256') {
            if (!list.includes(a)) list.push(a);
          } else {
            r.warn(e, `digest algorithm '${raw.trim()}' is not supported (MD5, SHA-256)`);
          }
        }
        if (list.length > 0) g.authAlgorithms = list;
        else r.warn(e, 'no usable algorithm, keeping MD5,SHA-256');
        break;
      }
      case 'noncelifetime':
        g.nonceLifetimeSec = r.int(e, 300, 5, 86400);
        break;
      case 'maxcontacts':
        g.maxContacts = r.int(e, 1, 1, 100);
        break;
      case 'maxmessagesize':
        g.maxMessageBytes = r.int(e, 65535, 1024, 1_048_576);
        break;
      case 'tcpmaxconnections':
        g.tcpMaxConnections = r.int(e, 10_000, 1, 1_000_000);
        break;
      case 'tcpidletimeout':
        g.tcpIdleTimeoutMs = r.int(e, 600, 1, 86400) * 1000;
        break;
      case 'registrywritedelay':
        g.registryWriteDelayMs = r.int(e, 10, 0, 1000);
        break;
      default:
        g.extra.set(key, e.value);
    }
  }
  // chan_sip: bindport applies to a bindaddr/udpbindaddr given without a port.
  const udpAddress = udpbind?.address ?? bindaddr ?? '0.0.0.0';
  const udpPort = udpbind?.port ?? bindport ?? 5060;
  g.udpBind = { address: udpAddress, port: udpPort };
  g.tcpBind = { address: tcpbind?.address ?? udpAddress, port: tcpbind?.port ?? udpPort };
  if (t1minSeen && g.timerT1 < g.t1Min) g.timerT1 = g.t1Min;
  if (!timerBSeen) g.timerB = 64 * g.timerT1;
  if (g.minExpiry > g.maxExpiry) {
    r.warnings.push({ file: section.file, line: section.line, message: `minexpiry ${g.minExpiry} > maxexpiry ${g.maxExpiry}, using maxexpiry for both` });
    g.minExpiry = g.maxExpiry;
  }
  return g;
}

function parseQualify(e: ConfEntry, r: Reader): QualifySetting {
  const v = e.value.trim();
  if (confTrue(v)) return { enabled: true, maxMs: 2000 };
  if (confFalse(v)) return { enabled: false, maxMs: 2000 };
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return n > 0 ? { enabled: true, maxMs: n } : { enabled: false, maxMs: 2000 };
  }
  r.warn(e, `'${v}' is not yes, no or a number of ms`);
  return { enabled: false, maxMs: 2000 };
}

function readPeer(section: ConfSection, g: SipGeneral, r: Reader): SipPeerConfig | null {
  const peer: SipPeerConfig = {
    name: section.name,
    type: 'friend',
    dynamic: false,
    host: null,
    port: null,
    secret: null,
    md5secret: null,
    remotesecret: null,
    defaultUser: null,
    username: null,
    context: g.context,
    callerId: null,
    mailbox: null,
    allowSubscribe: g.allowSubscribe,
    subscribeContext: g.subscribeContext,
    qualify: { enabled: false, maxMs: 2000 },
    qualifyFreqMs: g.qualifyFreqMs,
    nat: 'auto_force_rport',
    transports: [...g.transports],
    acl: [],
    description: '',
    callLimit: null,
    busyLevel: null,
    maxContacts: g.maxContacts,
    extra: new Map(),
    file: section.file,
    line: section.line,
  };
  let typeSeen = false;
  let hostSeen = false;
  for (const e of section.entries) {
    const key = e.key.toLowerCase();
    switch (key) {
      case 'type': {
        const t = e.value.trim().toLowerCase();
        if (t === 'friend' || t === 'peer' || t === 'user') {
          peer.type = t;
          typeSeen = true;
        } else {
          r.warn(e, `'${e.value}' is not friend, peer or user`);
        }
        break;
      }
      case 'host': {
        const v = e.value.trim();
        hostSeen = true;
        if (v.toLowerCase() === 'dynamic') {
          peer.dynamic = true;
          peer.host = null;
        } else if (v === '') {
          r.warn(e, 'empty host');
        } else {
          peer.dynamic = false;
          peer.host = v;
        }
        break;
      }
      case 'port':
        peer.port = r.int(e, 5060, 1, 65535);
        break;
      case 'secret':
        peer.secret = e.value || null;
        break;
      case 'md5secret': {
        const v = e.value.trim().toLowerCase();
        if (/^[0-9a-f]{32}$/.test(v)) peer.md5secret = v;
        else r.warn(e, 'is not 32 hex digits (MD5 of user:realm:secret)');
        break;
      }
      case 'remotesecret':
        peer.remotesecret = e.value || null;
        break;
      case 'defaultuser':
        peer.defaultUser = e.value || null;
        break;
      case 'username':
        peer.username = e.value || null;
        break;
      case 'context':
        peer.context = e.value;
        break;
      case 'callerid':
        peer.callerId = e.value || null;
        break;
      case 'mailbox':
        peer.mailbox = e.value || null;
        break;
      case 'allowsubscribe':
        peer.allowSubscribe = r.bool(e, g.allowSubscribe);
        break;
      case 'subscribecontext':
        peer.subscribeContext = e.value || null;
        break;
      case 'qualify':
        peer.qualify = parseQualify(e, r);
        break;
      case 'qualifyfreq':
        peer.qualifyFreqMs = r.int(e, g.qualifyFreqMs / 1000, 1, 86400) * 1000;
        break;
      case 'nat':
        peer.nat = e.value.trim().toLowerCase();
        break;
      case 'transport':
        peer.transports = r.transports(e, peer.transports);
        break;
      case 'deny':
      case 'permit':
        try {
          peer.acl.push(parseAclRule(key, e.value));
        } catch (err) {
          r.warn(e, (err as Error).message);
        }
        break;
      case 'description':
        peer.description = e.value;
        break;
      case 'call-limit':
        peer.callLimit = r.int(e, 0, 0);
        break;
      case 'busylevel':
        peer.busyLevel = r.int(e, 0, 0);
        break;
      case 'maxcontacts':
        peer.maxContacts = r.int(e, g.maxContacts, 1, 100);
        break;
      default:
        peer.extra.set(key, e.value);
    }
  }
  if (!typeSeen && section.entries.length === 0) return null;
  if (!typeSeen) {
    r.warnings.push({ file: section.file, line: section.line, message: `[${section.name}]: no type=, treating as friend` });
  }
  if (!hostSeen && peer.type !== 'user') {
    // chan_sip refuses REGISTER from a peer that is not host=dynamic.
    r.warnings.push({ file: section.file, line: section.line, message: `[${section.name}]: no host=, it cannot register (use host=dynamic)` });
  }
  return peer;
}

/** Read a parsed sip.conf. Never throws: problems become warnings (the lexer's included). */
export function loadSipConf(doc: ConfDocument): SipConf {
  // The lexer's own warnings (a line outside any section …) come first, then ours.
  const warnings: ConfDiagnostic[] = [...doc.warnings];
  const r = new Reader(warnings);
  const generalSection = doc.sections.find((s) => !s.isTemplate && s.name.toLowerCase() === 'general');
  const general = readGeneral(generalSection, r);
  const peers = new Map<string, SipPeerConfig>();
  for (const section of doc.sections) {
    if (section.isTemplate) continue;
    if (RESERVED_SECTIONS.has(section.name.toLowerCase())) continue;
    const peer = readPeer(section, general, r);
    if (!peer) continue;
    const key = section.name.toLowerCase();
    if (peers.has(key)) {
      warnings.push({ file: section.file, line: section.line, message: `[${section.name}] defined again, the later one wins` });
    }
    peers.set(key, peer);
  }
  return { general, peers, warnings };
}

/** Auth user name for a peer: chan_sip matches the digest username against the peer name. */
export function peerKey(name: string): string {
  return name.toLowerCase();
}
