import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SipParseError, parseCSeq, parseMessage, type SipRequest, type SipResponse } from '../../../src/sip/message/index.js';

const REST = 'Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: 1 X\r\nContent-Length: 0\r\n\r\n';

function parse(startLine: string): SipRequest | SipResponse {
  return parseMessage(Buffer.from(`${startLine}\r\n${REST}`, 'latin1'));
}

function status(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof SipParseError) return e.status;
    throw e;
  }
  return 0;
}

describe('start lines', () => {
  it('requests: known and unknown methods, version in any case', () => {
    const r = parse('SUBSCRIBE sip:lamp@127.0.0.1:5060 SIP/2.0') as SipRequest;
    assert.equal(r.method, 'SUBSCRIBE');
    assert.equal(r.uri, 'sip:lamp@127.0.0.1:5060');
    assert.equal((parse('FOO.bar sip:a@b sip/2.0') as SipRequest).method, 'FOO.bar');
    assert.equal((parse('invite sip:a@b SIP/2.0') as SipRequest).method, 'invite', 'methods are case-sensitive: kept as written');
  });

  it('responses: status 100-699, reason optional and kept as written', () => {
    const r = parse('SIP/2.0 200 OK then some') as SipResponse;
    assert.equal(r.status, 200);
    assert.equal(r.reason, 'OK then some');
    assert.equal((parse('sip/2.0 180') as SipResponse).reason, '');
    assert.equal((parse('SIP/2.0 699 x') as SipResponse).status, 699);
  });

  it('rejects what §7.1/§7.2 do not allow, with 505 for another SIP version', () => {
    const cases: Array<[string, number]> = [
      ['SIP/3.0 200 OK', 505],
      ['INVITE sip:a@b SIP/3.0', 505],
      ['INVITE sip:a@b HTTP/1.1', 400],
      ['INVITE sip:a@b SIP/2.0 ', 400],
      ['INVITE  sip:a@b SIP/2.0', 400],
      ['INVITE sip:a@b', 400],
      ['INVITE <sip:a@b> SIP/2.0', 400],
      ['INVITE nocolon SIP/2.0', 400],
      ['INV(TE sip:a@b SIP/2.0', 400],
      ['SIP/2.0 700 Nope', 400],
      ['SIP/2.0 099 Low', 400],
      ['SIP/2.0 2000 OK', 400],
      ['SIP/2.0 2x0 OK', 400],
      [' INVITE sip:a@b SIP/2.0', 400],
      ['INVITE sip:a@b\x00 SIP/2.0', 400],
    ];
    for (const [line, want] of cases) assert.equal(status(() => parse(line)), want, JSON.stringify(line));
  });
});

describe('CSeq', () => {
  it('reads the number and method, LWS around them', () => {
    assert.deepEqual(parseCSeq('1 SUBSCRIBE'), { seq: 1, method: 'SUBSCRIBE' });
    assert.deepEqual(parseCSeq(' 0004294967295 \t Foo-Bar '), { seq: 4294967295, method: 'Foo-Bar' });
  });

  it('rejects a missing blank, a missing method or number, non-token methods and numbers over 2^32-1', () => {
    for (const bad of ['1INVITE', '1 ', ' INVITE', '4294967296 INVITE', '1 IN VITE', '1 INV(TE', '000000000000000000001 INVITE', '-1 INVITE', '']) {
      assert.equal(status(() => parseCSeq(bad)), 400, JSON.stringify(bad));
    }
  });
});
