import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeDigestResponse, DigestAuthenticator, digestHash, safeEqualHex } from '../../../src/sip/auth/digest.js';

test('RFC 2617 §3.5 example (MD5, qop=auth)', () => {
  const r = computeDigestResponse({
    algorithm: 'MD5', username: 'Mufasa', realm: 'testrealm@host.com', password: 'Circle Of Life',
    method: 'GET', uri: '/dir/index.html', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
  });
  assert.equal(r, '6629fae49393a05397450978507c4ef1');
});

const rfc7616 = {
  username: 'Mufasa', realm: 'http-auth@example.org', password: 'Circle of Life', method: 'GET',
  uri: '/dir/index.html', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', qop: 'auth', nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};

test('RFC 7616 §3.9.1 example, MD5 and SHA-256', () => {
  assert.equal(computeDigestResponse({ ...rfc7616, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
  assert.equal(
    computeDigestResponse({ ...rfc7616, algorithm: 'SHA-256' }),
    '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
  );
});

test('md5secret (HA1 given directly) gives the same response', () => {
  const ha1 = digestHash('MD5', 'Mufasa:http-auth@example.org:Circle of Life');
  assert.equal(computeDigestResponse({ ...rfc7616, algorithm: 'MD5', ha1 }), '8ca523f5e9506fed4657c9700eebdbec');
});

test('safeEqualHex', () => {
  assert.equal(safeEqualHex('abCD', 'abcd'), true);
  assert.equal(safeEqualHex('abcd', 'abce'), false);
  assert.equal(safeEqualHex('abcd', 'abc'), false);
});

function parseChallenge(h: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of h.replace(/^Digest\s+/, '').split(/,\s*/)) {
    const [k, v] = part.split('=');
    m.set(k, v.replace(/^"|"$/g, ''));
  }
  return m;
}

function answer(ch: Map<string, string>, password: string, nc = '00000001', method = 'REGISTER', qop = true): Map<string, string> {
  const algorithm = (ch.get('algorithm') ?? 'MD5') as 'MD5' | 'SHA-256';
  const p = new Map<string, string>([
    ['username', '6002'], ['realm', ch.get('realm') ?? ''], ['nonce', ch.get('nonce') ?? ''],
    ['uri', 'sip:127.0.0.1'], ['algorithm', algorithm],
  ]);
  if (qop) {
    p.set('qop', 'auth'); p.set('nc', nc); p.set('cnonce', 'abc123');
  }
  p.set('response', computeDigestResponse({
    algorithm, username: '6002', realm: p.get('realm') ?? '', password, method, uri: 'sip:127.0.0.1',
    nonce: p.get('nonce') ?? '', qop: qop ? 'auth' : undefined, nc: qop ? nc : undefined, cnonce: qop ? 'abc123' : undefined,
  }));
  return p;
}

test('challenge lists SHA-256 first, then MD5 (RFC 8760 §2.4)', () => {
  const a = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5', 'SHA-256'], nonceLifetimeMs: 300_000, now: () => 1e12 });
  const ch = a.challenge();
  assert.equal(ch.length, 2);
  assert.match(ch[0], /algorithm=SHA-256/);
  assert.match(ch[1], /algorithm=MD5/);
  assert.match(ch[0], /qop="auth"/);
  assert.match(ch[0], /opaque="/);
  assert.equal(parseChallenge(ch[0]).get('nonce'), parseChallenge(ch[1]).get('nonce'));
  assert.deepEqual(a.challenge({ only: ['MD5'] }).length, 1);
});

test('verify: good, wrong password, replay, stale, forged nonce, legacy no-qop', () => {
  let now = 1e12;
  const a = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5', 'SHA-256'], nonceLifetimeMs: 30_000, now: () => now });
  const cred = { secret: '6002pass', md5secret: null };
  for (const idx of [0, 1]) {
    const ch = parseChallenge(a.challenge()[idx]);
    assert.deepEqual(a.verify(answer(ch, '6002pass'), 'REGISTER', cred), { ok: true, algorithm: ch.get('algorithm') });
    assert.deepEqual(a.verify(answer(ch, '6002pass'), 'REGISTER', cred), { ok: false, reason: 'replay' });
    assert.deepEqual(a.verify(answer(ch, '6002pass', '00000002'), 'REGISTER', cred).ok, true);
    assert.deepEqual(a.verify(answer(ch, 'wrong', '00000003'), 'REGISTER', cred), { ok: false, reason: 'mismatch' });
    assert.deepEqual(a.verify(answer(ch, '6002pass', '00000003'), 'INVITE', cred), { ok: false, reason: 'mismatch' });
  }
  const ch = parseChallenge(a.challenge()[1]);
  assert.equal(a.verify(answer(ch, '6002pass', '00000001', 'REGISTER', false), 'REGISTER', cred).ok, true);
  now += 31_000;
  assert.deepEqual(a.verify(answer(ch, '6002pass', '00000005'), 'REGISTER', cred), { ok: false, reason: 'stale' });
  assert.deepEqual(a.verify(answer(ch, 'bad', '00000006'), 'REGISTER', cred), { ok: false, reason: 'mismatch' });
  const forged = new Map(ch);
  forged.set('nonce', '0'.repeat(44));
  assert.deepEqual(a.verify(answer(forged, '6002pass'), 'REGISTER', cred), { ok: false, reason: 'nonce' });
  const other = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5'], nonceLifetimeMs: 30_000, now: () => now });
  assert.deepEqual(other.verify(answer(parseChallenge(a.challenge()[0]), '6002pass'), 'REGISTER', cred), { ok: false, reason: 'algorithm' });
  assert.deepEqual(other.verify(answer(parseChallenge(a.challenge()[1]), '6002pass'), 'REGISTER', cred), { ok: false, reason: 'nonce' });
});

test('verify with md5secret: MD5 only', () => {
  const a = new DigestAuthenticator({ realm: 'asterisk', algorithms: ['MD5', 'SHA-256'], nonceLifetimeMs: 30_000, now: () => 5e11 });
  const cred = { secret: null, md5secret: digestHash('MD5', '6002:asterisk:6002pass') };
  const [sha, md5] = a.challenge().map(parseChallenge);
  assert.equal(a.verify(answer(md5, '6002pass'), 'REGISTER', cred).ok, true);
  assert.equal(a.verify(answer(sha, '6002pass'), 'REGISTER', cred).ok, false);
  assert.deepEqual(DigestAuthenticator.usableAlgorithms(cred), ['MD5']);
});

test('a nonce evicted from the bounded nonce-count cache is stale, not replayable', () => {
  let now = 1e12;
  const a = new DigestAuthenticator({ realm: 'r', algorithms: ['MD5'], nonceLifetimeMs: 60_000, now: () => now, maxTrackedNonces: 2 });
  const cred = { secret: 'pw', md5secret: null };
  const first = parseChallenge(a.challenge()[0]);
  assert.equal(a.verify(answer(first, 'pw'), 'REGISTER', cred).ok, true);
  for (let i = 0; i < 3; i++) {
    now += 1;
    assert.equal(a.verify(answer(parseChallenge(a.challenge()[0]), 'pw'), 'REGISTER', cred).ok, true);
  }
  assert.equal(a.trackedNonces(), 2);
  assert.deepEqual(a.verify(answer(first, 'pw', '00000009'), 'REGISTER', cred), { ok: false, reason: 'stale' });
});

test('malformed credentials', () => {
  const a = new DigestAuthenticator({ realm: 'r', algorithms: ['MD5'], nonceLifetimeMs: 60_000, now: () => 1 });
  assert.deepEqual(a.verify(new Map([['username', 'x']]), 'REGISTER', { secret: 'x', md5secret: null }), { ok: false, reason: 'malformed' });
  const p = answer(parseChallenge(a.challenge()[0]), 'pw');
  p.set('nc', 'zz');
  assert.deepEqual(a.verify(p, 'REGISTER', { secret: 'pw', md5secret: null }), { ok: false, reason: 'malformed' });
  p.set('realm', 'other');
  assert.deepEqual(a.verify(p, 'REGISTER', { secret: 'pw', md5secret: null }).ok, false);
});
