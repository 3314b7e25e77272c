/**
 * Which event package and body a SUBSCRIBE gets (RFC 6665 §4.2.1, RFC 3856, RFC 4235, RFC 3842).
 *
 * herald: the first Accept value that the package can serve wins (PJSIP: several Accept headers
 * are read in order); no Accept header means the package default (RFC 6665 §8.2.1 says a
 * package names its default: presence → pidf, dialog → dialog-info, message-summary →
 * simple-message-summary). presence and dialog serve each other's documents, as PJSIP does.
 * asterisk (chan_sip): a presence/dialog SUBSCRIBE without Accept is 489; the types are
 * searched in chan_sip's priority order (pidf, dialog-info, cpim-pidf, xpidf), Polycom phones
 * get xpidf instead of pidf.
 */
import type { BodyType, PresenceCompat } from './bodies/types.js';

export type EventPackage = 'presence' | 'dialog' | 'message-summary';

export const EVENT_PACKAGES: readonly EventPackage[] = ['presence', 'dialog', 'message-summary'];
/** Allow-Events value (RFC 6665 §4.2.1.2: a 489 MUST carry it). */
export const ALLOW_EVENTS = 'presence, dialog, message-summary';

const EXTEN_TYPES: readonly BodyType[] = [
  'application/pidf+xml',
  'application/dialog-info+xml',
  'application/xpidf+xml',
  'application/cpim-pidf+xml',
];
const MWI_TYPE: BodyType = 'application/simple-message-summary';

/** The Event header's package name (token before any ;param), lower-cased; null when absent. */
export function eventPackage(value: string | undefined): string | null {
  if (value === undefined) return null;
  const name = (value.split(';')[0] as string).trim().toLowerCase();
  return name.length > 0 ? name : null;
}

export function isEventPackage(name: string | null): name is EventPackage {
  return name !== null && (EVENT_PACKAGES as readonly string[]).includes(name);
}

export type Negotiation = { ok: true; type: BodyType } | { ok: false; status: 489 | 406; reason: string };

/** Media types of the Accept values, lower-cased, parameters dropped, in order. */
function acceptTypes(accept: string[]): string[] {
  return accept.map((a) => (a.split(';')[0] as string).trim().toLowerCase()).filter((a) => a.length > 0);
}

export function negotiateBody(event: EventPackage, accept: string[], hasAccept: boolean, userAgent: string, compat: PresenceCompat): Negotiation {
  const types = acceptTypes(accept);
  if (event === 'message-summary') {
    // chan_sip and RFC 3842: only simple-message-summary; another explicit Accept is 406.
    if (!hasAccept || types.length === 0 || types.includes(MWI_TYPE) || types.includes('*/*') || types.includes('application/*')) {
      return { ok: true, type: MWI_TYPE };
    }
    return { ok: false, status: 406, reason: 'Not Acceptable' };
  }
  if (compat === 'asterisk') {
    if (!hasAccept) return { ok: false, status: 489, reason: 'Bad Event' };
    const joined = accept.join(',').toLowerCase();
    if (joined.includes('application/pidf+xml')) {
      return { ok: true, type: userAgent.includes('Polycom') ? 'application/xpidf+xml' : 'application/pidf+xml' };
    }
    if (joined.includes('application/dialog-info+xml')) return { ok: true, type: 'application/dialog-info+xml' };
    if (joined.includes('application/cpim-pidf+xml')) return { ok: true, type: 'application/cpim-pidf+xml' };
    if (joined.includes('application/xpidf+xml')) return { ok: true, type: 'application/xpidf+xml' };
    return { ok: false, status: 489, reason: `Bad Event (format ${accept.join(', ')})`.replace(/[\r\n]/g, ' ') };
  }
  const fallback: BodyType = event === 'dialog' ? 'application/dialog-info+xml' : 'application/pidf+xml';
  if (!hasAccept || types.length === 0) return { ok: true, type: fallback };
  for (const t of types) {
    if ((EXTEN_TYPES as readonly string[]).includes(t)) return { ok: true, type: t as BodyType };
    if (t === '*/*' || t === 'application/*') return { ok: true, type: fallback };
  }
  return { ok: false, status: 489, reason: 'Bad Event' };
}
