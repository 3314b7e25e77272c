/**
 * What the stack keeps of a non-INVITE server transaction once its final response went out on an
 * unreliable transport (RFC 3261 §17.2.2, Completed): "any retransmissions of the request received
 * while in the 'Completed' state MUST be passed to the transport layer for retransmission" of the
 * final response, until Timer J (64*T1, 32 s). That takes the key it is filed under (and the
 * §8.2.2.2 merge key, so a forked copy still gets 482), the response's bytes exactly as they went
 * out (resent as they are: nothing is serialized or parsed again) and where they went. The
 * transaction object (request, response, timers, TU callbacks) is not kept: at thousands of
 * requests a second it was most of what every scavenge copied and then promoted.
 */

const SLAB_BYTES = 64 * 1024;
/** Responses larger than this get a buffer of their own instead of a place in a slab. */
const LARGEST_IN_SLAB = 8 * 1024;

/** Who removes a record from its tables when Timer J runs out. */
export interface CompletedServerTable {
  completedEnded(rec: CompletedServerRecord): void;
}

export class CompletedServerRecord {
  constructor(
    private readonly table: CompletedServerTable,
    readonly id: string,
    readonly mergeKey: string | null,
    /** The bytes sent are slab[offset, offset + length). */
    private readonly slab: Buffer,
    private readonly offset: number,
    private readonly length: number,
    /** Where they went (UDP: no connection to prefer). */
    readonly address: string,
    readonly port: number,
  ) {}

  /** Timer J ran out (the record waits in the stack's queue of 64*T1 waits). */
  onDeadline(): void {
    this.table.completedEnded(this);
  }

  /** The response exactly as it was sent. */
  get bytes(): Buffer {
    return this.slab.subarray(this.offset, this.offset + this.length);
  }
}

/**
 * Where the kept responses' bytes live. A serialized message usually sits in Node's shared 8 KB
 * Buffer pool, and one kept slice holds its whole pool chunk for 32 s together with the messages
 * serialized around it (NOTIFYs, ...): two to three times the bytes kept. Kept responses are copied
 * into slabs of their own instead; records expire in the order they were made (one Timer J for
 * all), so a slab is let go, full, once its last record has expired. A record refers to its slab
 * by offset and length, not by a Buffer view (about 100 bytes of heap each).
 */
export class ResponseSlabs {
  private slab: Buffer = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private used = 0;

  /** Copy bytes (as sent to address:port) into a slab, and the record that keeps them. */
  record(table: CompletedServerTable, id: string, mergeKey: string | null, bytes: Buffer, address: string, port: number): CompletedServerRecord {
    const n = bytes.length;
    if (n > LARGEST_IN_SLAB) {
      const own = Buffer.allocUnsafeSlow(n);
      bytes.copy(own);
      return new CompletedServerRecord(table, id, mergeKey, own, 0, n, address, port);
    }
    if (this.used + n > SLAB_BYTES) {
      this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.used = 0;
    }
    const at = this.used;
    bytes.copy(this.slab, at);
    this.used += n;
    return new CompletedServerRecord(table, id, mergeKey, this.slab, at, n, address, port);
  }
}
