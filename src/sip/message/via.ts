/** Via (RFC 3261 §20.42, §25.1): sent-protocol LWS sent-by *( SEMI via-params ). LWS may surround "/". */
import { badRequest } from './errors.js';
import { formatParams, isTokenChar, isWs, parseParams } from './lex.js';
import type { Via } from './types.js';
import { parseHostPort } from './uri.js';

function skipWs(s: string, i: number): number {
  while (i < s.length && isWs(s.charCodeAt(i))) i++;
  return i;
}

function readToken(s: string, i: number): number {
  while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
  return i;
}

export function parseVia(text: string): Via {
  const s = text;
  let i = skipWs(s, 0);
  const nameEnd = readToken(s, i);
  if (nameEnd === i) throw badRequest('malformed Via');
  const name = s.slice(i, nameEnd);
  i = skipWs(s, nameEnd);
  if (s.charCodeAt(i) !== 0x2f) throw badRequest('malformed Via');
  i = skipWs(s, i + 1);
  const verEnd = readToken(s, i);
  if (verEnd === i) throw badRequest('malformed Via');
  const version = s.slice(i, verEnd);
  i = skipWs(s, verEnd);
  if (s.charCodeAt(i) !== 0x2f) throw badRequest('malformed Via');
  i = skipWs(s, i + 1);
  const trEnd = readToken(s, i);
  if (trEnd === i) throw badRequest('malformed Via');
  const transport = s.slice(i, trEnd).toUpperCase();
  i = skipWs(s, trEnd);
  if (i === trEnd) throw badRequest('malformed Via');
  const hp = parseHostPort(s, i, 'Via');
  i = skipWs(s, hp.end);
  let params = new Map<string, string | null>();
  if (i < s.length) {
    if (s.charCodeAt(i) !== 0x3b) throw badRequest('malformed Via');
    params = parseParams(s.slice(i));
  }
  const protocol = name.toUpperCase() === 'SIP' && version === '2.0' ? 'SIP/2.0' : `${name}/${version}`;
  return { protocol, transport, host: hp.host, port: hp.port, params };
}

export function formatVia(via: Via): string {
  const host = via.host.indexOf(':') >= 0 ? `[${via.host}]` : via.host;
  const port = via.port === null ? '' : ':' + via.port;
  return `${via.protocol}/${via.transport} ${host}${port}${formatParams(via.params)}`;
}
