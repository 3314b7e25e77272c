/**
 * JIDs as the gateway needs them (RFC 7622 in outline): `local@domain[/resource]`. Only the
 * shape is checked — a local part, one `@`, a domain without white space or `/` — which is
 * what decides whether a buddy line or a JabberSend target can work at all.
 */
export interface Jid {
  local: string;
  domain: string;
  /** '' when absent. */
  resource: string;
}

const FORBIDDEN_LOCAL = /[\s"&'/:<>@]/;
const FORBIDDEN_DOMAIN = /[\s"&'/:<>@\\]/;

/** Parse a JID; null when it is not one (no `@`, empty parts, white space, stray characters). */
export function parseJid(text: string): Jid | null {
  const slash = text.indexOf('/');
  const bare = slash >= 0 ? text.slice(0, slash) : text;
  const resource = slash >= 0 ? text.slice(slash + 1) : '';
  const at = bare.indexOf('@');
  if (at <= 0) return null;
  const local = bare.slice(0, at);
  const domain = bare.slice(at + 1);
  if (domain === '' || FORBIDDEN_LOCAL.test(local) || FORBIDDEN_DOMAIN.test(domain)) return null;
  if (slash >= 0 && (resource === '' || /[\r\n]/.test(resource))) return null;
  if (local.length > 1023 || domain.length > 1023 || resource.length > 1023) return null;
  return { local, domain, resource };
}

/** `local@domain`, the domain lower-cased (domains compare case-insensitively; so do local parts in practice). */
export function bareJid(j: Jid): string {
  return `${j.local}@${j.domain}`.toLowerCase();
}

/** The bare part of a JID string, lower-cased ('' when there is no `@`). */
export function bareOf(text: string): string {
  const slash = text.indexOf('/');
  const bare = slash >= 0 ? text.slice(0, slash) : text;
  return bare.includes('@') ? bare.toLowerCase() : '';
}

/** The resource part of a JID string ('' when there is none). */
export function resourceOf(text: string): string {
  const slash = text.indexOf('/');
  return slash >= 0 ? text.slice(slash + 1) : '';
}
