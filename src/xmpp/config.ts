/**
 * xmpp.conf (res_xmpp) and jabber.conf (res_jabber) read into one typed configuration
 * (asterisk-dialplan-xmpp.md §6.2). Both files mean the same; when both exist both are read,
 * xmpp.conf first, and an account name seen twice keeps its first definition (warning).
 * Defaults are res_xmpp's for both files (resource `asterisk-xmpp`, priority 1, autoregister
 * yes, autoprune no), so a jabber.conf from the 1.4 days never prunes a roster by surprise.
 *
 * herald's own options: `cafile=` (trust a private CA for this account's TLS),
 * `service=` (xmpp://host:port for STARTTLS, xmpps://host:port for TLS from the first byte),
 * `status_from_hint=EXTEN@CONTEXT` (our presence follows a hint) and `notify_expiry=` (seconds a
 * JabberNotify message waits for the buddy, default 86400).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { loadConfFile } from '../config/lexer.js';
import { entriesNamed, lastValue, realSections } from '../config/access.js';
import { ConfError, confFalse, confTrue, type ConfDiagnostic, type ConfDocument, type ConfSection } from '../config/types.js';
import { bareJid, parseJid, type Jid } from './jid.js';

/** Our presence `show`: 0 unavailable, 1 available, 2 chat, 3 away, 4 xa, 5 dnd (iksemel's ikshowtype). */
export type ShowValue = 0 | 1 | 2 | 3 | 4 | 5;

/** res_xmpp's accepted `status=` words (invisible falls back to DND, as without iksemel support). */
const STATUS_WORDS: Record<string, ShowValue> = {
  available: 1, online: 1, chat: 2, chatty: 2, away: 3, xa: 4, xaway: 4, dnd: 5, unavailable: 0, invisible: 5,
};

/** res_xmpp appends this resource to a username without one (res_jabber used `asterisk`). */
export const DEFAULT_RESOURCE = 'asterisk-xmpp';
export const DEFAULT_PORT = 5222;
export const DEFAULT_STATUS_MESSAGE = 'Online and Available';
export const DEFAULT_NOTIFY_EXPIRY_S = 86400;

export interface GeneralOptions {
  debug: boolean;
  autoprune: boolean;
  autoregister: boolean;
  /** `accept` or `deny`; res_xmpp parses it but approval follows autoregister (herald does the same). */
  authPolicy: string;
}

export interface AccountConfig {
  /** The section name: the `account` argument of the applications. */
  name: string;
  file: string;
  line: number;
  serverhost: string;
  port: number;
  /** The configured username with the resource added when missing. */
  username: string;
  jid: Jid;
  secret: string;
  usetls: boolean;
  usesasl: boolean;
  /** Bare JIDs, lower-cased, in file order. */
  buddies: string[];
  status: ShowValue;
  statusMessage: string;
  priority: number;
  /** Seconds received messages are kept for JABBER_RECEIVE. */
  timeout: number;
  keepalive: boolean;
  sendtodialplan: boolean;
  context: string;
  debug: boolean;
  autoprune: boolean;
  autoregister: boolean;
  authPolicy: string;
  /** xmpp://host:port or xmpps://host:port. */
  service: string;
  cafile: string | null;
  /** PEM text of cafile (read at load time so a bad path is a load-time warning). */
  caPem: string | null;
  statusFromHint: { context: string; exten: string } | null;
  notifyExpiry: number;
}

export interface XmppConfig {
  general: GeneralOptions;
  accounts: AccountConfig[];
  warnings: ConfDiagnostic[];
  /** Every file read (reload change detection). */
  files: string[];
}

export const XMPP_CONF_FILES = ['xmpp.conf', 'jabber.conf'] as const;

/** Whether the configuration directory holds either file (the module's `configured` test). */
export function hasXmppConf(configDir: string): boolean {
  return XMPP_CONF_FILES.some((f) => existsSync(join(configDir, f)));
}

/** Options herald knows but does not act on yet: reported once per line. */
const NOT_SUPPORTED = new Set(['distribute_events', 'pubsub_node', 'forceoldssl', 'refresh_token', 'oauth_clientid', 'oauth_secret']);
const IGNORED_GENERAL = new Set(['collection_nodes', 'pubsub_autocreate']);
const ACCOUNT_KEYS = new Set([
  'type', 'serverhost', 'username', 'secret', 'port', 'usetls', 'usesasl', 'buddy', 'status', 'statusmessage',
  'priority', 'timeout', 'keepalive', 'sendtodialplan', 'context', 'debug', 'autoprune', 'autoregister',
  'auth_policy', 'cafile', 'service', 'status_from_hint', 'notify_expiry',
]);

/** Booleans that default to yes: anything but an ast_false word keeps them on (res_jabber's rule). */
function yesUnlessFalse(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  return dflt ? !confFalse(v) : confTrue(v);
}

function parseGeneral(doc: ConfDocument | null, warn: (file: string, line: number, msg: string) => void): GeneralOptions {
  const g: GeneralOptions = { debug: false, autoprune: false, autoregister: true, authPolicy: 'accept' };
  const section = doc ? realSections(doc).find((s) => s.name.toLowerCase() === 'general') : undefined;
  if (!section) return g;
  for (const e of section.entries) {
    const k = e.key.toLowerCase();
    if (k === 'debug') g.debug = confTrue(e.value);
    else if (k === 'autoprune') g.autoprune = confTrue(e.value);
    else if (k === 'autoregister') g.autoregister = !confFalse(e.value);
    else if (k === 'auth_policy') g.authPolicy = e.value.toLowerCase() === 'accept' ? 'accept' : 'deny';
    else if (IGNORED_GENERAL.has(k)) continue; // PubSub device-state distribution: not used by herald
    else warn(e.file, e.line, `unknown option '${e.key}' in [general] ignored`);
  }
  return g;
}

function intOption(section: ConfSection, key: string, dflt: number, min: number, max: number, warn: (f: string, l: number, m: string) => void): number {
  const e = entriesNamed(section, key).at(-1);
  if (!e) return dflt;
  const n = Number(e.value);
  if (!Number.isInteger(n) || n < min || n > max) {
    warn(e.file, e.line, `${key}=${e.value} is not a whole number from ${min} to ${max}; using ${dflt}`);
    return dflt;
  }
  return n;
}

function parseService(text: string): string | null {
  const m = /^(xmpps?):\/\/(\[[^\]]+\]|[^:/\s]+)(?::(\d{1,5}))?\/?$/.exec(text.trim());
  if (!m) return null;
  const port = m[3] !== undefined ? Number(m[3]) : m[1] === 'xmpps' ? 5223 : DEFAULT_PORT;
  if (port < 1 || port > 65535) return null;
  return `${m[1]}://${m[2]}:${port}`;
}

function parseAccount(
  section: ConfSection,
  general: GeneralOptions,
  configDir: string,
  warn: (file: string, line: number, msg: string) => void,
): AccountConfig | null {
  const where = (key: string): { file: string; line: number } => {
    const e = entriesNamed(section, key).at(-1);
    return e ? { file: e.file, line: e.line } : { file: section.file, line: section.line };
  };
  const w = (key: string, msg: string): void => {
    const at = where(key);
    warn(at.file, at.line, msg);
  };
  for (const e of section.entries) {
    const k = e.key.toLowerCase();
    if (NOT_SUPPORTED.has(k)) warn(e.file, e.line, `${e.key} is not supported by herald yet; ignored for account '${section.name}'`);
    else if (!ACCOUNT_KEYS.has(k)) warn(e.file, e.line, `unknown option '${e.key}' ignored for account '${section.name}'`);
  }
  const type = (lastValue(section, 'type') ?? 'client').toLowerCase();
  if (type === 'component') {
    w('type', `account '${section.name}': type=component (XEP-0114) is not supported; account skipped`);
    return null;
  }
  if (type !== 'client') {
    w('type', `account '${section.name}': unknown type '${type}'; account skipped`);
    return null;
  }
  const rawUser = lastValue(section, 'username') ?? '';
  const secret = lastValue(section, 'secret') ?? '';
  const serviceText = lastValue(section, 'service');
  const serverhost = lastValue(section, 'serverhost') ?? '';
  if (rawUser === '') {
    w('type', `No user specified on client '${section.name}'; account skipped`);
    return null;
  }
  const parsed = parseJid(rawUser.includes('/') ? rawUser : `${rawUser}/${DEFAULT_RESOURCE}`);
  if (!parsed) {
    w('username', `account '${section.name}': username '${rawUser}' is not a JID (user@domain[/resource]); account skipped`);
    return null;
  }
  const username = `${parsed.local}@${parsed.domain}/${parsed.resource}`;
  if (secret === '') {
    w('username', `No password specified on client '${section.name}'; account skipped`);
    return null;
  }
  const port = intOption(section, 'port', DEFAULT_PORT, 1, 65535, warn);
  let service: string;
  if (serviceText !== undefined) {
    const s = parseService(serviceText);
    if (!s) {
      w('service', `account '${section.name}': service '${serviceText}' is not xmpp://host[:port] or xmpps://host[:port]; account skipped`);
      return null;
    }
    service = s;
  } else {
    if (serverhost === '') {
      w('type', `No server specified on client '${section.name}'; account skipped`);
      return null;
    }
    const host = serverhost.includes(':') && !serverhost.startsWith('[') ? `[${serverhost}]` : serverhost;
    service = `xmpp://${host}:${port}`;
  }

  const buddies: string[] = [];
  for (const e of entriesNamed(section, 'buddy')) {
    for (const part of e.value.split(',')) {
      const text = part.trim();
      if (text === '') continue;
      const j = parseJid(text);
      if (!j || j.resource !== '') {
        warn(e.file, e.line, `account '${section.name}': buddy '${text}' is not a bare JID (user@domain); ignored`);
        continue;
      }
      const b = bareJid(j);
      if (buddies.includes(b)) {
        warn(e.file, e.line, `account '${section.name}': buddy '${text}' listed twice`);
        continue;
      }
      buddies.push(b);
    }
  }

  let status: ShowValue = 1;
  const statusText = lastValue(section, 'status');
  if (statusText !== undefined) {
    const s = STATUS_WORDS[statusText.toLowerCase()];
    if (s === undefined) w('status', `account '${section.name}': unknown status '${statusText}'; using available`);
    else status = s;
  }

  let cafile: string | null = null;
  let caPem: string | null = null;
  const caText = lastValue(section, 'cafile');
  if (caText !== undefined && caText !== '') {
    cafile = isAbsolute(caText) ? caText : join(configDir, caText);
    try {
      caPem = readFileSync(cafile, 'utf8');
      if (!caPem.includes('-----BEGIN CERTIFICATE-----')) {
        w('cafile', `account '${section.name}': cafile ${cafile} holds no PEM certificate; using the system CAs only`);
        caPem = null;
      }
    } catch (err) {
      w('cafile', `account '${section.name}': cannot read cafile ${cafile} (${(err as NodeJS.ErrnoException).code ?? String(err)}); using the system CAs only`);
    }
  }

  let statusFromHint: AccountConfig['statusFromHint'] = null;
  const hintText = lastValue(section, 'status_from_hint');
  if (hintText !== undefined && hintText !== '') {
    const m = /^([^@\s]+)@([^@\s]+)$/.exec(hintText);
    if (m) statusFromHint = { exten: m[1]!, context: m[2]! };
    else w('status_from_hint', `account '${section.name}': status_from_hint wants EXTEN@CONTEXT, not '${hintText}'; ignored`);
  }

  const usetls = yesUnlessFalse(lastValue(section, 'usetls'), true);
  if (!usetls) w('usetls', `account '${section.name}': usetls=no is ignored: herald always uses STARTTLS when the server offers it`);
  const usesasl = yesUnlessFalse(lastValue(section, 'usesasl'), true);
  if (!usesasl) w('usesasl', `account '${section.name}': usesasl=no (legacy iq:auth) is not supported; SASL is used`);

  const own = (key: string): string | undefined => lastValue(section, key);
  const authPolicy = own('auth_policy');
  return {
    name: section.name,
    file: section.file,
    line: section.line,
    serverhost: serverhost !== '' ? serverhost : (/^xmpps?:\/\/(.*):\d+$/.exec(service)?.[1] ?? ''),
    port: Number(/:(\d+)$/.exec(service)?.[1] ?? port),
    username,
    jid: parsed,
    secret,
    usetls,
    usesasl,
    buddies,
    status,
    statusMessage: lastValue(section, 'statusmessage') ?? DEFAULT_STATUS_MESSAGE,
    priority: intOption(section, 'priority', 1, -128, 127, warn),
    timeout: intOption(section, 'timeout', 5, 0, 86400, warn),
    keepalive: yesUnlessFalse(own('keepalive'), true),
    sendtodialplan: confTrue(own('sendtodialplan')),
    context: own('context') || 'default',
    debug: own('debug') !== undefined ? confTrue(own('debug')) : general.debug,
    autoprune: own('autoprune') !== undefined ? confTrue(own('autoprune')) : general.autoprune,
    autoregister: own('autoregister') !== undefined ? !confFalse(own('autoregister')) : general.autoregister,
    authPolicy: authPolicy !== undefined ? (authPolicy.toLowerCase() === 'accept' ? 'accept' : 'deny') : general.authPolicy,
    service,
    cafile,
    caPem,
    statusFromHint,
    notifyExpiry: intOption(section, 'notify_expiry', DEFAULT_NOTIFY_EXPIRY_S, 1, 365 * 86400, warn),
  };
}

/**
 * Read xmpp.conf and/or jabber.conf from configDir. A file that cannot be parsed at all throws
 * its ConfError (the caller keeps the running configuration); missing files are skipped.
 */
export function loadXmppConfig(configDir: string): XmppConfig {
  const warnings: ConfDiagnostic[] = [];
  const warn = (file: string, line: number, message: string): void => {
    warnings.push({ file, line, message });
  };
  const docs: ConfDocument[] = [];
  for (const name of XMPP_CONF_FILES) {
    const path = join(configDir, name);
    if (!existsSync(path)) continue;
    const doc = loadConfFile(path);
    warnings.push(...doc.warnings);
    docs.push(doc);
  }
  if (docs.length === 0) throw new ConfError(join(configDir, 'xmpp.conf'), 0, 'neither xmpp.conf nor jabber.conf found');
  // [general] of the first file that has one (xmpp.conf wins, like its accounts).
  const general = parseGeneral(docs.find((d) => realSections(d).some((s) => s.name.toLowerCase() === 'general')) ?? null, warn);
  const accounts: AccountConfig[] = [];
  for (const doc of docs) {
    for (const section of realSections(doc)) {
      if (section.name.toLowerCase() === 'general') continue;
      const prev = accounts.find((a) => a.name.toLowerCase() === section.name.toLowerCase());
      if (prev) {
        warn(section.file, section.line, `account '${section.name}' is already defined at ${prev.file}:${prev.line}; this one is ignored`);
        continue;
      }
      const acct = parseAccount(section, general, configDir, warn);
      if (acct) accounts.push(acct);
    }
  }
  return { general, accounts, warnings, files: docs.flatMap((d) => d.files) };
}

/** The options whose change needs a new connection on reload (res_xmpp: credentials, server, port, type, priority). */
export function needsReconnect(a: AccountConfig, b: AccountConfig): boolean {
  return a.username !== b.username || a.secret !== b.secret || a.service !== b.service || a.priority !== b.priority || a.caPem !== b.caPem;
}
