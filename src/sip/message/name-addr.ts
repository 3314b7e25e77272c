/**
 * name-addr / addr-spec values of From, To, Contact, Route, Record-Route… (RFC 3261 §20.10, §25.1).
 * In addr-spec form (no <>), ';' parameters after the URI belong to the header, and the URI may
 * not carry ',', '?' or ';' of its own.
 */
import { NO_PARAMS } from './empty-maps.js';
import { badRequest } from './errors.js';
import { closingQuote, formatParams, isTokenChar, isWs, parseParamsAt, quote, trimLws, unquote } from './lex.js';
import type { NameAddr, SipUri } from './types.js';
import { formatUri, parseUriText } from './uri.js';

function emptyUri(): SipUri {
  return { scheme: '', user: null, password: null, host: '', port: null, params: new Map(), headers: new Map() };
}

/** Display name as a *(token LWS): every non-blank character must be a token character. */
function checkTokenDisplay(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isWs(c) && !isTokenChar(c)) throw badRequest('malformed display name');
  }
}

export function parseNameAddr(text: string): NameAddr {
  const s = trimLws(text);
  if (s === '*') return { displayName: null, uri: emptyUri(), params: new Map(), wildcard: true };
  if (s.length === 0) throw badRequest('empty address');
  let displayName: string | null;
  let i: number;
  if (s.charCodeAt(0) === 0x22) {
    const q = closingQuote(s, 0);
    if (q < 0) throw badRequest('unterminated quoted display name');
    displayName = unquote(s.slice(0, q + 1));
    i = q + 1;
    while (i < s.length && isWs(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 0x3c) throw badRequest('quoted display name without <URI>');
  } else {
    const lt = s.indexOf('<');
    if (lt === 0) {
      displayName = null;
      i = 0;
    } else if (lt > 0) {
      const dn = trimLws(s.slice(0, lt));
      checkTokenDisplay(dn);
      displayName = dn.length > 0 ? dn : null;
      i = lt;
    } else {
      return parseAddrSpec(s);
    }
  }
  const gt = s.indexOf('>', i);
  if (gt < 0) throw badRequest('unterminated <URI>');
  const uri = parseUriText(s.slice(i + 1, gt), true, 'address URI');
  // After the URI only `;params` may follow (LWS allowed).
  let j = gt + 1;
  while (j < s.length && isWs(s.charCodeAt(j))) j++;
  if (j < s.length && s.charCodeAt(j) !== 0x3b) throw badRequest('junk after address');
  const params = j >= s.length ? NO_PARAMS : parseParamsAt(s, j);
  return { displayName, uri, params };
}

function parseAddrSpec(s: string): NameAddr {
  const semi = s.indexOf(';');
  const uriText = semi < 0 ? s : trimLws(s.slice(0, semi));
  if (uriText.indexOf('?') >= 0 || uriText.indexOf(',') >= 0) throw badRequest('URI with headers must be enclosed in <>');
  const uri = parseUriText(uriText, true, 'address URI');
  const params = semi < 0 ? NO_PARAMS : parseParamsAt(s, semi);
  return { displayName: null, uri, params };
}

/** Always writes the name-addr form with <> and a quoted display name. */
export function formatNameAddr(na: NameAddr): string {
  if (na.wildcard === true) return '*';
  let out = '';
  if (na.displayName !== null && na.displayName.length > 0) out = quote(na.displayName) + ' ';
  return out + '<' + formatUri(na.uri) + '>' + formatParams(na.params);
}
