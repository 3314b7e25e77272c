/**
 * §8.1.3.3 for responses to our own requests: Via, CSeq and Call-ID are checked before matching;
 * From, To and Contact only for methods whose transaction users read them (stack.ts PARTIES_UNREAD).
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { createSipStack } from '../../../src/sip/stack.js';
import { FakeTransport, outgoingRequest, PEER_UDP, responseText } from '../transaction/fake-transport.js';

function setup() {
  const transport = new FakeTransport();
  const stack = createSipStack({ transport, clock: new FakeClock(), log: silentLogger() });
  return { transport, stack };
}

/** A To without its closing '>': parseNameAddr rejects it. */
function brokenTo(text: string): string {
  return text.replace(/\r\nTo: [^\r]*/, '\r\nTo: <sip:bob@192.0.2.9;tag=x');
}

describe('SIP stack: validating responses to our requests', () => {
  it('drops a response with a malformed To or From when its method\'s users read them', () => {
    const { transport, stack } = setup();
    for (const method of ['SUBSCRIBE', 'INVITE', 'REGISTER', 'REFER', 'UPDATE']) {
      let finals = 0;
      const tx = stack.request(outgoingRequest(method), PEER_UDP, { onFinal: () => finals++ });
      transport.inject(brokenTo(responseText(tx.request, 200, 'OK')));
      transport.inject(responseText(tx.request, 200, 'OK').replace(/\r\nFrom: [^\r]*/, '\r\nFrom: <sip:a@b'));
      assert.equal(finals, 0, method);
      transport.inject(responseText(tx.request, 200, 'OK'));
      assert.equal(finals, 1, method);
      transport.take();
    }
  });

  it('passes a NOTIFY, OPTIONS or BYE response with a malformed To on (their users read neither)', () => {
    const { transport, stack } = setup();
    for (const method of ['NOTIFY', 'OPTIONS', 'BYE']) {
      const statuses: number[] = [];
      const tx = stack.request(outgoingRequest(method), PEER_UDP, { onFinal: (res) => statuses.push(res.status) });
      transport.inject(brokenTo(responseText(tx.request, 481, 'Gone')));
      assert.deepEqual(statuses, [481], method);
      transport.take();
    }
  });

  it('still drops a NOTIFY response with a malformed CSeq or Call-ID, or two Vias', () => {
    const { transport, stack } = setup();
    let finals = 0;
    const tx = stack.request(outgoingRequest('NOTIFY', 2), PEER_UDP, { onFinal: () => finals++ });
    const ok = responseText(tx.request, 200, 'OK');
    transport.inject(ok.replace(/\r\nCSeq: [^\r]*/, '\r\nCSeq: x NOTIFY'));
    transport.inject(ok.replace(/\r\nCall-ID: [^\r]*/, '\r\nCall-ID: '));
    transport.inject(ok.replace('Via:', 'Via: SIP/2.0/UDP 203.0.113.1;branch=z9hG4bKextra\r\nVia:'));
    assert.equal(finals, 0);
    transport.inject(ok);
    assert.equal(finals, 1);
  });
});
