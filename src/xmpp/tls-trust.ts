/**
 * Per-account trust for a private CA (`cafile=`). @xmpp/client has no TLS options: its
 * STARTTLS upgrade calls `tls.connect({ socket, host })` itself. herald wraps `tls.connect` once
 * and adds `ca: [...tls.rootCertificates, pem]` only for the plain sockets an account registered
 * here, so other TLS users in the process are untouched and certificates are still verified.
 * For xmpps:// (TLS from the first byte) the account passes the CA in the socket parameters.
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';

const extraCa = new WeakMap<Socket, string>();
let installed = false;

/** Root certificates plus one PEM. */
export function caList(pem: string): string[] {
  return [...tls.rootCertificates, pem];
}

function install(): void {
  if (installed) return;
  installed = true;
  const original = tls.connect;
  const wrapped = ((...args: unknown[]) => {
    const first = args[0];
    if (typeof first === 'object' && first !== null && 'socket' in first) {
      const opts = first as tls.ConnectionOptions;
      const pem = opts.socket ? extraCa.get(opts.socket as Socket) : undefined;
      if (pem !== undefined && opts.ca === undefined) {
        return original({ ...opts, ca: caList(pem) }, ...(args.slice(1) as [() => void]));
      }
    }
    return (original as (...a: unknown[]) => tls.TLSSocket)(...args);
  }) as typeof tls.connect;
  tls.connect = wrapped;
}

/** Trust `pem` when this plain socket is upgraded with STARTTLS. */
export function trustForSocket(socket: Socket, pem: string): void {
  install();
  extraCa.set(socket, pem);
}
