/** Via (RFC 3261 §20.42, §25.1): sent-protocol LWS sent-by *( SEMI via-params ). LWS may surround "/". */
import { NO_PARAMS } from './empty-maps.js';
import { badRequest } from './errors.js';
import { formatParams, isTokenChar, parseParamsAt, skipLws, upper } from './lex.js';
import type { Params, Via } from './types.js';
import { parseHostPortInto, type HostPort } from './uri.js';

/** parseVia's host[:port] result, read before the next Via is parsed. */
const viaHostPort: HostPort = { host: '', port: null, end: 0 };

function readToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

export function parseVia(text: string): Via {
  const s = text;
  let i = skipLws(s, 0);
  const nameEnd = readToken(s, i);
  if (nameEnd === i) throw badRequest('malformed Via');
  const nameStart = i;
  i = skipLws(s, nameEnd);
  if (s.charCodeAt(i) !== 0x2f) throw badRequest('malformed Via');
  i = skipLws(s, i + 1);
  const verEnd = readToken(s, i);
  if (verEnd === i) throw badRequest('malformed Via');
  const versionStart = i;
  i = skipLws(s, verEnd);
  if (s.charCodeAt(i) !== 0x2f) throw badRequest('malformed Via');
  i = skipLws(s, i + 1);
  const trEnd = readToken(s, i);
  if (trEnd === i) throw badRequest('malformed Via');
  const transport = upper(s.slice(i, trEnd));
  i = skipLws(s, trEnd);
  if (i === trEnd) throw badRequest('malformed Via');
  const hp = viaHostPort;
  parseHostPortInto(s, i, 'Via', hp);
  i = skipLws(s, hp.end);
  // One Map per Via with parameters (every RFC 3261 Via has a branch); the shared empty one otherwise.
  let params: Params;
  if (i < s.length) {
    if (s.charCodeAt(i) !== 0x3b) throw badRequest('malformed Via');
    params = parseParamsAt(s, i);
  } else params = NO_PARAMS;
  // The usual "SIP/2.0" is returned as a constant; anything else as written.
  const isSip2 =
    nameEnd - nameStart === 3 && verEnd - versionStart === 3 && upper(s.slice(nameStart, nameEnd)) === 'SIP' && s.startsWith('2.0', versionStart);
  const protocol = isSip2 ? 'SIP/2.0' : `${s.slice(nameStart, nameEnd)}/${s.slice(versionStart, verEnd)}`;
  return { protocol, transport, host: hp.host, port: hp.port, params };
}

export function formatVia(via: Via): string {
  const host = via.host.indexOf(':') >= 0 ? `[${via.host}]` : via.host;
  const port = via.port === null ? '' : ':' + via.port;
  return `${via.protocol}/${via.transport} ${host}${port}${formatParams(via.params)}`;
}
