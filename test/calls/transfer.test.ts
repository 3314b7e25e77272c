/**
 * Transfer(): blind transfer of the SIP caller by REFER (RFC 3515). The SIPp caller accepts the
 * REFER with 202 and reports the outcome in a `refer` NOTIFY with a message/sipfrag body; the
 * dialplan records TRANSFERSTATUS and TRANSFERSTATUSPROTOCOL. Also the app's own rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel } from '../../src/channels/channel.js';
import { transfer, type TransferLine } from '../../src/pbx/apps/transfer.js';
import { referTarget, sipfragStatus } from '../../src/channels/sip/refer.js';
import { runSipp } from '../helpers/sipp.js';
import { CALL_TEST_GENERAL, callScenario, callServerHooks, csv, dynamicFriends, summary, waitUntil, type CallServer } from './harness.js';

const SIP_CONF = CALL_TEST_GENERAL + dynamicFriends('from-sip', ['1000']);

const EXTENSIONS = `
[from-sip]
exten => 400,1,Answer()
 same => n,Transfer(IAX2/300)
 same => n,Set(DB(wrongtech/\${UNIQUEID})=\${TRANSFERSTATUS})
 same => n,Transfer(SIP/300)
 same => n,Set(DB(xfer/\${UNIQUEID})=\${TRANSFERSTATUS}:\${TRANSFERSTATUSPROTOCOL})
 same => n,Hangup()
exten => 401,1,Transfer(SIP/300)
 same => n,Set(DB(redirect/\${UNIQUEID})=\${TRANSFERSTATUS}:\${TRANSFERSTATUSPROTOCOL})
 same => n,Hangup()
`;

let h: CallServer;
const skip = callServerHooks(() => ({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS }), (server) => (h = server));

function values(family: string): string[] {
  return h.server.context.store.entries(family).map((e) => e.value);
}

test('Transfer(SIP/300) on an answered call: REFER, 202, NOTIFY sipfrag 200 → SUCCESS; then the dialplan goes on', { skip }, async () => {
  const r = await runSipp({ scenario: callScenario('uac_refer.xml'), target: h.target, inf: csv(h.dir, 't1.csv', [['1000', '400', '200 OK']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  await waitUntil(() => values('xfer').length >= 1, 5000, 'TRANSFERSTATUS');
  assert.deepEqual(values('xfer'), ['SUCCESS:200']);
  assert.deepEqual(values('wrongtech'), ['FAILURE']);
  await waitUntil(() => h.calls.activeCalls() === 0 && h.calls.activeDialogs() === 0, 5000, 'call over');
});

test('Transfer(SIP/300): NOTIFY sipfrag 486 → FAILURE with protocol 486', { skip }, async () => {
  const r = await runSipp({ scenario: callScenario('uac_refer.xml'), target: h.target, inf: csv(h.dir, 't2.csv', [['1000', '400', '486 Busy Here']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  await waitUntil(() => values('xfer').length >= 2, 5000, 'TRANSFERSTATUS');
  assert.ok(values('xfer').includes('FAILURE:486'), JSON.stringify(values('xfer')));
});

test('Transfer(SIP/300): the phone refuses the REFER with 603 → FAILURE with protocol 603', { skip }, async () => {
  const r = await runSipp({ scenario: callScenario('uac_refer_reject.xml'), target: h.target, inf: csv(h.dir, 't4.csv', [['1000', '400']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  await waitUntil(() => values('xfer').length >= 3, 5000, 'TRANSFERSTATUS');
  assert.ok(values('xfer').includes('FAILURE:603'), JSON.stringify(values('xfer')));
});

test('Transfer(SIP/300) before the answer: 302 Moved Temporarily to <sip:300@herald> → SUCCESS (chan_sip redirects)', { skip }, async () => {
  const r = await runSipp({ scenario: callScenario('uac_redirect.xml'), target: h.target, inf: csv(h.dir, 't3.csv', [['1000', '401']]), calls: 1, timeoutSec: 20 });
  assert.equal(r.successful, 1, summary(r));
  await waitUntil(() => values('redirect').length >= 1, 5000, 'TRANSFERSTATUS');
  assert.deepEqual(values('redirect'), ['SUCCESS:302']);
  await waitUntil(() => h.calls.activeCalls() === 0, 5000, 'call over');
});

function channel(name: string): Channel {
  return new Channel({ name, uniqueid: '1.1' });
}

test('Transfer app: no destination → FAILURE; a channel that cannot transfer → UNSUPPORTED; wrong Tech/ → FAILURE', async () => {
  const warnings: string[] = [];
  const none = { transferLine: () => null };
  const a = channel('Local/x@y-0001;1');
  await transfer(a, '', none, (t) => warnings.push(t));
  assert.equal(a.getVar('TRANSFERSTATUS'), 'FAILURE');
  assert.equal(warnings.length, 1);
  const b = channel('Local/x@y-0001;1');
  await transfer(b, '300', none, () => undefined);
  assert.equal(b.getVar('TRANSFERSTATUS'), 'UNSUPPORTED');
  const c = channel('Local/x@y-0001;1');
  await transfer(c, 'SIP/300', none, () => undefined);
  assert.equal(c.getVar('TRANSFERSTATUS'), 'FAILURE');
  const seen: string[] = [];
  const line: TransferLine = { technology: 'SIP', transfer: async (d) => (seen.push(d), { ok: true, protocol: 200 }) };
  const d = channel('SIP/1000-00000001');
  await transfer(d, 'sip/300,opts', { transferLine: () => line }, () => undefined);
  assert.deepEqual(seen, ['300']);
  assert.equal(d.getVar('TRANSFERSTATUS'), 'SUCCESS');
  assert.equal(d.getVar('TRANSFERSTATUSPROTOCOL'), '200');
});

test('Refer-To and sipfrag helpers', () => {
  assert.equal(referTarget('300', '127.0.0.1:5060'), '<sip:300@127.0.0.1:5060>');
  assert.equal(referTarget('bob@example.com', 'h'), '<sip:bob@example.com>');
  assert.equal(referTarget('sip:bob@example.com;transport=tcp', 'h'), '<sip:bob@example.com;transport=tcp>');
  assert.equal(sipfragStatus(Buffer.from('SIP/2.0 200 OK\r\n')), 200);
  assert.equal(sipfragStatus(Buffer.from('SIP/2.0 100 Trying')), 100);
  assert.equal(sipfragStatus(Buffer.from('garbage')), null);
});
