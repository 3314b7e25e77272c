import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from '../../src/core/bus.js';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { LocationService, EXPIRY_GRACE_MS } from '../../src/registrar/location.js';
import type { ContactBinding } from '../../src/registrar/binding.js';

function binding(clock: FakeClock, expiresSec: number, uri = 'sip:6002@127.0.0.1:5093'): ContactBinding {
  const now = clock.wallNow();
  return {
    uri, user: '6002', expiresSec, expiresAt: now + expiresSec * 1000, source: { proto: 'UDP', address: '127.0.0.1', port: 5093 },
    connectionId: null, callId: 'c', cseq: 1, userAgent: 'ua', q: null, instanceId: null, path: [], registeredAt: now,
  };
}

test('expiry: a refresh pushes expiry out without a new timer; the contact goes after expiry + grace', async () => {
  const clock = new FakeClock();
  const bus = new EventBus();
  const store = new MemoryStore();
  const loc = new LocationService({ store, clock, bus, log: silentLogger() });
  const events: string[] = [];
  bus.on('PeerRegistration', (e) => events.push(`${e.peer}:${e.reason}:${e.contacts}`));
  await loc.set('6002', '6002', [binding(clock, 60)]);
  assert.equal(clock.pending(), 1);
  clock.advance(30_000);
  await loc.set('6002', '6002', [binding(clock, 60)]);
  assert.equal(clock.pending(), 1, 'still one timer');
  clock.advance(30_000 + EXPIRY_GRACE_MS + 1); // the first timer fires, finds nothing expired, re-arms
  assert.equal(loc.contacts('6002').length, 1);
  assert.equal(clock.pending(), 1);
  clock.advance(30_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(loc.contacts('6002').length, 0);
  assert.equal(store.get('SIP/Registry', '6002'), undefined);
  assert.deepEqual(events, ['6002:expire:0']);
  assert.equal(clock.pending(), 0);
});

test('expiry of one of several contacts keeps the others', async () => {
  const clock = new FakeClock();
  const loc = new LocationService({ store: new MemoryStore(), clock, bus: new EventBus(), log: silentLogger() });
  await loc.set('multi', 'multi', [binding(clock, 60, 'sip:a@h'), binding(clock, 600, 'sip:b@h')]);
  clock.advance(60_000 + EXPIRY_GRACE_MS + 1);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(loc.contacts('multi').map((b) => b.uri), ['sip:b@h']);
  await loc.close();
  assert.equal(clock.pending(), 0, 'close clears timers');
});

test('writes gathered for writeDelayMs go to the store in one turn, one write per peer', async () => {
  const clock = new FakeClock();
  const store = new MemoryStore();
  const puts: string[] = [];
  const realPut = store.put.bind(store);
  store.put = (family: string, key: string, value: string) => {
    puts.push(key);
    return realPut(family, key, value);
  };
  const loc = new LocationService({ store, clock, bus: new EventBus(), log: silentLogger(), writeDelayMs: 5 });
  let done = 0;
  const track = (p: Promise<void>): void => {
    void p.then(() => done++);
  };
  track(loc.set('a', 'a', [binding(clock, 60, 'sip:a@h')]));
  track(loc.set('b', 'b', [binding(clock, 60, 'sip:b@h')]));
  track(loc.set('a', 'a', [binding(clock, 120, 'sip:a2@h')]));
  await new Promise((r) => setImmediate(r));
  assert.equal(done, 0, 'nothing acknowledged before the write');
  assert.deepEqual(puts, []);
  assert.equal(loc.contacts('a')[0].uri, 'sip:a2@h', 'memory is current at once');
  clock.advance(5);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(puts, ['a', 'b']);
  assert.equal(done, 3);
  assert.match(store.get('SIP/Registry', 'a') ?? '', /sip:a2@h/);
  track(loc.set('b', 'b', []));
  await loc.close();
  assert.equal(store.get('SIP/Registry', 'b'), undefined, 'close flushes queued writes');
});
