/**
 * What makes the notifier scale, checked for behaviour: the compact stored record (and reading
 * the old format), the single-timer expiry queue, gathered store writes, and a fan-out to more
 * watchers than one chunk — every watcher notified, the first chunk at once, one body shared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { parseConfText } from '../../src/config/lexer.js';
import { loadSipConf } from '../../src/sip/config/sip-conf.js';
import { DigestAuthenticator } from '../../src/sip/auth/digest.js';
import { parseMessage, SipResponse, type SipRequest } from '../../src/sip/message/index.js';
import type { ClientTransactionHandlers, RequestContext, ServerTransaction, SipStack } from '../../src/sip/transaction/types.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { ExpiryQueue, type Expiring } from '../../src/presence/expiry.js';
import { randomTag } from '../../src/presence/intern.js';
import { decodeRecord, encodeRecord, SUBSCRIPTION_FAMILY, SubscriptionStore, type SubscriptionRecord } from '../../src/presence/record.js';
import { FANOUT_CHUNK, SubscriptionServer, type HintUpdate, type HintView } from '../../src/presence/subscriptions.js';

function record(over: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return {
    id: 'abc123',
    event: 'presence',
    eventHeader: 'presence',
    bodyType: 'application/pidf+xml',
    peer: '2000',
    context: 'from-internal',
    exten: '6002',
    mailbox: null,
    account: null,
    userAgent: 'Phone/1.0',
    digium: false,
    compat: 'herald',
    expiresSec: 600,
    expiresAt: 1_800_000_000_000,
    version: 3,
    lastState: 1,
    lastPresence: { state: 'away', subtype: 'lunch', message: 'back at 2' },
    createdAt: 1_799_999_400_000,
    dialog: {
      callId: 'c1@host',
      localTag: 'lt1',
      remoteTag: 'rt1',
      localAddress: '<sip:6002@127.0.0.1>',
      remoteAddress: '"Bob" <sip:2000@127.0.0.1>',
      localUri: 'sip:6002@127.0.0.1',
      remoteUri: 'sip:2000@127.0.0.1',
      remoteTarget: 'sip:2000@127.0.0.1:5999',
      routeSet: ['<sip:proxy;lr>'],
      localCseq: 105,
      remoteCseq: 2,
      dest: { proto: 'UDP', address: '127.0.0.1', port: 5999 },
      connectionId: null,
      contact: 'sip:6002@127.0.0.1:5060',
    },
    ...over,
  };
}

/** Format 2 of record() as herald wrote it before format 3 (stored data must still load). */
const RECORD_V2 =
  '[2,"presence",0,"pidf+xml","2000","from-internal","6002",null,null,"Phone/1.0",0,"herald",600,1800000000000,3,1,"away","lunch","back at 2",1799999400000,' +
  '"c1@host","lt1","rt1","<sip:6002@127.0.0.1>","\\"Bob\\" <sip:2000@127.0.0.1>",0,"sip:2000@127.0.0.1","sip:2000@127.0.0.1:5999",["<sip:proxy;lr>"],105,2,"UDP","127.0.0.1",5999,null,"sip:6002@127.0.0.1:5060"]';

test('stored record: compact format round-trips; the formats of older versions are still read', () => {
  const rec = record();
  const text = encodeRecord(rec);
  assert.ok(text.length < 300, `compact (${text.length} bytes)`);
  assert.deepEqual(decodeRecord(text, rec.id), rec);
  const mwi = record({ event: 'message-summary', eventHeader: 'message-summary;id=1', bodyType: 'application/simple-message-summary', mailbox: '2000@default', account: 'sip:asterisk@127.0.0.1' });
  assert.deepEqual(decodeRecord(encodeRecord(mwi), mwi.id), mwi);
  // A TCP dialog through a proxy, with its own Contact parameters and another body type.
  const tcp = record({
    bodyType: 'application/xpidf+xml',
    compat: 'asterisk',
    digium: true,
    dialog: { ...record().dialog, dest: { proto: 'TCP', address: '::1', port: 5070 }, connectionId: 'c7', remoteTarget: 'sip:2000@[::1]:5070;transport=tcp', contact: 'sip:herald@[::1]:5060;transport=tcp' },
  });
  assert.deepEqual(decodeRecord(encodeRecord(tcp), tcp.id), tcp);
  const v1 = JSON.stringify({ v: 1, ...rec });
  assert.deepEqual(decodeRecord(v1, 'ignored'), rec);
  assert.deepEqual(decodeRecord(RECORD_V2, rec.id), rec);
  assert.equal(decodeRecord('[2,"presence"]', 'x'), null);
  assert.equal(decodeRecord('[3,0]', 'x'), null);
  assert.equal(decodeRecord('not json', 'x'), null);
  assert.equal(decodeRecord(RECORD_V2.replace('"UDP"', '"SCTP"'), rec.id), null);
  assert.equal(decodeRecord(encodeRecord(tcp).replace('"TCP"', '"SCTP"'), tcp.id), null);
});

test('stored record: what a typical phone subscription leaves out (defaults, derived URIs, its local tag as key)', () => {
  const rec = record({
    id: 'a1b2c3d4e5f60718',
    lastPresence: { state: 'not_set', subtype: '', message: '' },
    createdAt: 1_800_000_000_000 - 600_000,
    dialog: { ...record().dialog, localTag: 'a1b2c3d4e5f60718', remoteAddress: '<sip:2000@127.0.0.1>', routeSet: [] },
  });
  const text = encodeRecord(rec);
  assert.ok(text.length < 180, `compact (${text.length} bytes): ${text}`);
  for (const derived of ['a1b2c3d4e5f60718', 'sip:2000@127.0.0.1:5999', 'not_set', '<sip:2000@', '<sip:6002@']) assert.ok(!text.includes(derived), `${derived} in ${text}`);
  assert.deepEqual(decodeRecord(text, rec.id), rec);
  // A From/To in another form, or a To in another domain than the From, is kept as written.
  const other = record({ dialog: { ...rec.dialog, remoteAddress: '<sip:2000@pbx.example.com;transport=tcp>', localAddress: '<sip:6002@10.0.0.1>', localUri: 'sip:6002@10.0.0.1' } });
  assert.deepEqual(decodeRecord(encodeRecord(other), other.id), other);
  const named = record({ dialog: { ...rec.dialog, remoteAddress: '"@x" <sip:2000@h>', remoteUri: 'sip:2000@h', localAddress: '<sip:6002@h>', localUri: 'sip:6002@h' } });
  assert.deepEqual(decodeRecord(encodeRecord(named), named.id), named);
});

test('expiry queue: one clock timer, items expire at their time in order; moved and removed ones follow', () => {
  const clock = new FakeClock();
  const expired: string[] = [];
  type Item = Expiring & { name: string; at: number };
  const q = new ExpiryQueue<Item>(clock, (i) => i.at, (i) => expired.push(i.name));
  const at = (s: number): number => clock.wallNow() + s * 1000;
  const item = (name: string, s: number): Item => ({ name, at: at(s), expiryIndex: -1 });
  const a = item('a', 30);
  const b = item('b', 10);
  const c = item('c', 20);
  q.schedule(a);
  q.schedule(b);
  q.schedule(c);
  assert.equal(clock.pending(), 1);
  b.at = at(40); // refreshed: moved in place, not queued twice
  q.schedule(b);
  assert.equal(q.size, 3);
  q.remove(c); // ended: out at once
  assert.equal(q.size, 2);
  assert.equal(c.expiryIndex, -1);
  clock.advance(29_999);
  assert.deepEqual(expired, []);
  clock.advance(1);
  assert.deepEqual(expired, ['a']);
  clock.advance(10_000);
  assert.deepEqual(expired, ['a', 'b']);
  assert.equal(clock.pending(), 0);
  assert.equal(q.size, 0);
});

test('expiry queue: many items in random order and random moves and removals expire in due order', () => {
  const clock = new FakeClock();
  const expired: number[] = [];
  type Item = Expiring & { at: number };
  const q = new ExpiryQueue<Item>(clock, (i) => i.at, (i) => expired.push(i.at));
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const items: Item[] = [];
  for (let i = 0; i < 500; i++) {
    const it = { at: clock.wallNow() + 1 + rand(100_000), expiryIndex: -1 };
    items.push(it);
    q.schedule(it);
  }
  for (let i = 0; i < 200; i++) {
    const it = items[rand(items.length)] as Item;
    it.at = clock.wallNow() + 1 + rand(100_000);
    q.schedule(it);
  }
  const removed = new Set<Item>();
  for (let i = 0; i < 100; i++) {
    const it = items[rand(items.length)] as Item;
    q.remove(it);
    removed.add(it);
  }
  clock.advance(100_001);
  assert.equal(expired.length, 500 - removed.size);
  assert.deepEqual(expired, [...expired].sort((x, y) => x - y));
  assert.equal(q.size, 0);
});

test('gathered store writes: one batch after the delay, the latest state of each record, deletes gathered too and cancelling a queued write', async () => {
  const clock = new FakeClock();
  const mem = new MemoryStore();
  const store = new SubscriptionStore(mem, silentLogger(), { clock, writeDelayMs: 10 });
  let committed = 0;
  const r1 = record({ id: 'one' });
  const r2 = record({ id: 'two' });
  void store.put(r1).then(() => committed++);
  void store.put(r2).then(() => committed++);
  r1.dialog.localCseq = 200;
  void store.put(r1).then(() => committed++);
  assert.equal(mem.entries(SUBSCRIPTION_FAMILY).length, 0, 'nothing written before the delay');
  clock.advance(10);
  await new Promise((r) => setImmediate(r));
  assert.equal(committed, 3);
  assert.equal(decodeRecord(mem.get(SUBSCRIPTION_FAMILY, 'one') ?? '', 'one')?.dialog.localCseq, 200);
  void store.put(record({ id: 'three' }));
  store.remove('three');
  store.remove('one');
  assert.notEqual(mem.get(SUBSCRIPTION_FAMILY, 'one'), undefined, 'the delete is gathered too');
  clock.advance(10);
  await new Promise((r) => setImmediate(r));
  assert.equal(mem.get(SUBSCRIPTION_FAMILY, 'three'), undefined);
  assert.equal(mem.get(SUBSCRIPTION_FAMILY, 'one'), undefined);
  store.update(record({ id: 'four' }));
  store.markClean(); // writes what is gathered first
  await new Promise((r) => setImmediate(r));
  assert.notEqual(mem.get(SUBSCRIPTION_FAMILY, 'four'), undefined);
});

test('gathered store writes share one commit promise; a failed commit rejects every put of the batch', async () => {
  const clock = new FakeClock();
  const mem = new MemoryStore();
  const store = new SubscriptionStore(mem, silentLogger(), { clock, writeDelayMs: 10 });
  const p1 = store.put(record({ id: 'a' }));
  const p2 = store.put(record({ id: 'b' }));
  assert.equal(p1, p2, 'one promise for the batch');
  clock.advance(10);
  await p1;
  assert.notEqual(mem.get(SUBSCRIPTION_FAMILY, 'b'), undefined);
  await mem.close(); // every later write fails
  const p3 = store.put(record({ id: 'c' }));
  const p4 = store.put(record({ id: 'd' }));
  clock.advance(10);
  await assert.rejects(p3);
  await assert.rejects(p4);
});

test('local tags: 16 hex digits (64 random bits), no repeats in 100,000', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i++) {
    const tag = randomTag();
    assert.match(tag, /^[0-9a-f]{16}$/);
    seen.add(tag);
  }
  assert.equal(seen.size, 100_000);
});

test(`fan-out to more watchers than one chunk (${FANOUT_CHUNK}): the first chunk at once, the rest on later turns, one body for all`, async () => {
  const conf = loadSipConf(parseConfText('[general]\nsubminexpiry=1\n[2000]\ntype=friend\nhost=dynamic\ncontext=from-internal\n', 'sip.conf'));
  const clock = new FakeClock();
  const sent: Array<{ req: SipRequest; h: ClientTransactionHandlers }> = [];
  const stack = { request: (req: SipRequest, _d: unknown, h: ClientTransactionHandlers) => (sent.push({ req, h }), { id: '', request: req, cancel: () => undefined }) } as unknown as SipStack;
  let view: HintView = { devices: ['SIP/6002'], state: 0, presence: { state: 'not_set', subtype: '', message: '' } };
  const watchers = new Set<(u: HintUpdate) => void>();
  let finds = 0;
  const hints = {
    find: () => (finds++, { ...view, presence: { ...view.presence } }),
    watch: (_c: string, _e: string, cb: (u: HintUpdate) => void) => (watchers.add(cb), () => watchers.delete(cb)),
    deviceState: () => 'NOT_INUSE',
  };
  const log = silentLogger();
  const server = new SubscriptionServer({
    stack: () => stack,
    general: () => conf.general,
    getPeer: (n) => conf.peers.get(n.toLowerCase()),
    auth: () => new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 300000, now: () => clock.wallNow() }),
    hints,
    store: new SubscriptionStore(new MemoryStore(), log),
    clock,
    log,
  });
  const count = FANOUT_CHUNK * 3 + 5;
  for (let i = 0; i < count; i++) {
    const text =
      `SUBSCRIBE sip:6002@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKf${i}\r\n` +
      `From: <sip:2000@127.0.0.1>;tag=f${i}\r\nTo: <sip:6002@127.0.0.1>\r\nCall-ID: fan-${i}\r\nCSeq: 1 SUBSCRIBE\r\n` +
      'Contact: <sip:2000@127.0.0.1:5999>\r\nEvent: presence\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n';
    const req = parseMessage(Buffer.from(text)) as SipRequest;
    const tx = { request: req, respond: () => undefined, reply: () => new SipResponse(500, '') } as unknown as ServerTransaction;
    const ep = { proto: 'UDP' as const, address: '127.0.0.1', port: 5999 };
    const ctx: RequestContext = { inbound: { msg: req, source: ep, local: { ...ep, port: 5060 }, connectionId: null, raw: Buffer.alloc(0) }, tx };
    server.handle(req, ctx);
  }
  await new Promise((r) => setImmediate(r));
  assert.equal(sent.length, count, 'initial NOTIFYs');
  assert.equal(watchers.size, 1, 'one hint watch for all its subscribers');
  for (const n of sent.splice(0)) n.h.onFinal(new SipResponse(200, 'OK'));
  finds = 0;
  view = { ...view, state: 1 };
  for (const cb of watchers) cb({ state: 1, reason: 'device' });
  assert.equal(sent.length, FANOUT_CHUNK, 'the first chunk goes out before the hint engine gets control back');
  for (let turn = 0; turn < 10 && sent.length < count; turn++) await new Promise((r) => setImmediate(r));
  assert.equal(sent.length, count, 'every watcher notified');
  assert.equal(finds, 1, 'the hint is read once per change');
  assert.ok(sent.every((n) => n.req.body === sent[0]?.req.body), 'one body buffer for every watcher');
  assert.match(sent[0]?.req.body.toString() ?? '', /On the phone/);
  assert.equal(new Set(sent.map((n) => n.req.callId)).size, count);
  server.close();
});
