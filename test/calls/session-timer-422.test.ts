/**
 * A callee that answers a leg's INVITE with 422 Session Interval Too Small (RFC 4028 §7.4): herald
 * sends the INVITE again once, Session-Expires and Min-SE raised to the callee's Min-SE (the SIPp
 * callee checks both and the next CSeq), and the call goes on with the callee's interval; the rule
 * itself (when a retry is made, within the caller's session-expires) as a unit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSipp } from '../helpers/sipp.js';
import { parseMessage, type SipRequest, type SipResponse } from '../../src/sip/message/index.js';
import { intervalAfter422, sessionTimerSettings } from '../../src/channels/sip/session-timer.js';
import { CALL_TEST_GENERAL, callee, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = CALL_TEST_GENERAL + dynamicFriends('from-sip', ['1000', '2000']);

const EXTENSIONS = `
[from-sip]
exten => 100,1,Dial(SIP/2000,5)
exten => h,1,Set(DB(h/\${UNIQUEID})=\${DIALSTATUS}:\${HANGUPCAUSE})
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

test('422 from the callee: the leg INVITE goes again with Session-Expires/Min-SE 600, the caller gets the callee\'s 600', { skip, timeout: 30_000 }, async () => {
  const { uas } = await callee(h, '2000', 'uas_timer_422.xml', 1);
  const r = await runSipp({ scenario: callScenario('uac_timer_422.xml'), target: h.target, inf: csv(h.dir, 't422.csv', [['1000', '100']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  const u = await uas.result;
  assert.equal(u.successful, 1, summary(u));
  await waitUntil(() => h.server.context.store.entries('h').length >= 1, 5000, 'h extension');
  assert.equal(h.server.context.store.entries('h')[0]?.value, 'ANSWER:16');
  await waitUntil(() => h.pbx.channels.list().length === 0 && h.calls.activeDialogs() === 0, 5000, 'no channels');
});

function invite(se: string | null): SipRequest {
  const lines = ['INVITE sip:2000@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1', 'From: <sip:1000@h>;tag=a', 'To: <sip:2000@h>', 'Call-ID: c', 'CSeq: 102 INVITE'];
  if (se !== null) lines.push(`Session-Expires: ${se}`, 'Min-SE: 90');
  return parseMessage(Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`)) as SipRequest;
}

function tooSmall(minSe: string | null): SipResponse {
  const lines = ['SIP/2.0 422 Session Interval Too Small', 'Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1', 'From: <sip:1000@h>;tag=a', 'To: <sip:2000@h>;tag=b', 'Call-ID: c', 'CSeq: 102 INVITE'];
  if (minSe !== null) lines.push(`Min-SE: ${minSe}`);
  return parseMessage(Buffer.from(`${lines.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`)) as SipResponse;
}

test('intervalAfter422: raised to the callee\'s Min-SE (refresher kept) only when above what was asked and within the caller\'s session-expires', () => {
  const dflt = sessionTimerSettings(new Map());
  assert.deepEqual(intervalAfter422(invite('120'), tooSmall('600'), dflt), { sessionExpires: '600', minSe: '600' });
  assert.deepEqual(intervalAfter422(invite('120;refresher=uac'), tooSmall('600'), dflt), { sessionExpires: '600;refresher=uac', minSe: '600' });
  assert.deepEqual(intervalAfter422(invite('120'), tooSmall('1800'), dflt), { sessionExpires: '1800', minSe: '1800' });
  assert.equal(intervalAfter422(invite('120'), tooSmall('3600'), dflt), null, 'beyond session-expires (1800)');
  const short = sessionTimerSettings(new Map([['session-expires', '300']]));
  assert.equal(intervalAfter422(invite('120'), tooSmall('600'), short), null, 'beyond the caller\'s session-expires=300');
  assert.equal(intervalAfter422(invite('120'), tooSmall(null), dflt), null, 'no Min-SE in the 422');
  assert.equal(intervalAfter422(invite('120'), tooSmall('junk'), dflt), null);
  assert.equal(intervalAfter422(invite('600'), tooSmall('600'), dflt), null, 'already at the callee\'s minimum');
  assert.equal(intervalAfter422(invite(null), tooSmall('600'), dflt), null, 'the leg asked for no session timer');
});
