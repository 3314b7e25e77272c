import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SipParseError, formatUri, parseNameAddr, parseUri, parseVia, unescapeUri } from '../../../src/sip/message/index.js';

describe('URIs', () => {
  it('escapes on output what the grammar requires and round-trips', () => {
    const u = parseUri('sip:I%20have%20spaces%3A%40@example.net;n%61me=v%61lue%25%34%31?Route=%3Csip:x%3E');
    assert.equal(u.user, 'I have spaces:@');
    assert.equal(u.params.get('name'), 'value%41');
    assert.equal(u.headers.get('Route'), '<sip:x>');
    const text = formatUri(u);
    assert.equal(text, 'sip:I%20have%20spaces%3A%40@example.net;name=value%2541?Route=%3Csip:x%3E');
    assert.deepEqual(parseUri(text), u);
  });

  it('keeps NUL from %00 and decodes UTF-8 escapes once', () => {
    assert.equal(parseUri('sip:%00%00@h').user, '\x00\x00');
    assert.equal(unescapeUri('caf%C3%A9'), 'caf\u00e9');
    assert.equal(unescapeUri('100%'), '100%', 'a lone % stays');
    assert.equal(formatUri(parseUri('sip:caf%C3%A9@h')), 'sip:caf%C3%A9@h');
  });

  it('lower-cases scheme, host and parameter names, not the user or values', () => {
    const u = parseUri('SIP:Alice@Atlanta.Example.COM;Transport=TCP;LR');
    assert.equal(u.scheme, 'sip');
    assert.equal(u.user, 'Alice');
    assert.equal(u.host, 'atlanta.example.com');
    assert.deepEqual([...u.params], [['transport', 'TCP'], ['lr', null]]);
  });

  it('reads IPv6 hosts with and without brackets, and always writes brackets', () => {
    const a = parseUri('sips:[2001:DB8::1]:5061');
    assert.equal(a.host, '2001:db8::1');
    assert.equal(a.port, 5061);
    assert.equal(formatUri(a), 'sips:[2001:db8::1]:5061');
    const b = parseUri('sip:u@fe80:0:0:0:21a:a0ff:fe07:32e0');
    assert.equal(b.host, 'fe80:0:0:0:21a:a0ff:fe07:32e0');
    assert.equal(b.port, null);
    assert.equal(parseVia('SIP/2.0/UDP [::1]:5062;rport').host, '::1');
  });

  it('parses tel: URIs', () => {
    const t = parseUri('tel:+1-201-555-0123;phone-context=example.com');
    assert.equal(t.scheme, 'tel');
    assert.equal(t.user, '+1-201-555-0123');
    assert.equal(t.host, '');
    assert.equal(t.params.get('phone-context'), 'example.com');
    assert.equal(formatUri(t), 'tel:+1-201-555-0123;phone-context=example.com');
  });

  it('rejects malformed URIs with 400 and other schemes with 416', () => {
    for (const bad of ['sip:', 'sip:user@', 'sip:host:99999', 'sip:ho st', 'sip:[::1', '<sip:a@b>', 'sip:a@b;', 'nocolon']) {
      assert.throws(() => parseUri(bad), (e: unknown) => e instanceof SipParseError && e.status === 400, bad);
    }
    assert.throws(() => parseUri('http://example.com/'), (e: unknown) => e instanceof SipParseError && e.status === 416);
    assert.equal(parseNameAddr('<urn:service:sos>').uri.opaque, 'service:sos');
  });
});

describe('parsed values without parameters', () => {
  it('share one read-only empty map; values with parameters get their own', () => {
    const a = parseNameAddr('<sip:a@x>');
    const b = parseNameAddr('sip:b@y');
    const via = parseVia('SIP/2.0/UDP h');
    assert.equal(a.params.size, 0);
    assert.equal(a.params, b.params);
    assert.equal(a.uri.params, b.uri.params);
    assert.equal(via.params.size, 0);
    assert.equal(parseUri('tel:+123').params.size, 0);
    assert.throws(() => a.params.set('tag', 'x'), TypeError);
    assert.equal(b.params.get('tag'), undefined, 'a refused set leaves the shared map empty');
    const copy = new Map(a.params);
    copy.set('tag', 'x');
    assert.equal(formatUri(a.uri), 'sip:a@x');
    const c = parseNameAddr('<sip:c@z;lr>;tag=1');
    const d = parseNameAddr('<sip:d@z;lr>;tag=2');
    assert.notEqual(c.params, d.params);
    assert.notEqual(c.uri.params, d.uri.params);
    c.params.set('expires', '60');
    assert.equal(d.params.get('expires'), undefined);
  });

  it('common parameter names are matched in any case and stored lower-case', () => {
    const na = parseNameAddr('<sip:a@x;TRANSPORT=tcp;Lr;User=phone;tran=1>;TAG=Ab;Expires=60;q=0.5;tags=2');
    assert.deepEqual([...na.uri.params], [['transport', 'tcp'], ['lr', null], ['user', 'phone'], ['tran', '1']]);
    assert.deepEqual([...na.params], [['tag', 'Ab'], ['expires', '60'], ['q', '0.5'], ['tags', '2']]);
    const via = parseVia('SIP/2.0/UDP h;BRANCH=z9hG4bKx;RPort;Received=1.2.3.4;MAddr=m;TTL=1');
    assert.deepEqual([...via.params.keys()], ['branch', 'rport', 'received', 'maddr', 'ttl']);
  });
});
