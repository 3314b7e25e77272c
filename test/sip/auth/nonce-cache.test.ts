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
