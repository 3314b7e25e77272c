// UDP datagrams the kernel dropped because a receive buffer was full: what tells a bench's lost
// messages from the server's own failures (Linux /proc; -1 elsewhere).
import { readFileSync } from 'node:fs';

/** Datagrams the kernel dropped for a full receive buffer, machine-wide (Linux /proc/net/snmp; -1 elsewhere). */
export function udpReceiveBufferErrors() {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp: '));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    return Number(values[names.indexOf('RcvbufErrors')]);
  } catch {
    return -1;
  }
}

/** Datagrams dropped on the UDP socket bound to 127.0.0.1:`port` (Linux /proc/net/udp; -1 when unknown). */
export function udpSocketDrops(port) {
  try {
    const want = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1] === want) return Number(f[f.length - 1]);
    }
  } catch {
    // not Linux
  }
  return -1;
}
