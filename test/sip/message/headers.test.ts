import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SipHeaders, SipParseError, SipRequest, SipResponse, createErrorResponse, parseMessage, serializeMessage, validateRequest,
} from '../../../src/sip/message/index.js';

function msg(lines: string[], body = ''): Buffer {
  return Buffer.from(lines.join('\r\n') + '\r\n\r\n' + body, 'utf8');
}

const BASE = [
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: <sip:bob@example.com>',
  'From: <sip:alice@example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
];

describe('SipHeaders', () => {
  it('splits list headers on top-level commas only', () => {
    const h = new SipHeaders([
      ['Contact', '"Doe, John" <sip:j@x;a=1,2>;q=0.5, <sip:k@y>'],
      ['Route', '<sip:p1;lr>,<sip:p2;lr>'],
      ['Route', '<sip:p3;lr>'],
      ['WWW-Authenticate', 'Digest realm="a", nonce="b", qop="auth,auth-int"'],
      ['Supported', 'path, outbound , gruu'],
    ]);
    assert.deepEqual(h.getAll('m'), ['"Doe, John" <sip:j@x;a=1,2>;q=0.5', '<sip:k@y>']);
    assert.deepEqual(h.getAll('route'), ['<sip:p1;lr>', '<sip:p2;lr>', '<sip:p3;lr>']);
    assert.equal(h.getAll('www-authenticate').length, 1, 'not a list header');
    assert.deepEqual(h.getAll('k'), ['path', 'outbound', 'gruu']);
  });

  it('set replaces in place, prepend goes before, remove drops every occurrence', () => {
    const h = new SipHeaders([['Via', 'a'], ['To', 't'], ['Via', 'b'], ['X-Custom', 'c']]);
    h.prepend('v', 'top');
    assert.deepEqual(h.getAll('via'), ['top', 'a', 'b']);
    h.set('Via', ['only1', 'only2']);
    assert.deepEqual(h.entries(), [['Via', 'only1'], ['Via', 'only2'], ['To', 't'], ['X-Custom', 'c']]);
    h.remove('VIA');
    assert.equal(h.has('via'), false);
    h.append('x-custom', 'd');
    assert.deepEqual(h.entries(), [['To', 't'], ['X-Custom', 'c'], ['x-custom', 'd']], 'unknown names keep their spelling');
    assert.deepEqual(h.getAll('X-CUSTOM'), ['c', 'd']);
    const c = h.clone();
    c.remove('to');
    assert.equal(h.get('to'), 't');
  });

  it('a clone and its original change independently, whichever changes first and however', () => {
    const lines: Array<[string, string]> = [['Via', 'v1'], ['From', 'f'], ['To', 't'], ['Call-ID', 'c'], ['CSeq', '1 X']];
    const mutations: Array<[string, (h: SipHeaders) => void]> = [
      ['add', (h) => h.add('X-New', 'n')],
      ['append', (h) => h.append('X-New', 'n')],
      ['prepend', (h) => h.prepend('Via', 'v0')],
      ['set', (h) => h.set('To', 't2')],
      ['remove', (h) => h.remove('From')],
      ['replaceAt', (h) => h.replaceAt(2, 't3')],
    ];
    for (const [name, mutate] of mutations) {
      for (const which of ['clone', 'original'] as const) {
        const original = new SipHeaders(lines);
        const copy = original.clone();
        mutate(which === 'clone' ? copy : original);
        const untouched = which === 'clone' ? original : copy;
        assert.deepEqual(untouched.entries(), lines, `${name} on the ${which} leaves the other as it was`);
        // The untouched one can still change without affecting the changed one.
        const before = (which === 'clone' ? copy : original).entries();
        untouched.append('X-Later', 'l');
        assert.deepEqual((which === 'clone' ? copy : original).entries(), before, `${name}: later change on the other stays there`);
        // A clone of a clone shares too.
        const again = untouched.clone();
        again.remove('Via');
        assert.equal(untouched.getAll('Via').length, 1, `${name}: clone of a clone`);
      }
    }
  });

  it("the stack's sequence on a copy (append, prepend, set, more of each) keeps order and the original", () => {
    const original = new SipHeaders([['Max-Forwards', '70'], ['From', 'f'], ['To', 't'], ['Call-ID', 'c'], ['CSeq', '2 NOTIFY']]);
    const copy = original.clone();
    copy.append('User-Agent', 'herald');
    copy.prepend('Via', 'v1');
    copy.prepend('Via', 'v0');
    copy.append('X-A', 'a');
    copy.prepend('Route', 'r');
    copy.set('Max-Forwards', '69');
    copy.append('X-B', 'b');
    assert.deepEqual(copy.entries(), [
      ['Route', 'r'], ['Via', 'v0'], ['Via', 'v1'], ['Max-Forwards', '69'], ['From', 'f'], ['To', 't'], ['Call-ID', 'c'],
      ['CSeq', '2 NOTIFY'], ['User-Agent', 'herald'], ['X-A', 'a'], ['X-B', 'b'],
    ]);
    assert.deepEqual(copy.keys, ['route', 'via', 'via', 'max-forwards', 'from', 'to', 'call-id', 'cseq', 'user-agent', 'x-a', 'x-b']);
    assert.deepEqual(copy.names.slice(0, 2), ['Route', 'Via']);
    assert.deepEqual(original.entries(), [['Max-Forwards', '70'], ['From', 'f'], ['To', 't'], ['Call-ID', 'c'], ['CSeq', '2 NOTIFY']]);
  });
});

describe('parsing details', () => {
  it('accepts bare-LF line ends and folded lines', () => {
    const m = parseMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\nSubject: one\n two\nContent-Length: 0\n\n'));
    assert.equal(m.headers.get('subject'), 'one two');
  });

  it('decodes UTF-8 values and counts Content-Length in bytes', () => {
    const body = 'h\u00e9llo \u2603';
    const m = parseMessage(msg(['MESSAGE sip:bob@example.com SIP/2.0', ...BASE, 'CSeq: 1 MESSAGE', 'Subject: \u00e7a va', `Content-Length: ${Buffer.byteLength(body)}`], body));
    assert.equal(m.headers.get('subject'), '\u00e7a va');
    assert.equal(m.body.toString('utf8'), body);
    m.headers.set('Subject', 'caf\u00e9');
    const again = parseMessage(serializeMessage(m));
    assert.equal(again.headers.get('subject'), 'caf\u00e9');
    assert.equal(again.body.toString('utf8'), body);
  });

  it('keeps a non-UTF-8 (ISO-8859-1) display name as latin1 characters', () => {
    const raw = Buffer.concat([
      Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nFrom: "M'),
      Buffer.from([0xfc]),
      Buffer.from('ller" <sip:m@b>;tag=1\r\nContent-Length: 0\r\n\r\n'),
    ]);
    assert.equal(parseMessage(raw).from.displayName, 'M\u00fcller');
  });

  it('ignores CRLFs before the start line and bytes after Content-Length', () => {
    const m = parseMessage(Buffer.concat([Buffer.from('\r\n\r\n'), msg(['OPTIONS sip:a@b SIP/2.0', ...BASE, 'CSeq: 1 OPTIONS', 'Content-Length: 2'], 'okJUNK')]));
    assert.equal(m.body.toString(), 'ok');
  });

  it('rejects malformed framing with 400 and a partial for the response', () => {
    const cases: Array<[string, string[]]> = [
      ['negative length', ['OPTIONS sip:a@b SIP/2.0', ...BASE, 'CSeq: 1 OPTIONS', 'Content-Length: -1']],
      ['non-numeric length', ['OPTIONS sip:a@b SIP/2.0', ...BASE, 'CSeq: 1 OPTIONS', 'l: 1x']],
      ['no colon', ['OPTIONS sip:a@b SIP/2.0', ...BASE, 'CSeq: 1 OPTIONS', 'Garbage line']],
      ['bad name', ['OPTIONS sip:a@b SIP/2.0', ...BASE, 'CSeq: 1 OPTIONS', 'Bad Name: x']],
    ];
    for (const [what, lines] of cases) {
      assert.throws(
        () => parseMessage(msg(lines)),
        (e: unknown) => {
          assert.ok(e instanceof SipParseError, what);
          assert.equal(e.status, 400, what);
          const res = createErrorResponse(e, { toTag: 'zz' });
          assert.ok(res instanceof SipResponse, what);
          assert.equal(res.status, 400);
          assert.equal(res.toTag, 'zz');
          assert.equal(res.cseq.method, 'OPTIONS');
          return true;
        },
        what,
      );
    }
  });

  it('never builds a response to a broken response', () => {
    try {
      parseMessage(msg(['SIP/2.0 2000 OK', ...BASE, 'CSeq: 1 INVITE']));
      assert.fail('parsed');
    } catch (e) {
      assert.ok(e instanceof SipParseError);
      assert.equal(e.partial?.kind, 'response');
      assert.equal(createErrorResponse(e), null);
    }
  });

  it('answers a request with an unknown SIP version with 505', () => {
    try {
      parseMessage(msg(['OPTIONS sip:a@b SIP/3.0', ...BASE, 'CSeq: 1 OPTIONS']));
      assert.fail('parsed');
    } catch (e) {
      assert.ok(e instanceof SipParseError);
      assert.equal(createErrorResponse(e)?.status, 505);
    }
  });

  it('has no error response without the headers needed for one', () => {
    try {
      parseMessage(Buffer.from('OPTIONS sip:a@b SIP/9.9\r\n\r\n'));
      assert.fail('parsed');
    } catch (e) {
      assert.ok(e instanceof SipParseError);
      assert.equal(e.status, 505);
      assert.equal(createErrorResponse(e), null);
    }
  });
});

describe('validateRequest', () => {
  const ok = ['INVITE sip:bob@example.com SIP/2.0', ...BASE, 'CSeq: 1 INVITE', 'Contact: <sip:alice@192.0.2.1>'];

  it('accepts a well-formed request', () => {
    assert.equal(validateRequest(parseMessage(msg(ok)) as SipRequest), null);
  });

  const bad: Array<[string, string[], number]> = [
    ['missing Via', ok.filter((l) => !l.startsWith('Via')), 400],
    ['missing To', ok.filter((l) => !l.startsWith('To')), 400],
    ['two Call-IDs', [...ok, 'Call-ID: other'], 400],
    ['Max-Forwards 256', ok.map((l) => (l.startsWith('Max-Forwards') ? 'Max-Forwards: 256' : l)), 400],
    ['CSeq over 2^32-1', ok.map((l) => (l.startsWith('CSeq') ? 'CSeq: 4294967296 INVITE' : l)), 400],
    ['CSeq method mismatch', ok.map((l) => (l.startsWith('CSeq') ? 'CSeq: 1 BYE' : l)), 400],
    ['tel is fine but mailto is not', ['INVITE mailto:bob@example.com SIP/2.0', ...ok.slice(1)], 416],
    ['bad Contact', [...ok, 'Contact: <sip:x@y'], 400],
    ['non-GMT Date', [...ok, 'Date: Sat, 13 Nov 2010 23:29:00 PST'], 400],
  ];
  for (const [what, lines, status] of bad) {
    it(`rejects: ${what} → ${status}`, () => {
      const err = validateRequest(parseMessage(msg(lines)) as SipRequest);
      assert.ok(err instanceof SipParseError);
      assert.equal(err.status, status);
    });
  }
});
