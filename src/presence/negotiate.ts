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

/**
 * The Event header's package name (token before any ;param), lower-cased; null when absent.
 * A package herald serves comes back as the shared constant (not a piece of the message).
 */
export function eventPackage(value: string | undefined): string | null {
  if (value === undefined) return null;
  const semi = value.indexOf(';');
  const name = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  const known = EVENT_PACKAGES.indexOf(name as EventPackage);
  if (known >= 0) return EVENT_PACKAGES[known] as EventPackage;
  return name.length > 0 ? name : null;
}

export function isEventPackage(name: string | null): name is EventPackage {
  return name !== null && (EVENT_PACKAGES as readonly string[]).includes(name);
}

export type Negotiation = { readonly ok: true; readonly type: BodyType } | { readonly ok: false; readonly status: 489 | 406; readonly reason: string };

/** The successful answers, one shared object per body type (no object per SUBSCRIBE). */
const SERVES = new Map<BodyType, Negotiation>();
for (const t of [...EXTEN_TYPES, MWI_TYPE]) {
  const answer: Negotiation = { ok: true, type: t };
  SERVES.set(t, Object.freeze(answer));
}
function serves(type: BodyType): Negotiation {
  return SERVES.get(type) as Negotiation;
}

/** The media type of one Accept value, lower-cased, parameters dropped ('' when empty). */
function mediaType(value: string): string {
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/** Whether any Accept value names a media type. */
function anyType(accept: string[]): boolean {
  for (const a of accept) if (mediaType(a).length > 0) return true;
  return false;
}

export function negotiateBody(event: EventPackage, accept: string[], hasAccept: boolean, userAgent: string, compat: PresenceCompat): Negotiation {
  if (event === 'message-summary') {
    // chan_sip and RFC 3842: only simple-message-summary; another explicit Accept is 406.
    if (!hasAccept || !anyType(accept)) return serves(MWI_TYPE);
    for (const a of accept) {
      const t = mediaType(a);
      if (t === MWI_TYPE || t === '*/*' || t === 'application/*') return serves(MWI_TYPE);
    }
    return { ok: false, status: 406, reason: 'Not Acceptable' };
  }
  if (compat === 'asterisk') {
    if (!hasAccept) return { ok: false, status: 489, reason: 'Bad Event' };
    const joined = accept.join(',').toLowerCase();
    if (joined.includes('application/pidf+xml')) {
      return serves(userAgent.includes('Polycom') ? 'application/xpidf+xml' : 'application/pidf+xml');
    }
    if (joined.includes('application/dialog-info+xml')) return serves('application/dialog-info+xml');
    if (joined.includes('application/cpim-pidf+xml')) return serves('application/cpim-pidf+xml');
    if (joined.includes('application/xpidf+xml')) return serves('application/xpidf+xml');
    return { ok: false, status: 489, reason: `Bad Event (format ${accept.join(', ')})`.replace(/[\r\n]/g, ' ') };
  }
  const fallback: BodyType = event === 'dialog' ? 'application/dialog-info+xml' : 'application/pidf+xml';
  if (!hasAccept) return serves(fallback);
  let named = false;
  for (const a of accept) {
    const t = mediaType(a);
    if (t.length === 0) continue;
    named = true;
    // The shared constant, not the Accept header's text (a slice of the whole message).
    const known = EXTEN_TYPES.indexOf(t as BodyType);
    if (known >= 0) return serves(EXTEN_TYPES[known] as BodyType);
    if (t === '*/*' || t === 'application/*') return serves(fallback);
  }
  return named ? { ok: false, status: 489, reason: 'Bad Event' } : serves(fallback);
}
