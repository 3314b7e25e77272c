/**
 * Every row of the RFC 4475 index (test/fixtures/sip/rfc4475/index.tsv) turned into an assertion
 * following its expected_handling column.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SipParseError, isRfc3261Branch, parseAuthHeader, parseMessage, validateRequest, validateResponse,
  type SipMessage, type SipRequest, type SipResponse,
} from '../../../src/sip/message/index.js';
import { assertRoundTrip, loadFixture, readIndex } from './equivalence.js';

const rows = readIndex('sip', 'rfc4475', 'index.tsv');

function load(file: string): Buffer {
  return loadFixture('sip', 'rfc4475', ...file.split('/'));
}

function request(m: SipMessage): SipRequest {
  assert.equal(m.kind, 'request');
  return m as SipRequest;
}

function response(m: SipMessage): SipResponse {
  assert.equal(m.kind, 'response');
  return m as SipResponse;
}

function validate(m: SipMessage): SipParseError | null {
  return m.kind === 'request' ? validateRequest(m) : validateResponse(m);
}

/** The accessors every layer uses must work on a well-formed message. */
function touchAccessors(m: SipMessage): void {
  assert.ok(m.callId.length > 0);
  assert.ok(m.cseq.seq >= 0);
  void m.from;
  void m.to;
  void m.fromTag;
  void m.toTag;
  assert.ok(m.vias.length > 0);
  void m.contacts;
  void m.maxForwards;
}

/** Per-file checks drawn from the expected_handling text (valid messages). */
const VALID_CHECKS: Record<string, (m: SipMessage) => void> = {
  'valid/wsinv.dat': (m) => {
    const r = request(m);
    assert.equal(r.vias.length, 3);
    assert.equal(r.vias[0]?.host, '192.0.2.2');
    assert.equal(r.vias[1]?.transport, 'TCP');
    assert.equal(r.vias[2]?.params.get('branch'), 'z9hG4bK30239');
    assert.equal(r.maxForwards, 68);
    assert.deepEqual(r.cseq, { seq: 9, method: 'INVITE' });
    assert.equal(r.toTag, '1918181833n');
    assert.equal(r.fromTag, '98asjd8');
    assert.equal(r.from.displayName, 'J Rosenberg \\"');
    assert.equal(r.headers.get('subject'), '');
    assert.equal(r.headers.get('UnknownHeaderWithUnusualValue'), ';;,,;;,;');
    assert.equal(r.headers.get('NewFangledHeader'), 'newfangled value continued newfangled value');
    assert.equal(r.contacts.length, 1);
    assert.equal(r.contacts[0]?.displayName, 'Quoted string ""');
    assert.equal(r.contacts[0]?.params.get('newparam'), 'newvalue');
    assert.equal(r.contacts[0]?.params.get('secondparam'), null);
    assert.equal(r.contacts[0]?.params.get('q'), '0.33');
    assert.equal(r.body.length, 150);
    assert.equal(r.requestUri.params.get('unknownparam'), null);
  },
  'valid/intmeth.dat': (m) => {
    const r = request(m);
    assert.equal(r.method, "!interesting-Method0123456789_*+`.%indeed'~");
    assert.notEqual(r.method, 'INVITE');
    assert.equal(r.cseq.method, r.method);
    assert.equal(r.requestUri.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    assert.equal(r.requestUri.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    assert.equal(r.to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
    assert.equal(r.from.displayName, "token1~` token2'+_ token3*%!.-");
    assert.equal(r.from.params.get("fromparam''~+*_!.-%"), '"\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439"');
    assert.equal(r.headers.get("extensionHeader-!.%*+_`'~"), '\ufeff\u5927\u505c\u96fb');
    assert.equal(r.callId, 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
  },
  'valid/esc01.dat': (m) => {
    const r = request(m);
    assert.equal(r.requestUri.user, 'sips:user@example.com');
    assert.equal(r.requestUri.host, 'example.net');
    assert.equal(r.to.uri.user, 'user');
    assert.equal(r.from.uri.user, 'I have spaces');
    const c = r.contacts[0];
    assert.equal(c?.uri.user, 'caller');
    assert.equal(c?.uri.params.get('lr'), null);
    assert.equal(c?.uri.params.get('name'), 'value%41', 'decoded once, never recursively');
  },
  'valid/escnull.dat': (m) => {
    const r = request(m);
    assert.equal(r.to.uri.user, 'null-\x00-null');
    assert.equal(r.from.uri.user, 'null-\x00-null');
    assert.deepEqual(r.contacts.map((c) => c.uri.user), ['\x00', '\x00\x00']);
  },
  'valid/esc02.dat': (m) => {
    const r = request(m);
    assert.equal(r.method, 'RE%47IST%45R');
    assert.notEqual(r.method, 'REGISTER');
    assert.equal(r.to.displayName, '%Z%45');
    assert.equal(r.contacts.length, 2);
    assert.equal(r.headers.get('C%6Fntact'), '<sip:alias2@host2.example.com>');
    assert.equal(r.vias[0]?.params.get('branch'), 'z9hG4bK209%fzsnel234');
  },
  'valid/lwsdisp.dat': (m) => {
    assert.equal(m.from.displayName, 'caller');
    assert.equal(m.from.uri.user, 'caller');
  },
  'valid/longreq.dat': (m) => {
    assert.equal(m.vias.length, 34);
    assert.ok((m.to.displayName ?? '').includes('extremeextreme'));
    assert.ok((m.fromTag ?? '').length > 100);
    assert.ok(m.callId.length > 100);
    assert.equal(m.headers.getAll('via').length, 34);
  },
  'valid/dblreq.dat': (m) => {
    const r = request(m);
    assert.equal(r.method, 'REGISTER');
    assert.equal(r.body.length, 0, 'trailing octets ignored');
  },
  'valid/semiuri.dat': (m) => {
    const r = request(m);
    assert.equal(r.requestUri.user, 'user;par=u@example.net');
    assert.equal(r.requestUri.host, 'example.com');
    assert.equal(r.requestUri.params.size, 0);
    assert.equal(r.headers.getAll('accept').length, 6);
  },
  'valid/transports.dat': (m) => {
    assert.deepEqual(m.vias.map((v) => v.transport), ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP']);
  },
  'valid/mpart01.dat': (m) => {
    assert.equal(m.body.length, 553);
    assert.ok(m.body.includes(0));
  },
  'valid/unreason.dat': (m) => {
    const r = response(m);
    assert.equal(r.status, 200);
    assert.notEqual(r.reason, 'OK');
    assert.ok(r.reason.startsWith('= 2**3 * 5**2 \u043d\u043e'));
    assert.equal(r.body.length, 154);
  },
  'valid/noreason.dat': (m) => {
    const r = response(m);
    assert.equal(r.status, 100);
    assert.equal(r.reason, '');
  },
  'valid/badbranch.dat': (m) => {
    assert.equal(m.vias[0]?.params.get('branch'), 'z9hG4bK');
    assert.equal(isRfc3261Branch(m.vias[0]?.params.get('branch')), false, 'no transaction id: RFC 2543 matching');
  },
  'valid/unkscm.dat': (m) => {
    const r = request(m);
    assert.throws(() => r.requestUri, (e: unknown) => e instanceof SipParseError && e.status === 416);
    assert.equal(validateRequest(r)?.status, 416);
  },
  'valid/novelsc.dat': (m) => {
    const r = request(m);
    assert.equal(r.uri, 'soap.beep://192.0.2.103:3002');
    assert.equal(validateRequest(r)?.status, 416);
  },
  'valid/unksm2.dat': (m) => {
    assert.equal(m.to.uri.scheme, 'isbn');
    assert.equal(m.to.uri.opaque, '2983792873');
    assert.equal(m.from.uri.scheme, 'http');
    assert.equal(m.contacts[0]?.uri.scheme, 'name');
    assert.equal(['sip', 'sips'].includes(m.to.uri.scheme), false, 'a registrar rejects: To is not a SIP AOR');
  },
  'valid/bext01.dat': (m) => {
    assert.deepEqual(m.headers.getAll('require'), ['nothingSupportsThis', 'nothingSupportsThisEither']);
    assert.deepEqual(m.headers.getAll('proxy-require'), ['noProxiesSupportThis', 'norDoAnyProxiesSupportThis']);
  },
  'valid/invut.dat': (m) => {
    assert.equal(m.headers.get('content-type'), 'application/unknownformat');
    assert.equal(m.body.length, 40);
  },
  'valid/regaut01.dat': (m) => {
    const a = parseAuthHeader(m.headers.get('authorization') ?? '');
    assert.equal(a.scheme, 'NoOneKnowsThisScheme');
    assert.equal(a.params.get('opaque-data'), 'here');
  },
  'valid/bcast.dat': (m) => {
    assert.equal(response(m).status, 200);
    assert.ok(m.vias.some((v) => v.host === '255.255.255.255' || v.params.get('maddr') === '255.255.255.255'));
  },
  'valid/zeromf.dat': (m) => assert.equal(m.maxForwards, 0),
  'valid/cparam01.dat': (m) => {
    const c = m.contacts[0];
    assert.equal(c?.params.has('unknownparam'), true, 'a contact-param');
    assert.equal(c?.uri.params.has('unknownparam'), false, 'not a url-param');
  },
  'valid/cparam02.dat': (m) => {
    const c = m.contacts[0];
    assert.equal(c?.uri.params.has('unknownparam'), true, 'a url-param');
    assert.equal(c?.params.has('unknownparam'), false);
  },
  'valid/regescrt.dat': (m) => {
    assert.equal(m.contacts[0]?.uri.headers.get('Route'), '<sip:sip.example.com>');
  },
  'valid/sdp01.dat': (m) => assert.equal(m.headers.get('accept'), 'text/nobodyKnowsThis'),
  'valid/inv2543.dat': (m) => {
    assert.equal(m.vias[0]?.params.has('branch'), false);
    assert.equal(m.fromTag, null);
    assert.equal(m.headers.has('content-length'), false);
    assert.equal(m.maxForwards, null);
    assert.ok(m.body.toString().startsWith('v=0'), 'body = rest of the datagram');
  },
};

/** Statuses each invalid message may produce (from expected_handling), and which accessor detects it. */
const INVALID: Record<string, { statuses: number[]; detect?: (m: SipMessage) => void }> = {
  'invalid/badinv01.dat': { statuses: [400], detect: (m) => assert.throws(() => m.vias, SipParseError) },
  'invalid/clerr.dat': { statuses: [400] },
  'invalid/ncl.dat': { statuses: [400] },
  'invalid/scalar02.dat': { statuses: [400], detect: (m) => assert.throws(() => m.cseq, SipParseError) },
  'invalid/scalarlg.dat': { statuses: [400], detect: (m) => assert.throws(() => m.cseq, SipParseError) },
  'invalid/quotbal.dat': { statuses: [400], detect: (m) => assert.throws(() => m.to, SipParseError) },
  'invalid/ltgtruri.dat': { statuses: [400] },
  'invalid/lwsruri.dat': { statuses: [400] },
  'invalid/lwsstart.dat': { statuses: [400] },
  'invalid/trws.dat': { statuses: [400] },
  'invalid/escruri.dat': { statuses: [400], detect: (m) => assert.equal(request(m).requestUri.headers.get('Route'), '<sip:example.com>') },
  'invalid/baddate.dat': { statuses: [400], detect: (m) => assert.equal(m.headers.get('date'), 'Fri, 01 Jan 2010 16:00:00 EST') },
  'invalid/regbadct.dat': { statuses: [400], detect: (m) => assert.throws(() => m.contacts, SipParseError) },
  'invalid/badaspec.dat': { statuses: [400], detect: (m) => assert.throws(() => m.to, SipParseError) },
  'invalid/baddn.dat': { statuses: [400], detect: (m) => assert.throws(() => m.from, SipParseError) },
  'variants/baddn.dat': { statuses: [400], detect: (m) => assert.throws(() => m.to, SipParseError) },
  'invalid/badvers.dat': { statuses: [505] },
  'invalid/mismatch01.dat': { statuses: [400], detect: (m) => assert.notEqual(m.cseq.method, request(m).method) },
  'invalid/mismatch02.dat': { statuses: [501, 400], detect: (m) => assert.notEqual(m.cseq.method, request(m).method) },
  'invalid/bigcode.dat': { statuses: [400] },
  'invalid/insuf.dat': { statuses: [400], detect: (m) => assert.throws(() => m.callId, SipParseError) },
  'invalid/multi01.dat': { statuses: [400], detect: (m) => assert.throws(() => m.callId, SipParseError) },
  'invalid/mcl01.dat': { statuses: [400] },
  'extra/test.dat': { statuses: [400] },
};

describe('RFC 4475 torture messages (index.tsv, every row)', () => {
  it('the index has the 27 valid and 22 invalid RFC messages plus the variant and the extra', () => {
    const rfc = rows.filter((r) => r.file?.startsWith('valid/') || r.file?.startsWith('invalid/'));
    assert.equal(rows.filter((r) => r.file?.startsWith('valid/')).length, 27);
    assert.equal(rows.filter((r) => r.file?.startsWith('invalid/')).length, 22);
    assert.equal(rfc.length + 2, rows.length);
    for (const r of rows) assert.ok(VALID_CHECKS[r.file as string] !== undefined || INVALID[r.file as string] !== undefined, `no assertion for ${r.file}`);
  });

  for (const row of rows) {
    const file = row.file as string;
    if (row.class === 'valid') {
      it(`${file} (${row.section} ${row.title}) parses, round-trips, accessors work`, () => {
        const m = parseMessage(load(file));
        touchAccessors(m);
        assertRoundTrip(m, file);
        const check = VALID_CHECKS[file];
        assert.ok(check !== undefined, `no check for ${file}`);
        check(m);
        if (file !== 'valid/unkscm.dat' && file !== 'valid/novelsc.dat') assert.equal(validate(m), null, `${file} validates`);
      });
    } else {
      it(`${file} (${row.section} ${row.title}) is rejected with ${INVALID[file]?.statuses.join('/')}`, () => {
        const expect = INVALID[file];
        assert.ok(expect !== undefined, `no expectation for ${file}`);
        let m: SipMessage | undefined;
        let err: SipParseError | null = null;
        try {
          m = parseMessage(load(file));
        } catch (e) {
          assert.ok(e instanceof SipParseError, `${file}: only SipParseError may escape (${String(e)})`);
          err = e;
        }
        if (m !== undefined) {
          err = validate(m);
          expect.detect?.(m);
          assertRoundTrip(m, file);
        } else {
          assert.equal(expect.detect, undefined, `${file} was expected to parse`);
        }
        assert.ok(err !== null, `${file} must be rejected`);
        assert.ok(expect.statuses.includes(err.status), `${file}: got ${err.status} ${err.reason}`);
        assert.ok(err.reason.length > 0 && err.reason.length < 80);
      });
    }
  }

  it('a broken request still yields the headers needed for a 400 (partial)', () => {
    try {
      parseMessage(load('invalid/clerr.dat'));
      assert.fail('clerr parsed');
    } catch (e) {
      assert.ok(e instanceof SipParseError);
      const names = (e.partial?.headers ?? []).map(([n]) => n);
      for (const n of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) assert.ok(names.includes(n), `partial has ${n}`);
    }
  });
});
