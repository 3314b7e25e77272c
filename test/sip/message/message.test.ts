import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDigestCredentials } from '../../../src/sip/message/auth.js';
import {
  SipHeaders, SipParseError, SipRequest, StreamFramer, canonicalHeaderName, createErrorResponse, createResponse,
  formatAuthHeader, formatNameAddr, formatUri, formatVia, newBranch, newCallId, newTag, parseAuthHeader,
  parseMessage, parseNameAddr, parseParams, parseUri, parseVia, reasonPhrase, serializeMessage,
} from '../../../src/sip/message/index.js';

const INVITE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8;rport',
  'v: SIP/2.0/TCP proxy.example.com:5070;branch=z9hG4bK77, SIP/2.0/UDP [2001:db8::1]:5062;branch=z9hG4bK78',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'f: "Alice \\"A\\"" <sip:alice@atlanta.example.com>;tag=1928301774',
  'i: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'm: <sip:alice@pc33.atlanta.example.com>;expires=60, "Second" <sip:a2@10.0.0.1:5080;transport=tcp>;q=0.5',
  'Subject: caf\u00e9',
  'Content-Type: application/sdp',
  'Content-Length: 5',
  '',
  'v=0\r\n',
].join('\r\n');

function req(): SipRequest {
  const m = parseMessage(Buffer.from(INVITE, 'utf8'));
  assert.equal(m.kind, 'request');
  return m;
}

describe('parseMessage basics', () => {
  it('reads the start line, headers and body', () => {
    const m = req();
    assert.equal(m.method, 'INVITE');
    assert.equal(m.uri, 'sip:bob@biloxi.example.com');
    assert.equal(m.requestUri.host, 'biloxi.example.com');
    assert.equal(m.requestUri.user, 'bob');
    assert.equal(m.body.toString(), 'v=0\r\n');
    assert.equal(m.callId, 'a84b4c76e66710@pc33.atlanta.example.com');
    assert.deepEqual(m.cseq, { seq: 314159, method: 'INVITE' });
    assert.equal(m.fromTag, '1928301774');
    assert.equal(m.toTag, null);
    assert.equal(m.from.displayName, 'Alice "A"');
    assert.equal(m.maxForwards, 70);
    assert.equal(m.headers.get('subject'), 'caf\u00e9');
  });

  it('splits Via and Contact lists, top first', () => {
    const m = req();
    assert.equal(m.vias.length, 3);
    assert.equal(m.vias[0]?.params.get('branch'), 'z9hG4bKnashds8');
    assert.equal(m.vias[0]?.params.get('rport'), null);
    assert.equal(m.vias[1]?.transport, 'TCP');
    assert.equal(m.vias[1]?.port, 5070);
    assert.equal(m.vias[2]?.host, '2001:db8::1');
    assert.equal(m.contacts.length, 2);
    assert.equal(m.contacts[0]?.params.get('expires'), '60');
    assert.equal(m.contacts[1]?.uri.params.get('transport'), 'tcp');
    assert.equal(m.contacts[1]?.displayName, 'Second');
  });

  it('re-serializes to an equivalent message, and after a mutation too', () => {
    const m = req();
    const again = parseMessage(serializeMessage(m));
    assert.deepEqual(again.headers.entries(), m.headers.entries());
    assert.deepEqual(again.body, m.body);
    m.headers.prepend('Via', 'SIP/2.0/UDP new.example.com;branch=z9hG4bKnew');
    m.body = Buffer.from('x');
    const out = serializeMessage(m).toString('utf8');
    assert.match(out, /^INVITE sip:bob@biloxi.example.com SIP\/2.0\r\nVia: SIP\/2.0\/UDP new.example.com;branch=z9hG4bKnew\r\n/);
    assert.match(out, /\r\nContent-Length: 1\r\n\r\nx$/);
    assert.equal(m.vias.length, 4, 'cached vias invalidated by the mutation');
  });

  it('maps compact and odd-case names to canonical ones', () => {
    assert.equal(canonicalHeaderName('i'), 'Call-ID');
    assert.equal(canonicalHeaderName('CONTENT-length'), 'Content-Length');
    assert.equal(canonicalHeaderName('cseq'), 'CSeq');
    assert.equal(canonicalHeaderName('www-authenticate'), 'WWW-Authenticate');
    assert.equal(canonicalHeaderName('X-Custom'), 'X-Custom');
    const h = new SipHeaders([['l', '0'], ['X-Foo', 'a']]);
    assert.equal(h.get('content-length'), '0');
    assert.equal(h.get('x-foo'), 'a');
    assert.deepEqual(h.entries(), [['Content-Length', '0'], ['X-Foo', 'a']]);
  });

  it('rejects a bad version with 505 and a short datagram with 400', () => {
    assert.throws(() => parseMessage(Buffer.from('INVITE sip:a@b SIP/3.0\r\n\r\n')), (e: unknown) => e instanceof SipParseError && e.status === 505);
    const short = INVITE.replace('Content-Length: 5', 'Content-Length: 60');
    assert.throws(() => parseMessage(Buffer.from(short)), (e: unknown) => {
      assert.ok(e instanceof SipParseError);
      assert.equal(e.status, 400);
      const res = createErrorResponse(e);
      assert.ok(res !== null);
      assert.equal(res.headers.getAll('via').length, 3);
      return true;
    });
  });
});

describe('header value parsers', () => {
  it('parses and formats URIs', () => {
    const u = parseUri('sip:user:pw@[2001:db8::2]:5061;transport=TLS;lr?Subject=hi%20there');
    assert.equal(u.user, 'user');
    assert.equal(u.password, 'pw');
    assert.equal(u.host, '2001:db8::2');
    assert.equal(u.port, 5061);
    assert.equal(u.params.get('transport'), 'TLS');
    assert.equal(u.params.get('lr'), null);
    assert.equal(u.headers.get('Subject'), 'hi there');
    assert.equal(formatUri(u), 'sip:user:pw@[2001:db8::2]:5061;transport=TLS;lr?Subject=hi%20there');
    assert.equal(parseUri('sip:value%25%41@h').user, 'value%A');
    assert.equal(parseUri('tel:+1-201-555-0123').user, '+1-201-555-0123');
    assert.throws(() => parseUri('http://x'), (e: unknown) => e instanceof SipParseError && e.status === 416);
  });

  it('parses name-addr and addr-spec forms', () => {
    const a = parseNameAddr('sip:+1@gw.example.net;user=phone;tag=9');
    assert.equal(a.uri.params.size, 0, 'addr-spec params belong to the header');
    assert.equal(a.params.get('user'), 'phone');
    assert.equal(a.params.get('tag'), '9');
    const b = parseNameAddr('"Bob B" <sip:bob@x.example;lr>;tag=abc');
    assert.equal(b.displayName, 'Bob B');
    assert.equal(formatNameAddr(b), '"Bob B" <sip:bob@x.example;lr>;tag=abc');
    assert.equal(parseNameAddr('*').wildcard, true);
    assert.throws(() => parseNameAddr('"unterminated <sip:a@b>'), SipParseError);
  });

  it('parses Via with LWS and params', () => {
    const v = parseVia('SIP / 2.0 / udp  host.example.com:5060 ; branch = z9hG4bK1 ;received=10.0.0.1;rport=5062');
    assert.equal(v.protocol, 'SIP/2.0');
    assert.equal(v.transport, 'UDP');
    assert.equal(v.params.get('branch'), 'z9hG4bK1');
    assert.equal(v.params.get('rport'), '5062');
    assert.equal(formatVia(v), 'SIP/2.0/UDP host.example.com:5060;branch=z9hG4bK1;received=10.0.0.1;rport=5062');
  });

  it('parses params and digest headers', () => {
    assert.deepEqual([...parseParams(';Lr;TTL=5')], [['lr', null], ['ttl', '5']]);
    const a = parseAuthHeader('Digest username="bob", realm="asterisk", nonce="a,b", uri="sip:x", response="r", algorithm=MD5, qop=auth, nc=00000001, cnonce="c"');
    assert.equal(a.scheme, 'Digest');
    assert.equal(a.params.get('nonce'), 'a,b');
    assert.equal(a.params.get('qop'), 'auth');
    assert.equal(
      formatAuthHeader(a),
      'Digest username="bob", realm="asterisk", nonce="a,b", uri="sip:x", response="r", algorithm=MD5, qop=auth, nc=00000001, cnonce="c"',
    );
  });

  it('findDigestCredentials prefers our realm, else the first Digest credentials', () => {
    const other = 'Digest username="bob", realm="elsewhere", nonce="1"';
    const ours = 'Digest username="bob", realm="asterisk", nonce="2"';
    assert.equal(findDigestCredentials(['Basic Ym9iOng=', other, ours], 'asterisk')?.get('nonce'), '2');
    assert.equal(findDigestCredentials([other], 'asterisk')?.get('nonce'), '1');
    assert.equal(findDigestCredentials(['Basic Ym9iOng='], 'asterisk'), null);
    assert.throws(() => findDigestCredentials(['Digest realm'], 'asterisk'), SipParseError);
  });
});

describe('responses and identifiers', () => {
  it('createResponse copies Via/From/To/Call-ID/CSeq and adds the To tag', () => {
    const m = req();
    m.headers.append('Timestamp', '54');
    const r = createResponse(m, 180, undefined, { toTag: 'xyz' });
    assert.equal(r.reason, 'Ringing');
    assert.deepEqual(r.headers.getAll('via'), m.headers.getAll('via'));
    assert.equal(r.toTag, 'xyz');
    assert.equal(r.fromTag, '1928301774');
    assert.equal(r.callId, m.callId);
    assert.equal(r.headers.get('timestamp'), undefined);
    const t = createResponse(m, 100);
    assert.equal(t.headers.get('timestamp'), '54');
    assert.equal(t.toTag, null);
    assert.equal(reasonPhrase(489), 'Bad Event');
    assert.equal(reasonPhrase(606), 'Not Acceptable');
  });

  it('makes unique branches, tags and Call-IDs', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) seen.add(newBranch());
    assert.equal(seen.size, 5000);
    assert.match(newBranch(), /^z9hG4bK[0-9a-f]{24}$/);
    assert.match(newTag(), /^[0-9a-f]{16}$/);
    assert.match(newCallId('h.example'), /^[0-9a-f]{32}@h\.example$/);
  });
});

describe('StreamFramer', () => {
  it('frames messages split across chunks and skips keep-alives', () => {
    const one = Buffer.from(INVITE);
    const f = new StreamFramer(65536);
    let pings = 0;
    f.onPing = () => pings++;
    const all = Buffer.concat([Buffer.from('\r\n\r\n'), one, Buffer.from('\r\n\r\n'), one]);
    const got: Buffer[] = [];
    for (let i = 0; i < all.length; i += 7) got.push(...f.push(all.subarray(i, i + 7)));
    assert.equal(got.length, 2);
    assert.deepEqual(got[0], one);
    assert.deepEqual(got[1], one);
    assert.equal(pings, 2);
    assert.equal(f.buffered, 0);
  });

  it('handles a message trickled one byte at a time in linear time', () => {
    const big = Buffer.from(INVITE.replace('Content-Length: 5', 'Content-Length: 60005') + 'x'.repeat(60000));
    const f = new StreamFramer(70000);
    const started = Date.now();
    const got: Buffer[] = [];
    for (let i = 0; i < big.length; i++) got.push(...f.push(big.subarray(i, i + 1)));
    assert.equal(got.length, 1);
    assert.deepEqual(got[0], big);
    assert.ok(Date.now() - started < 3000, 'no quadratic rescans');
  });

  it('keeps messages intact when the next one arrives in the same chunk', () => {
    const one = Buffer.from(INVITE);
    const f = new StreamFramer(65536);
    const first = f.push(Buffer.concat([one, one.subarray(0, 100)]));
    assert.equal(first.length, 1);
    const second = f.push(one.subarray(100));
    assert.equal(second.length, 1);
    assert.deepEqual(first[0], one);
    assert.deepEqual(second[0], one);
    assert.equal(parseMessage(second[0] as Buffer).callId, 'a84b4c76e66710@pc33.atlanta.example.com');
  });

  it('throws on a missing Content-Length or an oversized message', () => {
    assert.throws(() => new StreamFramer(1000).push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n')), SipParseError);
    assert.throws(() => new StreamFramer(100).push(Buffer.from(INVITE)), (e: unknown) => e instanceof SipParseError && e.status === 513);
  });
});
