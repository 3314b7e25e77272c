/**
 * One contact bound to a peer (RFC 3261 §10.3), and how bindings are written to the store.
 *
 * Store format (family "SIP/Registry", key = peer name as configured): one record per contact,
 * records joined by ",". Each record starts with the five fields chan_sip writes for its single
 * contact — `ADDR:PORT:EXPIRES:USER:CONTACT` (e.g. `127.0.0.1:5093:3600:6002:sip:6002@127.0.0.1:5093`,
 * an IPv6 ADDR in brackets) — then `|` and herald's extra fields as a URL query string:
 *   at   absolute expiry, epoch ms (timers are re-armed from it at start)
 *   tr   transport (UDP/TCP)     conn  TCP connection id      cid  Call-ID    cs  CSeq
 *   ua   User-Agent               q     q-value                inst +sip.instance
 *   path Path header values (repeated)                        reg  first registration, epoch ms
 * "," and "|" inside CONTACT are written %2C / %7C (equivalent URI escapes) so records split safely.
 * chan_sip keeps one contact per peer; with maxcontacts=1 (the default) the value has one record.
 */
import type { Endpoint, TransportProto } from '../sip/transport/types.js';
import { formatHostPort } from '../sip/transport/endpoint.js';

export interface ContactBinding {
  /** Contact URI as the UA sent it (without < >). */
  uri: string;
  /** User part of the contact URI ("Def. Username" in `sip show peer`). */
  user: string;
  /** Granted expiry, seconds. */
  expiresSec: number;
  /** Absolute expiry, epoch ms. */
  expiresAt: number;
  /** Where the REGISTER came from (responses, OPTIONS and calls go here: NAT-friendly). */
  source: Endpoint;
  connectionId: string | null;
  callId: string;
  cseq: number;
  userAgent: string;
  q: number | null;
  instanceId: string | null;
  path: string[];
  /** First time this contact was bound, epoch ms. */
  registeredAt: number;
}

/** One `k=v` pair of the query string, escaped as URLSearchParams would read it back. */
function pair(key: string, value: string): string {
  return `${key}=${encodeURIComponent(value)}`;
}

export function encodeBindings(bindings: readonly ContactBinding[]): string {
  // Built as parts and joined once: the result is one flat string (the store keeps it for as long
  // as the registration lives; a string grown with += is a tree of pieces several times larger).
  const parts: string[] = [];
  for (let i = 0; i < bindings.length; i++) {
    const b = bindings[i] as ContactBinding;
    const contact = b.uri.includes(',') || b.uri.includes('|') ? b.uri.replace(/,/g, '%2C').replace(/\|/g, '%7C') : b.uri;
    if (i > 0) parts.push(',');
    parts.push(formatHostPort(b.source.address, b.source.port), ':', String(b.expiresSec), ':', b.user, ':', contact, '|at=', String(b.expiresAt), '&tr=', b.source.proto);
    if (b.connectionId) parts.push('&', pair('conn', b.connectionId));
    parts.push('&', pair('cid', b.callId), '&cs=', String(b.cseq));
    if (b.userAgent) parts.push('&', pair('ua', b.userAgent));
    if (b.q !== null) parts.push('&q=', String(b.q));
    if (b.instanceId) parts.push('&', pair('inst', b.instanceId));
    for (const p of b.path) parts.push('&', pair('path', p));
    parts.push('&reg=', String(b.registeredAt));
  }
  return parts.join('');
}

const PROTOS = new Set<TransportProto>(['UDP', 'TCP', 'TLS', 'WS', 'WSS']);

/** Read a stored value back; records that do not parse are skipped (returned in `bad`). */
export function decodeBindings(value: string): { bindings: ContactBinding[]; bad: number } {
  const bindings: ContactBinding[] = [];
  let bad = 0;
  for (const record of value.split(',')) {
    if (record === '') continue;
    const bar = record.indexOf('|');
    const head = bar >= 0 ? record.slice(0, bar) : record;
    const extra = new URLSearchParams(bar >= 0 ? record.slice(bar + 1) : '');
    const m = /^(\[[^\]]+\]|[^:]+):(\d+):(\d+):([^:]*):(.+)$/.exec(head);
    if (!m) {
      bad++;
      continue;
    }
    const address = m[1].startsWith('[') ? m[1].slice(1, -1) : m[1];
    const expiresSec = Number(m[3]);
    const at = Number(extra.get('at') ?? NaN);
    const proto = (extra.get('tr') ?? 'UDP').toUpperCase() as TransportProto;
    if (!Number.isFinite(at) || !PROTOS.has(proto)) {
      bad++;
      continue;
    }
    const q = extra.get('q');
    bindings.push({
      uri: m[5].replace(/%2C/g, ',').replace(/%7C/g, '|'),
      user: m[4],
      expiresSec,
      expiresAt: at,
      source: { proto, address, port: Number(m[2]) },
      connectionId: extra.get('conn') ?? null,
      callId: extra.get('cid') ?? '',
      cseq: Number(extra.get('cs') ?? 0),
      userAgent: extra.get('ua') ?? '',
      q: q === null ? null : Number(q),
      instanceId: extra.get('inst') ?? null,
      path: extra.getAll('path'),
      registeredAt: Number(extra.get('reg') ?? at),
    });
  }
  return { bindings, bad };
}
