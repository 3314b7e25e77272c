/**
 * StreamFramer: cuts a TCP/TLS byte stream into SIP messages (RFC 3261 §18.3: on a stream the
 * Content-Length header is mandatory and frames the body). CRLF keep-alives between messages
 * (RFC 5626 §3.5.1 "\r\n\r\n" ping, "\r\n" pong) are skipped.
 */
import { SipParseError, badRequest } from './errors.js';
import { parseUint } from './lex.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

/** Content-Length of a header section (long or compact "l" name, any case); -1 when absent. */
function findContentLength(head: string): number {
  let found = -1;
  let pos = 0;
  while (pos < head.length) {
    let eol = head.indexOf('\n', pos);
    if (eol < 0) eol = head.length;
    const c0 = head.charCodeAt(pos) | 0x20;
    if (c0 === 0x63 || c0 === 0x6c) {
      const colon = head.indexOf(':', pos);
      if (colon > 0 && colon < eol) {
        const name = head.slice(pos, colon).trim().toLowerCase();
        if (name === 'content-length' || name === 'l') {
          const n = parseUint(head.slice(colon + 1, eol).trim(), 0x7fffffff);
          if (n < 0) throw badRequest('malformed Content-Length');
          if (found >= 0 && found !== n) throw badRequest('conflicting Content-Length');
          found = n;
        }
      }
    }
    pos = eol + 1;
  }
  return found;
}

export class StreamFramer {
  readonly maxMessageBytes: number;
  /** Called for each "\r\n\r\n" keep-alive ping seen between messages (answer with "\r\n"). */
  onPing: (() => void) | undefined;
  private pending: Buffer = EMPTY;

  constructor(maxMessageBytes: number) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.pending.length;
  }

  /** Feed a chunk; returns the complete messages it finished. Throws SipParseError (close the connection). */
  push(chunk: Buffer): Buffer[] {
    let buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      let start = 0;
      let partialPing = false;
      while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) {
        if (this.onPing !== undefined && buf[start] === 0x0d && buf.length - start < 4) {
          partialPing = true; // maybe the first half of a ping: wait for the rest
          break;
        }
        if (this.onPing !== undefined && buf[start] === 0x0d && buf[start + 1] === 0x0a && buf[start + 2] === 0x0d && buf[start + 3] === 0x0a) {
          this.onPing();
          start += 4;
        } else start++;
      }
      if (start > 0) buf = buf.subarray(start);
      if (buf.length === 0 || partialPing) break;
      const end = buf.indexOf(CRLFCRLF);
      if (end < 0) {
        if (buf.length > this.maxMessageBytes) throw new SipParseError(513, 'Message Too Large');
        break;
      }
      const headLen = end + 4;
      const cl = findContentLength(buf.toString('latin1', 0, end + 2));
      if (cl < 0) throw badRequest('missing Content-Length on stream');
      const total = headLen + cl;
      if (total > this.maxMessageBytes) throw new SipParseError(513, 'Message Too Large');
      if (buf.length < total) break;
      out.push(buf.subarray(0, total));
      buf = buf.subarray(total);
    }
    // Keep an unshared copy of a small remainder so a large chunk is not pinned by it.
    this.pending = buf.length === 0 ? EMPTY : buf.length < 4096 && buf.buffer.byteLength > 65536 ? Buffer.from(buf) : buf;
    return out;
  }
}
