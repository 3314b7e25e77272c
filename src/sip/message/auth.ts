/**
 * Digest challenges and credentials (RFC 3261 §20.7, §20.27, §20.44; RFC 2617 §3.2):
 * `Digest realm="x", nonce="y", …`. These headers are not comma lists: the commas separate params.
 */
import { badRequest } from './errors.js';
import { isToken, isWs, quote, splitTopLevel, trimLws, unquote } from './lex.js';
import type { AuthHeader } from './types.js';

export function parseAuthHeader(text: string): AuthHeader {
  const s = trimLws(text);
  let sp = 0;
  while (sp < s.length && !isWs(s.charCodeAt(sp))) sp++;
  const scheme = s.slice(0, sp);
  if (!isToken(scheme)) throw badRequest('malformed authentication header');
  const params = new Map<string, string>();
  const rest = trimLws(s.slice(sp));
  if (rest.length === 0) return { scheme, params };
  for (const part of splitTopLevel(rest, 0x2c)) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw badRequest('malformed authentication parameter');
    const name = trimLws(part.slice(0, eq)).toLowerCase();
    if (!isToken(name)) throw badRequest('malformed authentication parameter');
    params.set(name, unquote(trimLws(part.slice(eq + 1))));
  }
  return { scheme, params };
}

/**
 * The Digest credentials to check among a request's Authorization values: the ones for `realm`,
 * else the first Digest ones (whose realm then fails the check), else null. Other schemes are
 * skipped; a malformed value throws the parser's 400.
 */
export function findDigestCredentials(authorizationValues: readonly string[], realm: string): Map<string, string> | null {
  let first: Map<string, string> | null = null;
  for (const value of authorizationValues) {
    const h = parseAuthHeader(value);
    if (h.scheme.toLowerCase() !== 'digest') continue;
    if (h.params.get('realm') === realm) return h.params;
    first ??= h.params;
  }
  return first;
}

/** Parameters written without quotes (RFC 2617: algorithm, nc, stale; qop in credentials). */
const UNQUOTED = new Set(['algorithm', 'nc', 'stale']);

/**
 * Writes `Scheme a="b", c=d`. qop is unquoted in credentials (when nc is present) and quoted in
 * challenges, as RFC 2617 §3.2.1/§3.2.2 require.
 */
export function formatAuthHeader(h: AuthHeader): string {
  const isCredentials = h.params.has('nc');
  const parts: string[] = [];
  for (const [k, v] of h.params) {
    const bare = UNQUOTED.has(k) || (k === 'qop' && isCredentials);
    parts.push(`${k}=${bare ? v : quote(v)}`);
  }
  return parts.length === 0 ? h.scheme : `${h.scheme} ${parts.join(', ')}`;
}
