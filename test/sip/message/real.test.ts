/** Every real phone/server message in test/fixtures/sip/real parses, round-trips and reads back. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SipParseError, parseAuthHeader, parseMessage, validateRequest, validateResponse, type SipMessage,
} from '../../../src/sip/message/index.js';
import { assertRoundTrip, loadFixture, readIndex } from './equivalence.js';

const rows = readIndex('sip', 'real', 'index.tsv');

/** Messages that parse but that a UAS must still refuse, and why (checked, not skipped). */
const REFUSED: Record<string, string> = {
  // Kamailio's edited capture has no To header at all (§8.1.1: To is mandatory).
  '052_kamailio-test-misc-sip_invite1.sip': 'Bad Request - missing To',
  // Pingtel sends "To: …;tag=" — an empty gen-value is not a token (§25.1).
  '056_kamailio-test-misc-sip_pingtel.sip': 'Bad Request - empty parameter value',
};

/** Captures that cannot be parsed as stored: the edited Kamailio file says Content-Length 4 and carries no body. */
const UNPARSEABLE: Record<string, string> = {
  '058_kamailio-test-misc-sip_message.sip': 'Bad Request - Content-Length larger than message',
};

function load(row: Record<string, string>): Buffer {
  const raw = loadFixture('sip', 'real', row.file as string);
  // The index asks for LF → CRLF on files stored with bare LF line ends.
  if ((row.note ?? '').includes('LF-only')) return Buffer.from(raw.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  return raw;
}

function startLine(m: SipMessage): string {
  return m.kind === 'request' ? `${m.method} ${m.uri} SIP/2.0` : `SIP/2.0 ${m.status} ${m.reason}`;
}

describe('real SIP messages (index.tsv, every row)', () => {
  it('the index lists every .sip fixture', () => {
    assert.equal(rows.length, 67);
  });

  for (const row of rows) {
    const file = row.file as string;
    it(`${file}: parses, round-trips, accessors work`, () => {
      const broken = UNPARSEABLE[file];
      if (broken !== undefined) {
        assert.throws(() => parseMessage(load(row)), (e: unknown) => e instanceof SipParseError && e.status === 400 && e.reason === broken);
        // …and with the 4 body bytes it declares, it is an ordinary message.
        const fixed = parseMessage(Buffer.concat([load(row), Buffer.from('text')]));
        assert.equal(fixed.body.toString(), 'text');
        assertRoundTrip(fixed, file);
        return;
      }
      const m = parseMessage(load(row));
      assert.equal(startLine(m), row.start);
      if ((row.ctype ?? '') !== '') assert.equal(m.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase(), (row.ctype as string).toLowerCase());
      if ((row.ua ?? '') !== '') assert.equal(m.headers.get(m.kind === 'request' ? 'user-agent' : 'server') ?? m.headers.get('user-agent'), row.ua);
      assertRoundTrip(m, file);
      const err = m.kind === 'request' ? validateRequest(m) : validateResponse(m);
      const refused = REFUSED[file];
      if (refused !== undefined) {
        assert.equal(err?.status, 400);
        assert.equal(err?.reason, refused);
        return;
      }
      assert.equal(err, null, `${file}: ${err?.reason}`);
      assert.ok(m.callId.length > 0);
      assert.ok(m.cseq.seq >= 0);
      assert.ok(m.vias.length >= 1);
      assert.ok(m.vias[0]?.host.length);
      assert.ok(m.from.uri.host.length || m.from.uri.opaque);
      void m.to;
      void m.contacts;
      if (m.kind === 'request') {
        assert.equal(m.cseq.method, m.method);
        assert.ok(['sip', 'sips', 'tel'].includes(m.requestUri.scheme));
        if (m.method !== 'ACK' && m.method !== 'CANCEL' && m.vias[0]?.params.has('branch')) assert.ok(m.fromTag !== null);
      }
      if (m.headers.get('content-length') !== undefined) assert.equal(Number(m.headers.get('content-length')), m.body.length);
      for (const name of ['www-authenticate', 'authorization', 'proxy-authenticate']) {
        const v = m.headers.get(name);
        if (v !== undefined) assert.equal(parseAuthHeader(v).scheme.toLowerCase(), 'digest');
      }
    });
  }

  it('reads IPv6 hosts written without brackets (real capture 044)', () => {
    const m = parseMessage(load(rows.find((r) => r.file === '044_sip-ipv6-udp_INVITE.sip') as Record<string, string>));
    assert.equal(m.kind, 'request');
    if (m.kind !== 'request') return;
    assert.equal(m.requestUri.host, 'fec0:0:0:0:216:d3ff:fe0d:22c');
    assert.equal(m.requestUri.port, 5060);
    assert.equal(m.vias[0]?.host, 'fe80:0:0:0:21a:a0ff:fe07:32e0');
    assert.equal(m.vias[0]?.port, 5060);
    assert.equal(m.to.uri.host, 'fec0:0:0:0:216:d3ff:fe0d:22c');
    assert.equal(m.to.uri.port, null);
  });

  it('reads compact headers and a branch-less Via (3Com phone, 067)', () => {
    const m = parseMessage(load(rows.find((r) => r.file === '067_3com-sip-phone_REGISTER.sip') as Record<string, string>));
    assert.equal(m.callId, 'e2d02388-01d6-0352-13c6-00e0bb36ca69');
    assert.equal(m.contacts[0]?.params.get('dt'), '544');
    assert.equal(m.expires, 3600);
    assert.equal(m.vias[0]?.params.has('branch'), false);
  });
});
