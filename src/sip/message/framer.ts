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
  /**
   * Received bytes live in one growable buffer: data is buf[start, end). Searching resumes where it
   * stopped (`scanned`) and a message whose length is known (`need`) is not searched again, so a
   * peer trickling bytes one at a time costs linear, not quadratic, work.
   */
  private buf: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  private scanned = 0;
  private need = 0;

  constructor(maxMessageBytes: number) {
    this.maxMessageBytes = maxMessageBytes;
  }

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.end - this.start;
  }

  private append(chunk: Buffer): void {
    const used = this.end - this.start;
    if (this.end + chunk.length > this.buf.length) {
      if (used + chunk.length <= this.buf.length && this.start > 0) {
        this.buf.copy(this.buf, 0, this.start, this.end);
      } else {
        const bigger = Buffer.allocUnsafe(Math.max(used + chunk.length, this.buf.length * 2, 4096));
        this.buf.copy(bigger, 0, this.start, this.end);
        this.buf = bigger;
      }
      this.scanned = Math.max(0, this.scanned - this.start);
      this.start = 0;
      this.end = used;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  /** Feed a chunk; returns the complete messages it finished. Throws SipParseError (close the connection). */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) this.append(chunk);
    const out: Buffer[] = [];
    const buf = this.buf;
    for (;;) {
      if (this.need === 0) {
        // Between messages: skip CRLF keep-alives (RFC 5626 §3.5.1).
        let i = this.start;
        while (i < this.end && (buf[i] === 0x0d || buf[i] === 0x0a)) {
          if (this.onPing !== undefined && buf[i] === 0x0d) {
            if (this.end - i < 4) break; // maybe the first half of a ping: wait for the rest
            if (buf[i + 1] === 0x0a && buf[i + 2] === 0x0d && buf[i + 3] === 0x0a) {
              this.onPing();
              i += 4;
              continue;
            }
          }
          i++;
        }
        this.start = i;
        if (this.scanned < i) this.scanned = i;
        if (i >= this.end || buf[i] === 0x0d || buf[i] === 0x0a) break;
        const found = buf.subarray(0, this.end).indexOf(CRLFCRLF, Math.max(this.start, this.scanned - 3));
        if (found < 0) {
          this.scanned = this.end;
          if (this.end - this.start > this.maxMessageBytes) throw new SipParseError(513, 'Message Too Large');
          break;
        }
        const cl = findContentLength(buf.toString('latin1', this.start, found + 2));
        if (cl < 0) throw badRequest('missing Content-Length on stream');
        const total = found + 4 - this.start + cl;
        if (total > this.maxMessageBytes) throw new SipParseError(513, 'Message Too Large');
        this.need = total;
      }
      if (this.end - this.start < this.need) break;
      // A copy: the receive buffer is reused for what follows.
      out.push(Buffer.from(buf.subarray(this.start, this.start + this.need)));
      this.start += this.need;
      this.scanned = this.start;
      this.need = 0;
    }
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
      this.scanned = 0;
      // Let a buffer grown for one big message go.
      if (this.buf.length > 65536) this.buf = EMPTY;
    }
    return out;
  }
}
