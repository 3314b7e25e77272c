import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDigestResponse, DigestAuthenticator } from '../../../src/sip/auth/digest.js';

// The authenticator remembers nonces it issued lately (and those already used) to skip their
// HMAC; these check the cache never changes an answer.

function nonceOf(challenge: string): string {
  return /nonce="([^"]+)"/.exec(challenge)?.[1] ?? '';
}

function answer(nonce: string, nc: string, password = 'pw'): Map<string, string> {
  const response = computeDigestResponse({
    algorithm: 'MD5', username: 'u', realm: 'asterisk', password, method: 'SUBSCRIBE', uri: 'sip:lamp@h',
    nonce, qop: 'auth', nc, cnonce: 'cn',
  });
  return new Map([
    ['username', 'u'], ['realm', 'asterisk'], ['nonce', nonce], ['uri', 'sip:lamp@h'], ['qop', 'auth'],
    ['nc', nc], ['cnonce', 'cn'], ['algorithm', 'MD5'], ['response', response],
  ]);
}

const cred = { secret: 'pw', md5secret: null };
const make = (): DigestAuthenticator =>
  new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 300_000, now: () => 1e12 });

test('a nonce pushed out of the issued-nonce cache still verifies by its signature', () => {
  const a = make();
  const first = nonceOf(a.challenge()[0] ?? '');
  for (let i = 0; i < 25_000; i++) a.challenge();
  assert.deepEqual(a.verify(answer(first, '00000001'), 'SUBSCRIBE', cred), { ok: true, algorithm: 'MD5' });
});

test('forged, altered and foreign nonces are refused with or without the cache', () => {
  const a = make();
  const other = make();
  const nonce = nonceOf(a.challenge()[0] ?? '');
  const altered = `${nonce.slice(0, 19)}${nonce[19] === '0' ? '1' : '0'}${nonce.slice(20)}`;
  assert.deepEqual(a.verify(answer(altered, '00000001'), 'SUBSCRIBE', cred), { ok: false, reason: 'nonce' });
  assert.deepEqual(a.verify(answer(nonceOf(other.challenge()[0] ?? ''), '00000001'), 'SUBSCRIBE', cred), { ok: false, reason: 'nonce' });
  assert.equal(a.isOurNonce(nonce), true);
  assert.equal(a.isOurNonce(altered), false);
});

test('a used nonce: next nc accepted without the issued cache, replayed nc refused, wrong password a mismatch', () => {
  const a = make();
  const nonce = nonceOf(a.challenge()[0] ?? '');
  assert.equal(a.verify(answer(nonce, '00000001'), 'SUBSCRIBE', cred).ok, true);
  assert.deepEqual(a.verify(answer(nonce, '00000001'), 'SUBSCRIBE', cred), { ok: false, reason: 'replay' });
  assert.deepEqual(a.verify(answer(nonce, '00000003', 'bad'), 'SUBSCRIBE', cred), { ok: false, reason: 'mismatch' });
  assert.equal(a.verify(answer(nonce, '00000002'), 'SUBSCRIBE', cred).ok, true);
});

test('a nonce of another authenticator with the same key (a reloaded registrar): accepted once per nc, replay refused', () => {
  const secret = Buffer.alloc(32, 7);
  const opts = { realm: 'asterisk', algorithms: ['MD5' as const], nonceLifetimeMs: 300_000, now: () => 1e12, secret };
  const before = new DigestAuthenticator(opts);
  const after = new DigestAuthenticator(opts);
  const nonce = nonceOf(before.challenge()[0] ?? '');
  assert.equal(after.isOurNonce(nonce), true);
  assert.equal(after.verify(answer(nonce, '00000001'), 'SUBSCRIBE', cred).ok, true);
  assert.deepEqual(after.verify(answer(nonce, '00000001'), 'SUBSCRIBE', cred), { ok: false, reason: 'replay' });
  assert.equal(after.verify(answer(nonce, '00000002'), 'SUBSCRIBE', cred).ok, true);
  assert.equal(after.trackedNonces(), 1);
});

test('an upper-cased copy of one of our nonces is not ours', () => {
  const a = make();
  const nonce = nonceOf(a.challenge()[0] ?? '');
  const upper = nonce.slice(0, 20) + nonce.slice(20).toUpperCase();
  assert.notEqual(upper, nonce);
  assert.equal(a.isOurNonce(upper), false);
  assert.deepEqual(a.verify(answer(upper, '00000001'), 'SUBSCRIBE', cred), { ok: false, reason: 'nonce' });
});

test('unanswered challenges past the bound: the oldest nonce is stale, never accepted untracked', () => {
  const a = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 300_000, now: () => 1e12, maxTrackedNonces: 1000 });
  const first = nonceOf(a.challenge()[0] ?? '');
  assert.equal(a.verify(answer(first, '00000001'), 'SUBSCRIBE', cred).ok, true);
  const unused = nonceOf(a.challenge()[0] ?? '');
  for (let i = 0; i < 1000; i++) a.challenge();
  assert.equal(a.isOurNonce(first), true);
  assert.deepEqual(a.verify(answer(first, '00000002'), 'SUBSCRIBE', cred), { ok: false, reason: 'stale' });
  assert.deepEqual(a.verify(answer(unused, '00000001'), 'SUBSCRIBE', cred), { ok: false, reason: 'stale' });
  const fresh = nonceOf(a.challenge()[0] ?? '');
  assert.equal(a.verify(answer(fresh, '00000001'), 'SUBSCRIBE', cred).ok, true);
});

test('an all-zero nonce is not taken for an empty slot of the nonce table', () => {
  const a = make();
  assert.equal(a.isOurNonce('0'.repeat(44)), false);
  assert.deepEqual(a.verify(answer('0'.repeat(44), '00000001'), 'SUBSCRIBE', cred), { ok: false, reason: 'nonce' });
});

test('the HA1 remembered per peer follows a changed secret and a different username', () => {
  const a = make();
  const peer = { secret: 'pw', md5secret: null };
  const n1 = nonceOf(a.challenge()[0] ?? '');
  assert.equal(a.verify(answer(n1, '00000001'), 'SUBSCRIBE', peer).ok, true);
  peer.secret = 'new';
  const n2 = nonceOf(a.challenge()[0] ?? '');
  assert.deepEqual(a.verify(answer(n2, '00000001'), 'SUBSCRIBE', peer), { ok: false, reason: 'mismatch' });
  assert.equal(a.verify(answer(n2, '00000002', 'new'), 'SUBSCRIBE', peer).ok, true);
  const other = answer(nonceOf(a.challenge()[0] ?? ''), '00000001', 'new');
  other.set('username', 'v'); // response computed for 'u': must not match with v's HA1
  assert.deepEqual(a.verify(other, 'SUBSCRIBE', peer), { ok: false, reason: 'mismatch' });
});

test('stale challenges say stale=true; an `only` list with nothing offered falls back to all', () => {
  const a = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5', 'SHA-256'], nonceLifetimeMs: 300_000, now: () => 1e12 });
  const [sha, md5] = a.challenge({ stale: true });
  assert.match(sha ?? '', /^Digest realm="asterisk", nonce="[0-9a-f]{44}", opaque="[0-9a-f]{16}", algorithm=SHA-256, qop="auth", stale=true$/);
  assert.match(md5 ?? '', /algorithm=MD5, qop="auth", stale=true$/);
  assert.doesNotMatch(a.challenge()[0] ?? '', /stale/);
  const md5only = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 300_000, now: () => 1e12 });
  assert.equal(md5only.challenge({ only: ['SHA-256'] }).length, 1);
});

test('a nonce carries its issue time: stale after the lifetime', () => {
  let now = 1_700_000_000_123;
  const a = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 30_000, now: () => now });
  const nonce = nonceOf(a.challenge()[0] ?? '');
  assert.equal(parseInt(nonce.slice(0, 12), 16), 1_700_000_000_123);
  now += 30_001;
  assert.deepEqual(a.verify(answer(nonce, '00000001'), 'SUBSCRIBE', cred), { ok: false, reason: 'stale' });
});

test('HA2 remembered per method and URI: other URIs and methods, and more URIs than are remembered', () => {
  const a = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5', 'SHA-256'], nonceLifetimeMs: 300_000, now: () => 1e12 });
  const answerFor = (uri: string, method: string, algorithm: 'MD5' | 'SHA-256'): Map<string, string> => {
    const nonce = nonceOf(a.challenge()[0] ?? '');
    const response = computeDigestResponse({ algorithm, username: 'u', realm: 'asterisk', password: 'pw', method, uri, nonce, qop: 'auth', nc: '00000001', cnonce: 'cn' });
    return new Map([
      ['username', 'u'], ['realm', 'asterisk'], ['nonce', nonce], ['uri', uri], ['qop', 'auth'], ['nc', '00000001'], ['cnonce', 'cn'],
      ['algorithm', algorithm], ['response', response],
    ]);
  };
  for (let i = 0; i < 5000; i++) {
    const uri = `sip:hint${i % 4500}@h`;
    assert.equal(a.verify(answerFor(uri, 'SUBSCRIBE', i % 2 === 0 ? 'MD5' : 'SHA-256'), 'SUBSCRIBE', cred).ok, true, uri);
  }
  assert.deepEqual(a.verify(answerFor('sip:hint1@h', 'SUBSCRIBE', 'MD5'), 'PUBLISH', cred), { ok: false, reason: 'mismatch' });
  assert.equal(a.verify(answerFor('sip:hint1@h', 'PUBLISH', 'MD5'), 'PUBLISH', cred).ok, true);
  assert.equal(a.verify(answerFor('sip:hint1@h', 'SUBSCRIBE', 'SHA-256'), 'SUBSCRIBE', cred).ok, true);
});

test('a nonce whose body is not hex digits is not ours, even when its bytes would sign alike', () => {
  const a = make();
  const nonce = nonceOf(a.challenge()[0] ?? '');
  const at = nonce.indexOf('1'); // the issue time 1e12 is 00e8d4a51000 in hex
  assert.ok(at >= 0 && at < 20);
  // U+0131 written as latin1 is the byte of '1'.
  assert.equal(a.isOurNonce(`${nonce.slice(0, at)}\u0131${nonce.slice(at + 1)}`), false);
  assert.equal(a.isOurNonce(`${'g'.repeat(20)}${nonce.slice(20)}`), false);
});

test('nothing kept from a verified request holds on to the request text (V8 sliced strings)', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const secret = Buffer.alloc(32, 9);
  const opts = { realm: 'asterisk', algorithms: ['MD5' as const], nonceLifetimeMs: 300_000, now: () => 1e12, secret };
  const issuer = new DigestAuthenticator(opts);
  const a = new DigestAuthenticator(opts);
  const filler = `X-Filler: ${'y'.repeat(100_000)}\r\n`;
  const requests = 400;
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < requests; i++) {
    // Half our nonces (the ring), half another authenticator's (the bounded Map); a URI and a
    // username per request (the HA2 and HA1 caches).
    const nonce = nonceOf((i % 2 === 0 ? a : issuer).challenge()[0] ?? '');
    const uri = `sip:hint-number-${i}@example.com`;
    const user = `user-with-a-long-name-${i}`;
    const response = computeDigestResponse({
      algorithm: 'MD5', username: user, realm: 'asterisk', password: 'pw', method: 'SUBSCRIBE', uri, nonce, qop: 'auth', nc: '00000001', cnonce: 'cn',
    });
    const text = Buffer.from(`${filler}u=${user}\nn=${nonce}\ni=${uri}\nr=${response}\n${filler}`, 'latin1').toString('latin1');
    const field = (name: string): string => {
      const at = text.indexOf(`\n${name}=`) + name.length + 2;
      return text.slice(at, text.indexOf('\n', at));
    };
    const params = new Map([
      ['username', field('u')], ['realm', 'asterisk'], ['nonce', field('n')], ['uri', field('i')], ['qop', 'auth'],
      ['nc', '00000001'], ['cnonce', 'cn'], ['algorithm', 'MD5'], ['response', field('r')],
    ]);
    assert.equal(a.verify(params, 'SUBSCRIBE', { secret: 'pw', md5secret: null }).ok, true);
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  assert.equal(a.trackedNonces(), requests);
  // Keeping the texts would be 400 × 200 KB = 80 MB.
  assert.ok(grown < 8_000_000, `heap grew ${grown} bytes`);
});
