/**
 * Reading a published PIDF document (RFC 3863) with RPID (RFC 4480) and the data model
 * (RFC 4479), and mapping it onto herald's presence values.
 *
 * What is read:
 *  - every <tuple>'s <status><basic>open|closed</basic> (RFC 3863 §4.1.4);
 *  - <im:im> inside <status> (RFC 3862's instant-messaging status: busy, away …);
 *  - <rpid:activities> anywhere (normally in <dm:person>, RFC 4480 §3.2), each child's local name;
 *  - notes: <dm:note> of a person, <rpid:note> in activities, the document-level <note>, then
 *    the first tuple's <note>, in that order of preference (RFC 4479 §6 puts the person's note
 *    first for a human reader).
 * Elements are matched by namespace URI, never by prefix, so `impp:`, `rp:`, `r:` or a default
 * namespace all work. A document whose root <presence> has no namespace is also accepted
 * (older phones omit it); for such documents every element is taken in the PIDF namespace, and
 * XPIDF's `<status status="open|closed"/>` is understood too.
 *
 * Mapping to herald presence (state, subtype, message):
 *
 *   all tuples closed (basic closed)           → unavailable  (activities are ignored)
 *   open (or no basic) + activity:
 *     busy, on-the-phone, meeting, appointment,
 *     performance, presentation, worship       → dnd
 *     vacation, holiday, permanent-absence,
 *     sleeping                                 → xa
 *     away, breakfast, lunch, dinner, meal,
 *     in-transit, travel, shopping, steering,
 *     playing, spectator, tv                   → away
 *     working, unknown, looking-for-work,
 *     other, anything else                     → no effect (treated as no activity)
 *   open + no (effective) activity              → available
 *   im:im busy → dnd, im:im away → away (when no RPID activity decided)
 *   no basic at all and no activity            → not_set  (the document says nothing)
 * Several activities: the one whose state ranks highest in Asterisk's aggregation order
 * (dnd > xa > away) wins. The subtype is the winning activity's name (e.g. 'on-the-phone'),
 * '' otherwise; the message is the chosen note, whitespace-collapsed, at most 255 bytes
 * (PRESENCE_STATE's decoded field limit).
 *
 * RFC 3863 §4.4: an element marked mustUnderstand="true"|"1" that the reader does not know
 * makes the whole document fail; herald knows the PIDF, data-model, RPID and IM namespaces.
 *
 * Anything that is not well-formed XML, or whose root is not <presence>, throws PidfError
 * (the PUBLISH handler answers 400 and changes nothing).
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { HeraldError } from '../../core/errors.js';

export const NS_PIDF = 'urn:ietf:params:xml:ns:pidf';
export const NS_DATA_MODEL = 'urn:ietf:params:xml:ns:pidf:data-model';
export const NS_RPID = 'urn:ietf:params:xml:ns:pidf:rpid';
export const NS_IM = 'urn:ietf:params:xml:ns:pidf:im';

/** The presence values a publication can produce (a subset of the engine's). */
export type PublishedState = 'not_set' | 'unavailable' | 'available' | 'away' | 'xa' | 'dnd';

export interface PidfDocument {
  /** The `entity` attribute of <presence> ('' when absent). */
  entity: string;
  /** basic status of each tuple, in document order ('open' | 'closed'; unknown words skipped). */
  basics: Array<'open' | 'closed'>;
  /** RPID activity local names, in document order. */
  activities: string[];
  /** <im:im> values (RFC 3862), trimmed and lower-cased. */
  im: string[];
  /** The chosen note ('' when none). */
  note: string;
}

export interface PublishedPresence {
  state: PublishedState;
  subtype: string;
  message: string;
}

/** A body that is not a usable PIDF document. */
export class PidfError extends HeraldError {
  constructor(message: string) {
    super('PIDF_INVALID', message, { sipStatus: 400 });
    this.name = 'PidfError';
  }
}

/** Bounds so a hostile body cannot make us do unbounded work beyond its own size. */
const MAX_ELEMENTS = 10_000;
const MAX_NOTE_BYTES = 255;

/** Namespaces whose elements herald reads or knowingly skips (mustUnderstand is fine there). */
const KNOWN_NAMESPACES: ReadonlySet<string> = new Set([NS_PIDF, NS_DATA_MODEL, NS_RPID, NS_IM, '']);

const ACTIVITY_STATE: ReadonlyMap<string, Exclude<PublishedState, 'not_set' | 'unavailable' | 'available'>> = new Map([
  ['busy', 'dnd'],
  ['on-the-phone', 'dnd'],
  ['meeting', 'dnd'],
  ['appointment', 'dnd'],
  ['performance', 'dnd'],
  ['presentation', 'dnd'],
  ['worship', 'dnd'],
  ['vacation', 'xa'],
  ['holiday', 'xa'],
  ['permanent-absence', 'xa'],
  ['sleeping', 'xa'],
  ['away', 'away'],
  ['breakfast', 'away'],
  ['lunch', 'away'],
  ['dinner', 'away'],
  ['meal', 'away'],
  ['in-transit', 'away'],
  ['travel', 'away'],
  ['shopping', 'away'],
  ['steering', 'away'],
  ['playing', 'away'],
  ['spectator', 'away'],
  ['tv', 'away'],
]);

/** Asterisk's aggregation rank (reference §1.5) for the states a publication can give. */
const RANK: Record<PublishedState, number> = { not_set: 1, available: 2, unavailable: 3, away: 5, xa: 6, dnd: 7 };

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cut to at most `max` UTF-8 bytes without splitting a character. */
function truncateUtf8(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > max) break;
    out += ch;
    bytes += n;
  }
  return out;
}

type NoteSource = 'person' | 'activities' | 'presence' | 'tuple';
const NOTE_ORDER: NoteSource[] = ['person', 'activities', 'presence', 'tuple'];

/** Parse a PIDF body. Throws PidfError when it is not well-formed or not a <presence> document. */
export function parsePidf(body: Buffer | string): PidfDocument {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const parser = new SaxesParser({ xmlns: true, position: true });
  const doc: PidfDocument = { entity: '', basics: [], activities: [], im: [], note: '' };
  const notes = new Map<NoteSource, string>();
  /** Open elements as [namespace, local name]. */
  const stack: Array<[string, string]> = [];
  let pidfNs = NS_PIDF;
  let elements = 0;
  let textBuf = '';
  let failure: string | null = null;

  const inside = (ns: string, local: string): boolean => stack.some(([n, l]) => n === ns && l === local);
  const parentIs = (ns: string, local: string): boolean => {
    const p = stack[stack.length - 2];
    return p !== undefined && p[0] === ns && p[1] === local;
  };

  parser.on('error', (err) => {
    failure ??= err.message;
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (failure !== null) return;
    if (++elements > MAX_ELEMENTS) {
      failure = `more than ${MAX_ELEMENTS} elements`;
      return;
    }
    const ns = tag.uri;
    const local = tag.local;
    if (stack.length === 0) {
      if (local !== 'presence' || (ns !== NS_PIDF && ns !== '')) {
        failure = `root element is {${ns}}${local}, not a PIDF <presence>`;
        return;
      }
      pidfNs = ns;
      doc.entity = tag.attributes.entity?.value ?? '';
    }
    const must = Object.values(tag.attributes).find((a) => a.local === 'mustUnderstand' && a.uri === NS_PIDF);
    if (must !== undefined && /^(1|true)$/.test(must.value.trim()) && !KNOWN_NAMESPACES.has(ns)) {
      failure = `element {${ns}}${local} must be understood and is not`;
      return;
    }
    stack.push([ns, local]);
    textBuf = '';
    // XPIDF (no namespace): <address><status status="open"/></address>.
    if (pidfNs === '' && ns === '' && local === 'status') {
      const v = (tag.attributes.status?.value ?? '').trim().toLowerCase();
      if (v === 'open' || v === 'closed') doc.basics.push(v);
    }
    if (ns === NS_RPID && parentIs(NS_RPID, 'activities') && local !== 'note') {
      doc.activities.push(local);
    }
  });
  parser.on('text', (t) => {
    if (failure === null && textBuf.length < 4096) textBuf += t;
  });
  parser.on('cdata', (t) => {
    if (failure === null && textBuf.length < 4096) textBuf += t;
  });
  parser.on('closetag', (tag: SaxesTagNS) => {
    if (failure !== null) return;
    const ns = tag.uri;
    const local = tag.local;
    const value = collapse(textBuf);
    if (ns === pidfNs && local === 'basic' && inside(pidfNs, 'status')) {
      const v = value.toLowerCase();
      if (v === 'open' || v === 'closed') doc.basics.push(v);
    } else if (ns === NS_IM && local === 'im') {
      if (value !== '') doc.im.push(value.toLowerCase());
    } else if (local === 'note' && value !== '') {
      let source: NoteSource | null = null;
      if (ns === NS_DATA_MODEL && inside(NS_DATA_MODEL, 'person')) source = 'person';
      else if (ns === NS_RPID && parentIs(NS_RPID, 'activities')) source = 'activities';
      else if (ns === pidfNs && stack.length === 2) source = 'presence';
      else if (ns === pidfNs && parentIs(pidfNs, 'tuple')) source = 'tuple';
      if (source !== null && !notes.has(source)) notes.set(source, value);
    }
    stack.pop();
    textBuf = '';
  });

  try {
    parser.write(text).close();
  } catch (err) {
    failure ??= err instanceof Error ? err.message : String(err);
  }
  if (failure === null && elements === 0) failure = 'no root element';
  if (failure !== null) throw new PidfError(`malformed PIDF: ${failure}`);
  for (const source of NOTE_ORDER) {
    const n = notes.get(source);
    if (n !== undefined) {
      doc.note = truncateUtf8(n, MAX_NOTE_BYTES);
      break;
    }
  }
  return doc;
}

/** Map a parsed document to herald presence per the table at the top of this file. */
export function pidfToPresence(doc: PidfDocument): PublishedPresence {
  const message = doc.note;
  const anyOpen = doc.basics.includes('open');
  if (doc.basics.length > 0 && !anyOpen) return { state: 'unavailable', subtype: '', message };
  let best: { state: PublishedState; subtype: string } | null = null;
  for (const activity of doc.activities) {
    const state = ACTIVITY_STATE.get(activity);
    if (state !== undefined && (best === null || RANK[state] > RANK[best.state])) best = { state, subtype: activity };
  }
  if (best === null) {
    for (const v of doc.im) {
      const state: PublishedState | null = v === 'busy' ? 'dnd' : v === 'away' ? 'away' : null;
      if (state !== null && (best === null || RANK[state] > RANK[best.state])) best = { state, subtype: '' };
    }
  }
  if (best !== null) return { state: best.state, subtype: best.subtype, message };
  if (anyOpen) return { state: 'available', subtype: '', message };
  return { state: 'not_set', subtype: '', message };
}

/** parsePidf then pidfToPresence. */
export function presenceFromPidf(body: Buffer | string): PublishedPresence {
  return pidfToPresence(parsePidf(body));
}
