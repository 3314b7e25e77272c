/**
 * The notifier with a fake stack, clock, store and hints: NOTIFY failure policy, expiry,
 * hint removal, refresh, fetch, ordering, store-before-200 and restore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import { parseConfText } from '../../src/config/lexer.js';
import { loadSipConf, type SipConf } from '../../src/sip/config/sip-conf.js';
import { DigestAuthenticator } from '../../src/sip/auth/digest.js';
import { parseMessage, SipResponse, type SipRequest } from '../../src/sip/message/index.js';
import type { ClientTransactionHandlers, RequestContext, ServerTransaction, SipStack } from '../../src/sip/transaction/types.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { SubscriptionStore, SUBSCRIPTION_FAMILY } from '../../src/presence/record.js';
import { MAX_NOTIFY_TIMEOUTS, SubscriptionServer, type HintUpdate, type HintView } from '../../src/presence/subscriptions.js';

const CONF = `[general]
bindport=5060
subminexpiry=1
[2000]
type=friend
host=dynamic
context=from-internal
mailbox=2000@default
`;

interface SentNotify {
  req: SipRequest;
  h: ClientTransactionHandlers;
}

class FakeHints {
  hints = new Map<string, HintView>();
  watchers = new Map<string, Set<(u: HintUpdate) => void>>();
  find(context: string, exten: string): HintView | undefined {
    return this.hints.get(`${exten}@${context}`);
  }
  watch(context: string, exten: string, cb: (u: HintUpdate) => void): () => void {
    const k = `${exten}@${context}`;
    if (!this.hints.has(k)) throw new Error('no hint');
    let set = this.watchers.get(k);
    if (!set) this.watchers.set(k, (set = new Set()));
    set.add(cb);
    return () => set?.delete(cb);
  }
  deviceState(): string {
    return 'NOT_INUSE';
  }
  set(exten: string, state: number, reason: HintUpdate['reason'] = 'device'): void {
    const k = `${exten}@from-internal`;
    if (reason === 'removed') this.hints.delete(k);
    else this.hints.set(k, { devices: [`SIP/${exten}`], state, presence: { state: 'not_set', subtype: '', message: '' } });
    for (const cb of [...(this.watchers.get(k) ?? [])]) cb({ state, reason });
  }
}

function world(store = new MemoryStore(), clock = new FakeClock()) {
  const conf: SipConf = loadSipConf(parseConfText(CONF, 'sip.conf'));
  const sent: SentNotify[] = [];
  const stack = {
    request: (req: SipRequest, _dest: unknown, h: ClientTransactionHandlers) => {
      sent.push({ req, h });
      return { id: String(sent.length), request: req, cancel: () => undefined };
    },
  } as unknown as SipStack;
  const hints = new FakeHints();
  hints.set('6002', 4);
  const log = silentLogger();
  const auth = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 300000, now: () => clock.wallNow() });
  const server = new SubscriptionServer({
    stack: () => stack,
    general: () => conf.general,
    getPeer: (n) => conf.peers.get(n.toLowerCase()),
    auth: () => auth,
    hints,
    store: new SubscriptionStore(store, log),
    clock,
    log,
  });
  return { server, sent, hints, clock, store };
}

let seq = 0;
function subscribe(
  server: SubscriptionServer,
  opts: { expires?: number; toTag?: string; callId?: string; cseq?: number; event?: string; accept?: string; userAgent?: string } = {},
): { responses: SipResponse[]; callId: string } {
  seq += 1;
  const callId = opts.callId ?? `call-${seq}`;
  const text =
    `SUBSCRIBE sip:6002@127.0.0.1:5060 SIP/2.0\r\n` +
    `Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKt${seq};rport\r\n` +
    `From: <sip:2000@127.0.0.1>;tag=from${callId}\r\n` +
    `To: <sip:6002@127.0.0.1>${opts.toTag ? `;tag=${opts.toTag}` : ''}\r\n` +
    `Call-ID: ${callId}\r\nCSeq: ${opts.cseq ?? 1} SUBSCRIBE\r\nContact: <sip:2000@127.0.0.1:5999>\r\nMax-Forwards: 70\r\n` +
    `Event: ${opts.event ?? 'presence'}\r\n` +
    (opts.expires !== undefined ? `Expires: ${opts.expires}\r\n` : '') +
    (opts.accept !== undefined ? `Accept: ${opts.accept}\r\n` : '') +
    (opts.userAgent !== undefined ? `User-Agent: ${opts.userAgent}\r\n` : '') +
    'Content-Length: 0\r\n\r\n';
  const req = parseMessage(Buffer.from(text)) as SipRequest;
  const responses: SipResponse[] = [];
  const tx = {
    request: req,
    respond: (res: SipResponse) => responses.push(res),
    reply: (status: number, reason?: string, headers?: Array<[string, string]>) => {
      const res = new SipResponse(status, reason ?? '');
      for (const [n, v] of headers ?? []) res.headers.append(n, v);
      responses.push(res);
      return res;
    },
  } as unknown as ServerTransaction;
  const ep = { proto: 'UDP' as const, address: '127.0.0.1', port: 5999 };
  const ctx: RequestContext = { inbound: { msg: req, source: ep, local: { ...ep, port: 5060 }, connectionId: null, raw: Buffer.alloc(0) }, tx };
  server.handle(req, ctx);
  return { responses, callId };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
const answer = (n: SentNotify, status: number, headers: Array<[string, string]> = []): void => {
  const res = new SipResponse(status, 'x');
  for (const [k, v] of headers) res.headers.append(k, v);
  n.h.onFinal(res);
};

async function active(w: ReturnType<typeof world>, expires = 600): Promise<{ toTag: string; callId: string }> {
  const s = subscribe(w.server, { expires });
  await tick();
  const ok = s.responses.at(-1);
  assert.equal(ok?.status, 200);
  return { toTag: ok?.toTag ?? '', callId: s.callId };
}

test('the subscription is in the store before the 200 goes out', async () => {
  const w = world();
  const s = subscribe(w.server, { expires: 600 });
  assert.equal(s.responses.length, 0, 'no answer before the store write');
  assert.equal(w.store.entries(SUBSCRIPTION_FAMILY).length, 1);
  await tick();
  assert.equal(s.responses[0]?.status, 200);
  assert.equal(w.sent.length, 1);
});

test(`${MAX_NOTIFY_TIMEOUTS} NOTIFY timeouts in a row end a subscription, fewer do not; one NOTIFY in flight at a time`, async () => {
  const w = world();
  await active(w);
  w.hints.set('6002', 0);
  w.hints.set('6002', 1);
  assert.equal(w.sent.length, 1, 'nothing new while the first NOTIFY is out');
  w.sent[0]?.h.onTimeout?.();
  assert.equal(w.sent.length, 2, 'two changes while one NOTIFY was out → one NOTIFY with the newest state');
  assert.match(w.sent[1]?.req.body.toString() ?? '', /On the phone/);
  w.sent[1]?.h.onTimeout?.();
  assert.equal(w.server.count(), 1);
  w.hints.set('6002', 0);
  answer(w.sent[2] as SentNotify, 200); // resets the count
  w.hints.set('6002', 1);
  w.sent[3]?.h.onTimeout?.();
  w.hints.set('6002', 0);
  w.sent[4]?.h.onTimeout?.();
  assert.equal(w.server.count(), 1);
  w.hints.set('6002', 1);
  w.sent[5]?.h.onTimeout?.();
  assert.equal(w.server.count(), 0);
  assert.equal(w.store.entries(SUBSCRIPTION_FAMILY).length, 0);
  const cseqs = w.sent.map((n) => n.req.cseq.seq);
  assert.deepEqual(cseqs, [102, 103, 104, 105, 106, 107]);
});

test('NOTIFY errors: 481 and an error without Retry-After end it, Retry-After keeps it', async () => {
  for (const [status, headers, kept] of [
    [481, [], false],
    [500, [], false],
    [503, [['Retry-After', '30']], true],
    [407, [], true],
  ] as Array<[number, Array<[string, string]>, boolean]>) {
    const w = world();
    await active(w);
    answer(w.sent[0] as SentNotify, status, headers);
    assert.equal(w.server.count(), kept ? 1 : 0, `${status}`);
  }
});

test('expiry sends terminated;reason=timeout; hint removal noresource; refresh NOTIFY; unsubscribe terminated', async () => {
  const w = world();
  await active(w, 60);
  answer(w.sent[0] as SentNotify, 200);
  w.clock.advance(59_000);
  assert.equal(w.sent.length, 1);
  w.clock.advance(1_000);
  assert.equal(w.sent[1]?.req.headers.get('Subscription-State'), 'terminated;reason=timeout');
  assert.equal(w.server.count(), 0);

  await active(w, 600);
  answer(w.sent.at(-1) as SentNotify, 200);
  w.hints.set('6002', 0, 'removed');
  assert.equal(w.sent.at(-1)?.req.headers.get('Subscription-State'), 'terminated;reason=noresource');
  assert.equal(w.server.count(), 0);

  w.hints.set('6002', 0);
  const b = await active(w, 600);
  answer(w.sent.at(-1) as SentNotify, 200);
  const before = w.sent.length;
  const refresh = subscribe(w.server, { expires: 120, toTag: b.toTag, callId: b.callId, cseq: 2 });
  assert.equal(refresh.responses[0]?.status, 200);
  assert.equal(refresh.responses[0]?.headers.get('Expires'), '120');
  assert.equal(w.sent.length, before + 1);
  assert.equal(w.sent.at(-1)?.req.headers.get('Subscription-State'), 'active;expires=120');
  answer(w.sent.at(-1) as SentNotify, 200);
  const stale = subscribe(w.server, { expires: 120, toTag: b.toTag, callId: b.callId, cseq: 2 });
  assert.equal(stale.responses[0]?.status, 500, 'CSeq must grow');
  const other = subscribe(w.server, { expires: 120, toTag: b.toTag, callId: b.callId, cseq: 3, event: 'dialog' });
  assert.equal(other.responses[0]?.status, 489);
  const un = subscribe(w.server, { expires: 0, toTag: b.toTag, callId: b.callId, cseq: 4 });
  assert.equal(un.responses[0]?.status, 200);
  assert.equal(w.sent.at(-1)?.req.headers.get('Subscription-State'), 'terminated');
  assert.equal(w.server.count(), 0);
});

test('an initial Expires: 0 is a fetch: 200 and one terminated NOTIFY, nothing kept', async () => {
  const w = world();
  const s = subscribe(w.server, { expires: 0 });
  assert.equal(s.responses[0]?.status, 200);
  assert.equal(w.sent.length, 1);
  assert.equal(w.sent[0]?.req.headers.get('Subscription-State'), 'terminated;reason=timeout');
  assert.equal(w.server.count(), 0);
  assert.equal(w.store.entries(SUBSCRIPTION_FAMILY).length, 0);
});

test('restore: same dialog and CSeq continue; NOTIFY only if the state changed; missing hints wait for the dialplan', async () => {
  const store = new MemoryStore();
  const clock = new FakeClock();
  const w1 = world(store, clock);
  await active(w1, 600);
  answer(w1.sent[0] as SentNotify, 200);
  w1.hints.set('6002', 0);
  answer(w1.sent[1] as SentNotify, 200);
  await tick();
  w1.server.close();

  // Same state after the restart: no NOTIFY, timer re-armed.
  const w2 = world(store, clock);
  w2.hints.set('6002', 0);
  const store2 = new SubscriptionStore(store, silentLogger());
  assert.deepEqual(w2.server.restore(store2.loadAll()), { restored: 1, expired: 0 });
  assert.equal(w2.sent.length, 0);
  w2.hints.set('6002', 8);
  const n = w2.sent[0]?.req;
  assert.equal(n?.cseq.seq, 104);
  assert.equal(n?.callId, w1.sent[0]?.req.callId);
  assert.equal(n?.fromTag, w1.sent[0]?.req.fromTag);
  w2.server.close();

  // Hint missing at restore: attached on retryPending; gone for good → noresource.
  const w3 = world(store, clock);
  w3.hints.hints.clear();
  assert.deepEqual(w3.server.restore(new SubscriptionStore(store, silentLogger()).loadAll()), { restored: 1, expired: 0 });
  w3.hints.set('6002', 1);
  w3.server.retryPending();
  assert.match(w3.sent[0]?.req.body.toString() ?? '', /On the phone/);
  w3.server.close();

  const w4 = world(store, clock);
  w4.hints.hints.clear();
  w4.server.restore(new SubscriptionStore(store, silentLogger()).loadAll());
  w4.server.retryPending();
  assert.equal(w4.sent[0]?.req.headers.get('Subscription-State'), 'terminated;reason=noresource');
  await tick();
  assert.equal(new SubscriptionStore(store, silentLogger()).loadAll().length, 0);

  // After a crash (no clean mark) CSeq and version jump ahead so they still only grow.
  const wc = world(store, clock);
  const crashStore = new SubscriptionStore(store, silentLogger());
  assert.equal(crashStore.takeCleanMark(), true, 'w3 closed cleanly');
  await tick();
  assert.equal(crashStore.takeCleanMark(), false, 'the mark is taken once');
  const sub = await active(wc, 600);
  answer(wc.sent.at(-1) as SentNotify, 200);
  const lastCseq = wc.sent.at(-1)?.req.cseq.seq ?? 0;
  const recs = crashStore.loadAll().filter((r) => r.dialog.callId === sub.callId);
  const wc2 = world(store, clock);
  wc2.server.restore(recs, false);
  wc2.hints.set('6002', 16);
  // Stored at subscribe time: 101; the margin makes the next one 1102, above the 102 already sent.
  assert.equal(lastCseq, 102);
  assert.equal(wc2.sent[0]?.req.cseq.seq, 1102);

  // Expired while down: deleted, not restored.
  const w5 = world(store, clock);
  await active(w5, 60);
  w5.server.close();
  clock.advance(61_000);
  const w6 = world(store, clock);
  // (the 600 s subscription of the crash case is still valid, the 60 s one is not)
  assert.deepEqual(w6.server.restore(new SubscriptionStore(store, silentLogger()).loadAll()), { restored: 1, expired: 1 });
});

test('presence-only changes: PIDF subscribers are notified, dialog-info ones not (their body is unchanged)', async () => {
  const w = world();
  subscribe(w.server, { expires: 600 });
  subscribe(w.server, { expires: 600, event: 'dialog' });
  await tick();
  assert.equal(w.sent.length, 2);
  for (const n of w.sent) answer(n, 200);
  w.hints.set('6002', 4, 'presence');
  assert.equal(w.sent.length, 3);
  assert.equal(w.sent[2]?.req.headers.get('Content-Type'), 'application/pidf+xml');
  w.hints.set('6002', 0, 'device');
  assert.equal(w.sent.length, 4, 'the PIDF one is still in flight, the dialog one goes');
  assert.equal(w.sent[3]?.req.headers.get('Content-Type'), 'application/dialog-info+xml');
  assert.match(w.sent[3]?.req.body.toString() ?? '', /version="1"/);
});

test('Accept negotiation: first usable type, dialog-info under Event: presence, xpidf, 489 for none', async () => {
  const w = world();
  const types: string[] = [];
  for (const accept of ['application/xpidf+xml, application/pidf+xml', 'application/dialog-info+xml', 'application/cpim-pidf+xml', '*/*']) {
    const s = subscribe(w.server, { expires: 600, accept });
    await tick();
    assert.equal(s.responses.at(-1)?.status, 200, accept);
    types.push(w.sent.at(-1)?.req.headers.get('Content-Type') ?? '');
  }
  assert.deepEqual(types, ['application/xpidf+xml', 'application/dialog-info+xml', 'application/cpim-pidf+xml', 'application/pidf+xml']);
  const bad = subscribe(w.server, { expires: 600, accept: 'application/simple-message-summary' });
  assert.equal(bad.responses[0]?.status, 489);
  assert.equal(bad.responses[0]?.headers.get('Allow-Events'), 'presence, dialog, message-summary');
});
