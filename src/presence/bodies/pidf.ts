/**
 * application/pidf+xml (RFC 3863) with RPID (RFC 4480) and the data model (RFC 4479).
 *
 * herald form: entity = the presentity (RFC 3863 §4.1.2: "the URI of the PRESENTITY"); tuples
 * first, then the presence <note>, then <dm:person> (the schema's order: tuple*, note*, any);
 * the person carries an id (required by RFC 4479), RPID activities (on-the-phone from the
 * devices, like Asterisk's eyebeam supplement, plus the custom presence) and the presence
 * message as <dm:note>. Digium/Sangoma phones also get Asterisk's digium-presence tuple.
 *
 * asterisk form (presence_compat=asterisk): chan_sip's body byte for byte (observed §6.5/§6.6):
 * ISO-8859-1 prolog, the subscriber as entity, pp/es/ep namespaces, the digium tuple for
 * Digium phones only while presence is set.
 */
import type { PresenceInfo } from '../../state/presence-state.js';
import { chanSipWords, stateWords } from './exten-state.js';
import type { ExtenStateBodyInput } from './types.js';
import { escapeXml, xmlId } from './xml.js';

const NS_PIDF = 'urn:ietf:params:xml:ns:pidf';
const NS_DM = 'urn:ietf:params:xml:ns:pidf:data-model';
const NS_RPID = 'urn:ietf:params:xml:ns:pidf:rpid';

/**
 * Custom presence → RPID activity (RFC 4480 §3.2 has no "extended away", "chat" or "available"
 * activity): away and xa → away, dnd → busy, unavailable → away (and the tuple closed);
 * available, chat and not_set carry no activity.
 */
export function presenceActivity(state: PresenceInfo['state']): 'away' | 'busy' | null {
  switch (state) {
    case 'away':
    case 'xa':
    case 'unavailable':
      return 'away';
    case 'dnd':
      return 'busy';
    default:
      return null;
  }
}

/** PJSIP's digium supplement: type always, subtype only when set, the message as text. */
function digiumTupleHerald(p: PresenceInfo, indent: string): string {
  const sub = p.subtype !== '' ? ` subtype="${escapeXml(p.subtype)}"` : '';
  const open = `<digium_presence type="${escapeXml(p.state)}"${sub}`;
  const el = p.message !== '' ? `${open}>${escapeXml(p.message)}</digium_presence>` : `${open} />`;
  return `${indent}<tuple id="digium-presence">\n${indent} <status>\n${indent}  ${el}\n${indent} </status>\n${indent}</tuple>\n`;
}

export function buildPidf(input: ExtenStateBodyInput): string {
  return input.compat === 'asterisk' ? buildChanSipPidf(input) : buildHeraldPidf(input);
}

function buildHeraldPidf(input: ExtenStateBodyInput): string {
  const w = stateWords(input.state);
  const p = input.presence;
  const closed = w.local === 'closed' || p.state === 'unavailable';
  const activities: string[] = [];
  if (w.onThePhone) activities.push('on-the-phone');
  const pa = presenceActivity(p.state);
  if (pa !== null && !activities.includes(pa)) activities.push(pa);
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += `<presence entity="${escapeXml(input.presentityUri)}" xmlns="${NS_PIDF}" xmlns:dm="${NS_DM}" xmlns:rpid="${NS_RPID}">\n`;
  out += ` <tuple id="${escapeXml(xmlId(input.exten))}">\n`;
  out += `  <status>\n   <basic>${closed ? 'closed' : 'open'}</basic>\n  </status>\n`;
  out += `  <contact priority="1">${escapeXml(input.presentityUri)}</contact>\n`;
  out += ' </tuple>\n';
  if (input.digium) out += digiumTupleHerald(p, ' ');
  out += ` <note>${escapeXml(w.note)}</note>\n`;
  const personParts: string[] = [];
  if (activities.length > 0) {
    personParts.push(`  <rpid:activities>\n${activities.map((a) => `   <rpid:${a} />\n`).join('')}  </rpid:activities>\n`);
  }
  if (p.message !== '') personParts.push(`  <dm:note>${escapeXml(p.message)}</dm:note>\n`);
  out += personParts.length > 0 ? ` <dm:person id="person">\n${personParts.join('')} </dm:person>\n` : ' <dm:person id="person" />\n';
  out += '</presence>\n';
  return out;
}

/** chan_sip state_notify_build_xml, PIDF_XML case. */
function buildChanSipPidf(input: ExtenStateBodyInput): string {
  const w = chanSipWords(input.state, input.allDevicesUnavailable === true);
  const p = input.presence;
  // chan_sip: <basic> is open whenever the activity is busy, closed only for a CLOSED local state otherwise.
  const basic = w.activity === 'busy' ? 'open' : w.local === 'closed' ? 'closed' : 'open';
  let out = '<?xml version="1.0" encoding="ISO-8859-1"?>\n';
  out += '<presence xmlns="urn:ietf:params:xml:ns:pidf" \n';
  out += 'xmlns:pp="urn:ietf:params:xml:ns:pidf:person"\n';
  out += 'xmlns:es="urn:ietf:params:xml:ns:pidf:rpid:status:rpid-status"\n';
  out += 'xmlns:ep="urn:ietf:params:xml:ns:pidf:rpid:rpid-person"\n';
  out += `entity="${escapeXml(input.watcherUri)}">\n`;
  out += '<pp:person><status>\n';
  if (w.activity !== null) out += `<ep:activities><ep:${w.activity}/></ep:activities>\n`;
  out += '</status></pp:person>\n';
  out += `<note>${escapeXml(w.note)}</note>\n`;
  out += `<tuple id="${escapeXml(input.exten)}">\n`;
  out += `<contact priority="1">${escapeXml(input.presentityUri)}</contact>\n`;
  out += `<status><basic>${basic}</basic></status>\n`;
  out += '</tuple>\n';
  // chan_sip adds the digium tuple for Digium phones only while presence is set (not not_set/invalid).
  if (input.digium && p.state !== 'not_set' && p.state !== '') {
    out += '<tuple id="digium-presence">\n<status>\n';
    out += `<digium_presence type="${escapeXml(p.state)}" subtype="${escapeXml(p.subtype)}">${escapeXml(p.message)}</digium_presence>\n`;
    out += '</status>\n</tuple>\n';
  }
  out += '</presence>\n';
  return out;
}
