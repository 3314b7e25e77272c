import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fixture } from '../../helpers/paths.js';
import { PidfError, parsePidf, pidfToPresence, presenceFromPidf, type PublishedPresence } from '../../../src/presence/publish/pidf-parse.js';

const dir = fixture('presence-publish', 'pidf');
const sample = (name: string): Buffer => readFileSync(`${dir}/${name}`);

/** What every shared sample maps to (the table in pidf-parse.ts). */
const EXPECTED: Record<string, PublishedPresence | 'error'> = {
  'asterisk-generated-1-ready.xml': { state: 'available', subtype: '', message: 'Ready' },
  'asterisk-generated-2-ringing.xml': { state: 'dnd', subtype: 'on-the-phone', message: 'Ringing' },
  'asterisk-generated-3-on-the-phone.xml': { state: 'dnd', subtype: 'on-the-phone', message: 'On the phone' },
  'asterisk-generated-4-on-hold.xml': { state: 'dnd', subtype: 'on-the-phone', message: 'On hold' },
  'legacy-xpidf-lpidf.xml': { state: 'unavailable', subtype: '', message: '' },
  'real-jitsi.xml': { state: 'available', subtype: '', message: 'Online' },
  'real-microsip.xml': { state: 'available', subtype: '', message: 'Idle' },
  'real-pals-internet2-geopriv.xml': { state: 'available', subtype: '', message: '' },
  'real-snom.xml': { state: 'unavailable', subtype: '', message: '' },
  'real-xlite.xml': { state: 'available', subtype: '', message: '' },
  'rfc3863-default-namespace.xml': { state: 'available', subtype: '', message: '' },
  'rfc3863-extension-elements.xml': { state: 'available', subtype: '', message: '' },
  'rfc3863-full-example-two-tuples.xml': { state: 'dnd', subtype: '', message: "I'll be in Tokyo next week" },
  'rfc3863-mustUnderstand.xml': 'error',
  'rfc3863-namespace-prefix-impp.xml': { state: 'available', subtype: '', message: '' },
  'rfc3863-status-extension-location.xml': { state: 'available', subtype: '', message: '' },
  'rfc4479-data-model.xml': { state: 'dnd', subtype: 'on-the-phone', message: '' },
  'rfc4480-rpid.xml': { state: 'away', subtype: 'away', message: 'Scoring 120' },
  'rfc4482-cipid.xml': { state: 'available', subtype: '', message: '' },
  'sample-pua-pl-callback.xml': { state: 'available', subtype: '', message: 'Heute back ich, morgen koch ich' },
};

test('every shared PIDF sample has an expectation', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();
  assert.deepEqual(files, Object.keys(EXPECTED).sort());
});

for (const [file, want] of Object.entries(EXPECTED)) {
  test(`sample ${file}`, () => {
    if (want === 'error') assert.throws(() => presenceFromPidf(sample(file)), PidfError);
    else assert.deepEqual(presenceFromPidf(sample(file)), want);
  });
}

test('document details: entity, basics, activities in document order', () => {
  const d = parsePidf(sample('rfc4480-rpid.xml'));
  assert.equal(d.entity, 'pres:someone@example.com');
  assert.deepEqual(d.basics, ['open', 'open', 'open']);
  assert.deepEqual(d.activities, ['away']);
  const xlite = parsePidf(sample('real-xlite.xml'));
  assert.deepEqual(xlite.activities, ['unknown']);
});

const wrap = (inner: string, basic = 'open'): string =>
  `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ` +
  `xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:a@h"><tuple id="t"><status><basic>${basic}</basic></status></tuple>${inner}</presence>`;

test('activity table: away / xa / dnd / neutral', () => {
  const act = (a: string): PublishedPresence => presenceFromPidf(wrap(`<dm:person id="p"><rpid:activities><rpid:${a}/></rpid:activities></dm:person>`));
  assert.equal(act('away').state, 'away');
  assert.equal(act('busy').state, 'dnd');
  assert.equal(act('on-the-phone').state, 'dnd');
  assert.equal(act('meeting').state, 'dnd');
  assert.equal(act('appointment').state, 'dnd');
  assert.equal(act('vacation').state, 'xa');
  assert.equal(act('holiday').state, 'xa');
  assert.equal(act('travel').state, 'away');
  assert.equal(act('working').state, 'available');
  assert.equal(act('unknown').state, 'available');
  assert.deepEqual(act('vacation'), { state: 'xa', subtype: 'vacation', message: '' });
});

test('several activities: the highest-ranked state wins', () => {
  const p = presenceFromPidf(wrap('<dm:person id="p"><rpid:activities><rpid:away/><rpid:meeting/><rpid:vacation/></rpid:activities></dm:person>'));
  assert.deepEqual(p, { state: 'dnd', subtype: 'meeting', message: '' });
});

test('closed wins over activities; no tuples and no activity is not_set', () => {
  assert.equal(presenceFromPidf(wrap('<dm:person id="p"><rpid:activities><rpid:away/></rpid:activities></dm:person>', 'closed')).state, 'unavailable');
  assert.equal(presenceFromPidf('<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="x"/>').state, 'not_set');
  const personOnly = '<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:r="urn:ietf:params:xml:ns:pidf:rpid" entity="x"><dm:person id="p"><r:activities><r:busy/></r:activities></dm:person></presence>';
  assert.equal(presenceFromPidf(personOnly).state, 'dnd');
});

test('notes: person note first, whitespace collapsed, 255 bytes at most', () => {
  const p = presenceFromPidf(wrap('<note>doc</note><dm:person id="p"><dm:note>  out\n  to   lunch </dm:note></dm:person>'));
  assert.equal(p.message, 'out to lunch');
  const long = 'é'.repeat(200);
  const q = presenceFromPidf(wrap(`<dm:person id="p"><dm:note>${long}</dm:note></dm:person>`));
  assert.ok(Buffer.byteLength(q.message) <= 255);
  assert.equal(q.message, 'é'.repeat(127));
  const cdata = presenceFromPidf(wrap('<dm:person id="p"><dm:note><![CDATA[a <b> & c]]></dm:note></dm:person>'));
  assert.equal(cdata.message, 'a <b> & c');
});

test('prefixes do not matter, namespaces do', () => {
  const odd = '<x:presence xmlns:x="urn:ietf:params:xml:ns:pidf" xmlns:y="urn:ietf:params:xml:ns:pidf:rpid" xmlns:z="urn:ietf:params:xml:ns:pidf:data-model" entity="e">' +
    '<x:tuple id="1"><x:status><x:basic>open</x:basic></x:status></x:tuple><z:person id="p"><y:activities><y:vacation/></y:activities><z:note>sun</z:note></z:person></x:presence>';
  assert.deepEqual(presenceFromPidf(odd), { state: 'xa', subtype: 'vacation', message: 'sun' });
  // <away/> outside the RPID namespace is not an activity.
  const foreign = wrap('<dm:person id="p"><rpid:activities><away xmlns="urn:example"/></rpid:activities></dm:person>');
  assert.equal(presenceFromPidf(foreign).state, 'available');
});

test('malformed or non-PIDF bodies throw PidfError', () => {
  const bad = [
    '',
    'not xml',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple></presence>',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="a"><status><basic>open</basic></status></tuple>',
    '<other xmlns="urn:ietf:params:xml:ns:pidf"/>',
    '<presence xmlns="urn:example"/>',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf"><p:tuple/></presence>',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf">&xxe;</presence>',
    '<!DOCTYPE presence [<!ENTITY a "aaaa">]><presence xmlns="urn:ietf:params:xml:ns:pidf">&a;</presence>',
    '<presence xmlns="urn:ietf:params:xml:ns:pidf"/><presence xmlns="urn:ietf:params:xml:ns:pidf"/>',
  ];
  for (const b of bad) assert.throws(() => parsePidf(b), PidfError, JSON.stringify(b));
});

test('element count is bounded', () => {
  const many = wrap('<dm:person id="p">' + '<dm:x/>'.repeat(10_001) + '</dm:person>');
  assert.throws(() => parsePidf(many), /more than 10000 elements/);
});

test('random bytes never throw anything but PidfError', () => {
  let seed = 7;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const base = sample('rfc4480-rpid.xml').toString();
  for (let i = 0; i < 500; i++) {
    const chars = base.split('');
    for (let k = 0; k < 5; k++) chars[Math.floor(rnd() * chars.length)] = String.fromCharCode(Math.floor(rnd() * 128));
    try {
      pidfToPresence(parsePidf(chars.join('')));
    } catch (err) {
      assert.ok(err instanceof PidfError, String(err));
    }
  }
});
