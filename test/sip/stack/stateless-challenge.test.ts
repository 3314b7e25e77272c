/**
 * The digest challenges of REGISTER and SUBSCRIBE are sent statelessly (RFC 3261 §8.2.7): nothing
 * stays in the transaction table for Timer J, and a retransmitted request gets a 401 again with
 * the same To tag. Real registrar and SUBSCRIBE authentication over the stack and a fake transport.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { EventBus } from '../../../src/core/bus.js';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { parseConfText } from '../../../src/config/lexer.js';
import { authenticateSubscribe } from '../../../src/presence/authenticate.js';
import { LocationService } from '../../../src/registrar/location.js';
import { PeerRegistry } from '../../../src/registrar/peers.js';
import { Registrar } from '../../../src/registrar/register.js';
import { DigestAuthenticator } from '../../../src/sip/auth/digest.js';
import { loadSipConf } from '../../../src/sip/config/sip-conf.js';
import type { SipResponse } from '../../../src/sip/message/index.js';
import { createSipStack } from '../../../src/sip/stack.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { FakeTransport, requestText } from '../transaction/fake-transport.js';

const CONF = '[general]\nrealm = asterisk\n[alice]\ntype = friend\nhost = dynamic\nsecret = alicepass\n';

function setup() {
  const clock = new FakeClock();
  const transport = new FakeTransport();
  const log = silentLogger();
  const stack = createSipStack({ transport, clock, log });
  const conf = loadSipConf(parseConfText(CONF, 'sip.conf'));
  const peers = new PeerRegistry(conf);
  const auth = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 300000, now: () => clock.wallNow() });
  const bus = new EventBus();
  const location = new LocationService({ store: new MemoryStore(), clock, bus, log });
  const registrar = new Registrar({ peers, location, bus, log, clock, general: () => conf.general, auth: () => auth });
  stack.handle('REGISTER', registrar.handle);
  stack.handle('SUBSCRIBE', (req, ctx) => {
    if (!ctx.tx) return;
    const peer = authenticateSubscribe({ general: () => conf.general, getPeer: (n) => peers.get(n), auth: () => auth }, req, ctx.tx, ctx.inbound.source);
    if (peer) ctx.tx.reply(489, 'Bad Event');
  });
  return { clock, transport, stack };
}

function challenged(transport: FakeTransport): SipResponse[] {
  const res = transport.responses();
  transport.take();
  return res;
}

for (const method of ['REGISTER', 'SUBSCRIBE']) {
  describe(`stateless ${method} challenge (RFC 3261 §8.2.7)`, () => {
    it('keeps no transaction and answers a retransmission with the same To tag', () => {
      const { clock, transport, stack } = setup();
      const text = requestText({
        method,
        branch: `z9hG4bK-${method}-1`,
        uri: 'sip:127.0.0.1',
        extra: ['Contact: <sip:alice@192.0.2.9:5070>', 'Event: presence', 'Expires: 60'],
      }).replace(/sip:alice@192\.0\.2\.9>;tag/, 'sip:alice@127.0.0.1>;tag');
      transport.inject(text);
      const [first] = challenged(transport);
      assert.equal(first?.status, 401);
      assert.match(first?.headers.get('WWW-Authenticate') ?? '', /^Digest /);
      assert.ok(first?.toTag);
      assert.equal(stack.stats().serverTransactions, 0, 'no transaction left after the challenge');
      assert.equal(clock.pending(), 0, 'no Timer J');
      transport.inject(text);
      const [again] = challenged(transport);
      assert.equal(again?.status, 401);
      assert.equal(again?.toTag, first?.toTag);
      assert.equal(stack.stats().serverTransactions, 0);
    });
  });
}
