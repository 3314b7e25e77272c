/** The small pure pieces: cause ↔ status maps, hold detection, the declining answer, dialog requests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { causeToSipStatus, sipStatusToCause } from '../../src/channels/sip/causes.js';
import { declineAllStreams, holdInBody } from '../../src/channels/sip/sdp.js';
import { parseCallerIdSetting } from '../../src/channels/sip/inbound-invite.js';
import { Dialog } from '../../src/sip/dialog/dialog.js';
import { parseMessage, type SipRequest, type SipResponse } from '../../src/sip/message/index.js';

const sdp = (extra: string): { type: string; data: Buffer } => ({
  type: 'application/sdp',
  data: Buffer.from(`v=0\r\no=a 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\n${extra}`),
});

test('SIP status → cause and cause → status as chan_sip maps them', () => {
  assert.deepEqual([486, 600, 480, 404, 503, 603, 408, 500].map(sipStatusToCause), [17, 17, 19, 1, 34, 21, 18, 38]);
  assert.deepEqual([17, 19, 20, 1, 34, 16, 21].map((c) => causeToSipStatus(c)[0]), [486, 480, 480, 404, 503, 603, 403]);
});

test('hold: a=sendonly, a=inactive or c=0.0.0.0; a=sendrecv is not', () => {
  assert.equal(holdInBody(sdp('a=sendonly\r\n')), true);
  assert.equal(holdInBody(sdp('a=inactive\r\n')), true);
  assert.equal(holdInBody({ type: 'application/sdp', data: Buffer.from('v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 1 RTP/AVP 0\r\n') }), true);
  assert.equal(holdInBody(sdp('a=sendrecv\r\n')), false);
  assert.equal(holdInBody(null), false);
});

test('the answer herald gives on Answer() declines every offered stream with port 0', () => {
  const ans = declineAllStreams(sdp(''), '127.0.0.1');
  assert.ok(ans);
  assert.match(ans.data.toString(), /\r\nm=audio 0 RTP\/AVP 0 8\r\n$/);
  assert.equal(declineAllStreams(null, '127.0.0.1'), null);
});

test('callerid= settings', () => {
  assert.deepEqual(parseCallerIdSetting('"Alice" <1000>'), { name: 'Alice', num: '1000' });
  assert.deepEqual(parseCallerIdSetting('Bob <2000>'), { name: 'Bob', num: '2000' });
  assert.deepEqual(parseCallerIdSetting('3000'), { name: '', num: '3000' });
});

test('UAS dialog: BYE goes to the Contact with Route from Record-Route, From/To swapped with tags, CSeq counts up', () => {
  const invite = parseMessage(
    Buffer.from(
      'INVITE sip:100@herald SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n' +
        'From: "A" <sip:1000@herald>;tag=abc\r\nTo: <sip:100@herald>\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\n' +
        'Contact: <sip:1000@10.0.0.1:5062>\r\nRecord-Route: <sip:p1;lr>, <sip:p2;lr>\r\nContent-Length: 0\r\n\r\n',
    ),
  ) as SipRequest;
  const d = Dialog.asUas(invite, 'xyz', { proto: 'UDP', address: '10.0.0.1', port: 5060 }, null, '<sip:100@127.0.0.1:5060>');
  const bye = d.request('BYE');
  assert.equal(bye.uri, 'sip:1000@10.0.0.1:5062');
  assert.equal(bye.headers.get('From'), '<sip:100@herald>;tag=xyz');
  assert.equal(bye.headers.get('To'), '"A" <sip:1000@herald>;tag=abc');
  assert.deepEqual(bye.headers.getAll('Route'), ['<sip:p1;lr>', '<sip:p2;lr>']);
  assert.equal(bye.headers.get('CSeq'), '1 BYE');
  assert.equal(d.request('INFO').headers.get('CSeq'), '2 INFO');
});

test('UAC dialog: route set reversed, ACK keeps the INVITE CSeq with its own Via', () => {
  const invite = parseMessage(
    Buffer.from(
      'INVITE sip:2000@10.0.0.2 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2\r\nMax-Forwards: 70\r\n' +
        'From: <sip:1000@127.0.0.1>;tag=me\r\nTo: <sip:2000@10.0.0.2>\r\nCall-ID: c2\r\nCSeq: 102 INVITE\r\nContent-Length: 0\r\n\r\n',
    ),
  ) as SipRequest;
  const ok = parseMessage(
    Buffer.from(
      'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK2\r\nFrom: <sip:1000@127.0.0.1>;tag=me\r\n' +
        'To: <sip:2000@10.0.0.2>;tag=them\r\nCall-ID: c2\r\nCSeq: 102 INVITE\r\nContact: <sip:2000@10.0.0.2:5070>\r\n' +
        'Record-Route: <sip:p1;lr>, <sip:p2;lr>\r\nContent-Length: 0\r\n\r\n',
    ),
  ) as SipResponse;
  const d = Dialog.asUac(invite, ok, { proto: 'UDP', address: '10.0.0.2', port: 5070 }, null, '<sip:1000@127.0.0.1:5060>');
  const ack = d.ack(102, 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKack;rport');
  assert.equal(ack.headers.get('CSeq'), '102 ACK');
  assert.equal(ack.uri, 'sip:2000@10.0.0.2:5070');
  assert.deepEqual(ack.headers.getAll('Route'), ['<sip:p2;lr>', '<sip:p1;lr>']);
  assert.equal(ack.headers.getAll('Via').length, 1);
  assert.equal(d.request('BYE').headers.get('CSeq'), '103 BYE');
});
