/** `host:port` as SIP and the CLI write it: IPv6 literals in brackets (RFC 3261 §25, RFC 2732). */
export function formatHostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
