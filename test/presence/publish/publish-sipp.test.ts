/**
 * PUBLISH against a real server (state + sip + presence-publish modules in-process, real UDP),
 * driven by a real SIPp (MD5 digest: SIPp 3.6.1 reads only the first challenge and knows MD5
 * only) and by a raw UDP client for the cases SIPp cannot express.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixture } from '../../helpers/paths.js';
import { haveSipp, killAllSipp, runSipp } from '../../helpers/sipp.js';
import { UdpClient, authorization, challengeParams, waitFor } from '../../registrar/harness.js';
import { computeDigestResponse } from '../../../src/sip/auth/digest.js';
import type { HeraldEvents } from '../../../src/core/bus.js';
import { startPublishServer, type PublishServer } from './server-harness.js';
import { PUBLISH_FAMILY } from '../../../src/presence/publish/module.js';
import { SqliteStore } from '../../../src/store/sqlite-store.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SIP_CONF = `
[general]
udpbindaddr = 127.0.0.1:0
realm = asterisk
auth_algorithms = MD5
minexpiry = 60

[6002]
type = friend
host = dynamic
secret = 6002pass

[6003]
type = friend
host = dynamic

[6004]
type = friend
host = dynamic
publish_entity = CustomPresence:desk4

[6005]
type = friend
host = dynamic
publish_entity = no
`;

const servers: PublishServer[] = [];
after(async () => {
  killAllSipp();
  for (const s of servers) await s.stop();
});

let shared: PublishServer | undefined;
async function server(): Promise<PublishServer> {
  if (!shared) {
    shared = await startPublishServer(SIP_CONF);
    servers.push(shared);
  }
  return shared;
}

const scen = (name: string): string => fixture('presence-publish', 'sipp', name);
const USERS = scen('users_6002.csv');
const skip = haveSipp() ? false : 'SIPp is not installed (/usr/bin/sipp)';

type PresenceEvent = HeraldEvents['PresenceStateChanged'];
function presenceEvents(s: PublishServer): PresenceEvent[] {
  const list: PresenceEvent[] = [];
  s.server.context.bus.on('PresenceStateChanged', (e) => list.push(e));
  return list;
}

function listEntry(list: string, name: string): { state: string; subtype: string; message: string } | null {
  const re = new RegExp(`--- Name: 'CustomPresence:${name}'\\n    --- State: '([^']*)'\\n    --- Subtype: '([^']*)'\\n    --- Message: '([^']*)'`);
  const m = re.exec(list);
  return m ? { state: m[1], subtype: m[2], message: m[3] } : null;
}

test('SIPp: PUBLISH away with digest → 200 with SIP-ETag; presencestate list shows CustomPresence:6002 away', { skip }, async () => {
  const s = await server();
  const events = presenceEvents(s);
  const r = await runSipp({ scenario: scen('publish_away_auth.xml'), inf: USERS, target: `127.0.0.1:${s.port}`, calls: 1, timeoutSec: 20, args: ['-key', 'pub_expires', '3600'] });
  assert.equal(r.failed, 0, r.errors || r.stderr);
  assert.equal(r.successful, 1);
  assert.deepEqual(listEntry(await s.rx('presencestate list'), '6002'), { state: 'away', subtype: 'away', message: 'Out to lunch' });
  assert.deepEqual(events.at(-1), { provider: 'CustomPresence:6002', state: 'away', subtype: 'away', message: 'Out to lunch' });
});

test('SIPp: malformed PIDF → 400 and the state is unchanged', { skip }, async () => {
  const s = await server();
  const before = await s.rx('presencestate list');
  const events = presenceEvents(s);
  const r = await runSipp({ scenario: scen('publish_malformed_auth.xml'), inf: USERS, target: `127.0.0.1:${s.port}`, calls: 1, timeoutSec: 20 });
  assert.equal(r.failed, 0, r.errors || r.stderr);
  assert.equal(r.successful, 1);
  assert.equal(await s.rx('presencestate list'), before);
  assert.equal(events.length, 0);
});

test('SIPp: PUBLISH busy → dnd (the newest publication decides)', { skip }, async () => {
  const s = await server();
  const r = await runSipp({ scenario: scen('publish_busy_auth.xml'), inf: USERS, target: `127.0.0.1:${s.port}`, calls: 1, timeoutSec: 20, args: ['-key', 'pub_expires', '3600'] });
  assert.equal(r.failed, 0, r.errors || r.stderr);
  assert.deepEqual(listEntry(await s.rx('presencestate list'), '6002'), { state: 'dnd', subtype: 'busy', message: 'Busy' });
});

test('SIPp: initial, refresh, modify, 412, 423, 489, 415, remove', { skip }, async () => {
  // A server of its own: the publications of the tests above would decide 6002 after the removal.
  const s = await startPublishServer(SIP_CONF);
  servers.push(s);
  const events = presenceEvents(s);
  const r = await runSipp({ scenario: scen('publish_lifecycle_auth.xml'), inf: USERS, target: `127.0.0.1:${s.port}`, calls: 1, timeoutSec: 30 });
  assert.equal(r.failed, 0, r.errors || r.stderr);
  assert.equal(r.successful, 1);
  assert.deepEqual(
    events.map((e) => `${e.provider}=${e.state},${e.subtype},${e.message}`),
    ['CustomPresence:6002=away,away,Out to lunch', 'CustomPresence:6002=xa,vacation,Back on Monday', 'CustomPresence:6002=not_set,,'],
  );
  assert.equal(listEntry(await s.rx('presencestate list'), '6002')?.state, 'not_set');
  assert.equal(s.server.context.store.entries('PresencePublish').length, 0);
});

// ---- raw UDP ---------------------------------------------------------------------------------

let seq = 0;
const PIDF_AWAY =
  '<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ' +
  'xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:x@127.0.0.1"><tuple id="t"><status><basic>open</basic></status></tuple>' +
  '<dm:person id="p"><rpid:activities><rpid:away/></rpid:activities><dm:note>back soon, promise</dm:note></dm:person></presence>';

interface PublishOpts {
  from: string;
  to?: string;
  cseq: number;
  expires?: number;
  ifMatch?: string;
  body?: string;
  contentType?: string;
  event?: string;
  authorization?: string;
}

function publishText(port: number, clientPort: number, o: PublishOpts): string {
  const to = o.to ?? o.from;
  const body = o.body ?? '';
  const lines = [
    `PUBLISH sip:${to}@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${clientPort};branch=z9hG4bKpub${++seq};rport`,
    `From: <sip:${o.from}@127.0.0.1>;tag=f${seq}`,
    `To: <sip:${to}@127.0.0.1>`,
    `Call-ID: pub-${o.from}-${seq}`,
    `CSeq: ${o.cseq} PUBLISH`,
    'Max-Forwards: 70',
    `Event: ${o.event ?? 'presence'}`,
  ];
  if (o.expires !== undefined) lines.push(`Expires: ${o.expires}`);
  if (o.ifMatch !== undefined) lines.push(`SIP-If-Match: ${o.ifMatch}`);
  if (o.authorization !== undefined) lines.push(`Authorization: ${o.authorization}`);
  if (body !== '') lines.push(`Content-Type: ${o.contentType ?? 'application/pidf+xml'}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
  return lines.join('\n');
}

test('UDP: a peer without a secret publishes without a challenge; Expires is capped at maxexpiry; comma in the note goes Base64', async (t) => {
  const s = await server();
  const c = await UdpClient.open();
  t.after(() => c.close());
  const res = await c.request(publishText(s.port, c.port, { from: '6003', cseq: 1, expires: 99999, body: PIDF_AWAY }), s.port, 1);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('Expires'), '3600');
  assert.match(res.headers.get('SIP-ETag') ?? '', /^[0-9a-f]{16}$/);
  const list = await s.rx('presencestate list');
  assert.match(list, /--- Name: 'CustomPresence:6003'\n {4}--- State: 'away'\n {4}--- Subtype: 'YXdheQ=='\n {4}--- Message: 'YmFjayBzb29uLCBwcm9taXNl'\n {4}--- Base64 Encoded: 'Yes'/);
});

test('UDP: digest with a wrong password → 403; publishing someone else → 403; publish_entity=no → 403', async (t) => {
  const s = await server();
  const c = await UdpClient.open();
  t.after(() => c.close());
  const first = await c.request(publishText(s.port, c.port, { from: '6002', cseq: 1, expires: 600, body: PIDF_AWAY }), s.port, 1);
  assert.equal(first.status, 401);
  const uri = `sip:6002@127.0.0.1:${s.port}`;
  const wrong = authorization(first.headers.get('WWW-Authenticate') ?? '', '6002', 'nope', uri);
  // The helper signs REGISTER: sign PUBLISH with the wrong password instead.
  const ch = challengeParams(first.headers.get('WWW-Authenticate') ?? '');
  const resp = computeDigestResponse({ algorithm: 'MD5', username: '6002', realm: 'asterisk', password: 'nope', method: 'PUBLISH', uri, nonce: ch.get('nonce') ?? '', qop: 'auth', nc: '00000001', cnonce: 'c0ffee' });
  const bad = wrong.replace(/response="[0-9a-f]+"/, `response="${resp}"`);
  const denied = await c.request(publishText(s.port, c.port, { from: '6002', cseq: 2, expires: 600, body: PIDF_AWAY, authorization: bad }), s.port, 2);
  assert.equal(denied.status, 403);
  const other = await c.request(publishText(s.port, c.port, { from: '6003', to: '6002', cseq: 3, expires: 600, body: PIDF_AWAY }), s.port, 3);
  assert.equal(other.status, 403);
  const off = await c.request(publishText(s.port, c.port, { from: '6005', cseq: 4, expires: 600, body: PIDF_AWAY }), s.port, 4);
  assert.equal(off.status, 403);
  const unknown = await c.request(publishText(s.port, c.port, { from: 'nobody', cseq: 5, expires: 600, body: PIDF_AWAY }), s.port, 5);
  assert.equal(unknown.status, 401, 'alwaysauthreject: an unknown name is challenged like a real one');
});

test('UDP: publish_entity sends a peer to another CustomPresence entity; initial PUBLISH without body → 400', async (t) => {
  const s = await server();
  const c = await UdpClient.open();
  t.after(() => c.close());
  const res = await c.request(publishText(s.port, c.port, { from: '6004', cseq: 1, expires: 600, body: PIDF_AWAY.replace('back soon, promise', 'soon') }), s.port, 1);
  assert.equal(res.status, 200);
  assert.match(await s.rx('presencestate list'), /'CustomPresence:desk4'\n {4}--- State: 'away'\n {4}--- Subtype: 'away'\n {4}--- Message: 'soon'/);
  const empty = await c.request(publishText(s.port, c.port, { from: '6004', cseq: 2, expires: 600 }), s.port, 2);
  assert.equal(empty.status, 400);
});

test('UDP: the soft state expires → the entity goes back to not_set', async (t) => {
  const s = await startPublishServer(SIP_CONF.replace('minexpiry = 60', 'minexpiry = 1'));
  servers.push(s);
  const c = await UdpClient.open();
  t.after(() => c.close());
  const gone = waitFor<PresenceEvent>(
    (fn) => s.server.context.bus.on('PresenceStateChanged', fn),
    (e) => e.provider === 'CustomPresence:6003' && e.state === 'not_set',
    8000,
  );
  const res = await c.request(publishText(s.port, c.port, { from: '6003', cseq: 1, expires: 1, body: PIDF_AWAY }), s.port, 1);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('Expires'), '1');
  assert.equal(s.server.context.store.entries('PresencePublish').length, 1);
  await gone;
  assert.match(await s.rx('presencestate list'), /'CustomPresence:6003'\n {4}--- State: 'not_set'/);
  assert.equal(s.server.context.store.entries('PresencePublish').length, 0);
});

test('restart: a live publication is re-armed from the store, an expired one is cleared', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'herald-pub-restart-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const conf = SIP_CONF.replace('minexpiry = 60', 'minexpiry = 1');
  const a = await startPublishServer(conf, {}, root);
  const c = await UdpClient.open();
  t.after(() => c.close());
  const res = await c.request(publishText(a.port, c.port, { from: '6003', cseq: 1, expires: 600, body: PIDF_AWAY }), a.port, 1);
  assert.equal(res.status, 200);
  const res2 = await c.request(publishText(a.port, c.port, { from: '6004', cseq: 2, expires: 600, body: PIDF_AWAY }), a.port, 2);
  assert.equal(res2.status, 200);
  const etag = res2.headers.get('SIP-ETag') ?? '';
  const storeFile = a.server.storeFile;
  await a.stop();
  // 6003's publication runs out while the server is down: move its stored expiry into the past.
  const store = SqliteStore.open(storeFile);
  const short = res.headers.get('SIP-ETag') ?? '';
  const rec = JSON.parse(store.get(PUBLISH_FAMILY, short) ?? '{}') as Record<string, unknown>;
  assert.equal(rec.entity, 'CustomPresence:6003');
  await store.put(PUBLISH_FAMILY, short, JSON.stringify({ ...rec, expiresAtWall: Date.now() - 1 }));
  await store.close();
  const b = await startPublishServer(conf, {}, root);
  servers.push(b);
  const list = await b.rx('presencestate list');
  assert.match(list, /'CustomPresence:6003'\n {4}--- State: 'not_set'/);
  assert.match(list, /'CustomPresence:desk4'\n {4}--- State: 'away'/);
  // The live tag still works after the restart: a refresh gets 200 and a new tag.
  const refresh = await c.request(publishText(b.port, c.port, { from: '6004', cseq: 3, expires: 600, ifMatch: etag }), b.port, 3);
  assert.equal(refresh.status, 200);
  assert.notEqual(refresh.headers.get('SIP-ETag'), etag);
});
