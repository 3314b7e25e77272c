// A SipTransport double for the in-process CPU benches (no sockets): inbound datagrams are
// injected as if received on 127.0.0.1:5060, outbound messages are serialized as the UDP
// transport would and kept (the last one, or every one with keepAll).

export class FakeTransport {
  handler = null;
  /** Every serialized message since the last reset, when keepAll. */
  sent = [];
  last = null;
  count = 0;
  local = { proto: 'UDP', address: '127.0.0.1', port: 5060 };

  /** message: the build's src/sip/message/index.js module (serializeMessage, parseMessage). */
  constructor(message, { keepAll = false } = {}) {
    this.message = message;
    this.keepAll = keepAll;
  }
  send(msg) {
    this.sendBytes(this.message.serializeMessage(msg));
  }
  /** Bytes the stack already holds (a completed transaction's response): kept as they are, as the UDP transport sends them. */
  sendBytes(bytes) {
    this.last = bytes;
    this.count++;
    if (this.keepAll) this.sent.push(bytes);
  }
  localEndpoint() {
    return this.local;
  }
  onMessage(h) {
    this.handler = h;
  }
  onBadMessage() {}
  onTrace() {}
  async close() {}
  inject(buf, port) {
    this.handler({ msg: this.message.parseMessage(buf), source: { proto: 'UDP', address: '127.0.0.1', port }, local: this.local, connectionId: null, raw: buf });
  }
}
