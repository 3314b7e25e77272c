import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SipHeaders, SipRequest, SipResponse, createResponse, fromWireText, parseMessage, serializeMessage, wireText,
} from '../../../src/sip/message/index.js';

const SUBSCRIBE = Buffer.from(
  [
    'SUBSCRIBE sip:lamp@127.0.0.1:45253 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:35873;branch=z9hG4bK-12834-1-0',
    'Max-Forwards: 70',
    'From: <sip:watcher@127.0.0.1>;tag=12834SIPpTag001',
    'To: <sip:lamp@127.0.0.1>',
    'Call-ID: 1-12834@127.0.0.1',
    'CSeq: 1 SUBSCRIBE',
    'Contact: <sip:watcher@127.0.0.1:35873>',
    'Event: presence',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
  'latin1',
);

/** What serializeMessage writes, built the plain way: start line, headers, Content-Length, body. */
function expected(start: string, headers: Array<[string, string]>, body: Buffer): Buffer {
  let text = `${start}\r\n`;
  for (const [n, v] of headers) if (n !== 'Content-Length') text += `${n}: ${v}\r\n`;
  text += `Content-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(text, 'utf8'), body]);
}

describe('serializeMessage', () => {
  it('writes built headers, Content-Length from the body, and UTF-8 values', () => {
    const h = new SipHeaders([['From', '"Jürgen" <sip:j@x>;tag=1'], ['To', '<sip:k@y>'], ['Content-Length', '99']]);
    const body = Buffer.from('héllo');
    const out = serializeMessage(new SipRequest('MESSAGE', 'sip:k@y', h, body));
    assert.deepEqual(out, expected('MESSAGE sip:k@y SIP/2.0', [['From', '"Jürgen" <sip:j@x>;tag=1'], ['To', '<sip:k@y>']], body));
  });

  it('a long message followed by a short one leaves nothing of the first behind', () => {
    const long = new SipHeaders();
    for (let i = 0; i < 40; i++) long.add(`X-H${i}`, `value ${i}`);
    serializeMessage(new SipRequest('OPTIONS', 'sip:a@b', long));
    const out = serializeMessage(new SipResponse(200, 'OK', new SipHeaders([['CSeq', '1 OPTIONS']])));
    assert.equal(out.toString('latin1'), 'SIP/2.0 200 OK\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n');
  });

  it('CR and LF set by code become spaces, however the value was set', () => {
    const out = serializeMessage(new SipResponse(200, 'OK', new SipHeaders([['Subject', 'a\r\nVia: evil\nb']])));
    assert.equal(out.toString('latin1'), 'SIP/2.0 200 OK\r\nSubject: a  Via: evil b\r\nContent-Length: 0\r\n\r\n');
    // [how the value is set, header lines it adds]
    const setters: Array<[(h: SipHeaders) => void, number]> = [
      [(h) => h.append('X-A', 'x\ny'), 1],
      [(h) => h.set('X-A', ['ok', 'x\ry']), 2],
      [(h) => h.prepend('X-A', 'x\ny'), 1],
      [(h) => h.replaceAt(0, 'x\r\ny'), 0],
      [(h) => h.clone().append('X-B', 'fine'), 0],
    ];
    const lines = SUBSCRIBE.toString('latin1').split('\n').length;
    for (const [i, [setValue, added]] of setters.entries()) {
      const req = parseMessage(SUBSCRIBE) as SipRequest;
      setValue(req.headers);
      const text = serializeMessage(req).toString('latin1');
      assert.equal(text.split('\n').length, lines + added, `setter ${i}: no extra line`);
      assert.ok(!/[^\r]\n|\r[^\n]/.test(text.slice(0, text.length - 1)), `setter ${i}: CR and LF only as CRLF`);
    }
    const req = parseMessage(SUBSCRIBE) as SipRequest;
    const res = createResponse(req, 200, 'OK', { toTag: 'a\r\nX-Evil: 1' });
    assert.match(serializeMessage(res).toString('latin1'), /\r\nTo: <sip:lamp@127\.0\.0\.1>;tag=a {2}X-Evil: 1\r\n/);
  });
});

describe('wireText', () => {
  it('equals the bytes just sent, and follows every change made after sending', () => {
    const req = parseMessage(SUBSCRIBE) as SipRequest;
    const res = createResponse(req, 200, 'OK', { toTag: 'abc' });
    res.headers.append('Expires', '3600');
    const sent = serializeMessage(res);
    assert.equal(wireText(res), sent.toString('latin1'));

    const fresh = (): string => {
      const again = new SipResponse(res.status, res.reason, res.headers.clone(), res.body);
      return serializeMessage(again).toString('latin1');
    };
    serializeMessage(res);
    res.headers.append('Server', 'herald');
    assert.match(wireText(res), /\r\nServer: herald\r\n/);
    assert.equal(wireText(res), fresh());

    serializeMessage(res);
    res.headers.add('X-Added', 'by add');
    assert.match(wireText(res), /\r\nX-Added: by add\r\n/);

    serializeMessage(res);
    res.status = 202;
    res.reason = 'Accepted';
    assert.ok(wireText(res).startsWith('SIP/2.0 202 Accepted\r\n'));

    serializeMessage(res);
    res.body = Buffer.from('body');
    assert.ok(wireText(res).endsWith('\r\nContent-Length: 4\r\n\r\nbody'));
    assert.equal(wireText(res), fresh());
  });

  it('of a parsed, unmodified request re-emits it and parses back to the same bytes', () => {
    const req = parseMessage(SUBSCRIBE) as SipRequest;
    const text = wireText(req);
    assert.equal(text, SUBSCRIBE.toString('latin1'));
    assert.equal(serializeMessage(fromWireText(text)).toString('latin1'), text);
    req.uri = 'sip:other@127.0.0.1';
    assert.ok(wireText(req).startsWith('SUBSCRIBE sip:other@127.0.0.1 SIP/2.0\r\nVia: '));
  });
});
