/**
 * application/xpidf+xml and application/cpim-pidf+xml: the pre-standard XPIDF document (Polycom
 * and old Microsoft clients). PJSIP serves both media types with the same document (reference
 * §4.5); chan_sip's form adds a DOCTYPE and writes priority="0.800000".
 *
 * status/substatus: OPEN → open/online, INUSE → inuse/onthephone, CLOSED → closed/offline.
 */
import { chanSipWords, stateWords, type LocalState } from './exten-state.js';
import type { ExtenStateBodyInput } from './types.js';
import { escapeXml } from './xml.js';

const SUBSTATUS: Record<LocalState, string> = { open: 'online', inuse: 'onthephone', closed: 'offline' };

export function buildXpidf(input: ExtenStateBodyInput): string {
  if (input.compat === 'asterisk') {
    const w = chanSipWords(input.state, input.allDevicesUnavailable === true);
    let out = '<?xml version="1.0"?>\n';
    out += '<!DOCTYPE presence PUBLIC "-//IETF//DTD RFCxxxx XPIDF 1.0//EN" "xpidf.dtd">\n';
    out += '<presence>\n';
    out += `<presentity uri="${escapeXml(input.watcherUri)};method=SUBSCRIBE" />\n`;
    out += `<atom id="${escapeXml(input.exten)}">\n`;
    out += `<address uri="${escapeXml(input.presentityUri)};user=ip" priority="0.800000">\n`;
    out += `<status status="${w.local}" />\n`;
    out += `<msnsubstatus substatus="${SUBSTATUS[w.local]}" />\n`;
    out += '</address>\n</atom>\n</presence>\n';
    return out;
  }
  const w = stateWords(input.state);
  const local: LocalState = input.presence.state === 'unavailable' ? 'closed' : w.local;
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n';
  out += '<presence>\n';
  out += ` <presentity uri="${escapeXml(input.presentityUri)};method=SUBSCRIBE" />\n`;
  out += ` <atom atomid="${escapeXml(input.exten)}" id="${escapeXml(input.exten)}">\n`;
  out += `  <address uri="${escapeXml(input.presentityUri)};user=ip" priority="0.80000">\n`;
  out += `   <status status="${local}" />\n`;
  out += `   <msnsubstatus substatus="${SUBSTATUS[local]}" />\n`;
  out += '  </address>\n </atom>\n</presence>\n';
  return out;
}
