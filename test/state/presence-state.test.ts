import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus, type HeraldEvents } from '../../src/core/bus.js';
import {
  PRESENCE_VALUES,
  PresenceEngine,
  decodeBase64Field,
  parsePresenceData,
  parsePresenceValue,
  presenceRank,
  type PresenceInfo,
} from '../../src/state/presence-state.js';

test('presence values parse case-insensitively; anything else is INVALID (empty string)', () => {
  assert.deepEqual(PRESENCE_VALUES, ['not_set', 'unavailable', 'available', 'away', 'xa', 'chat', 'dnd']);
  for (const v of PRESENCE_VALUES) {
    assert.equal(parsePresenceValue(v), v);
    assert.equal(parsePresenceValue(v.toUpperCase()), v);
  }
  assert.equal(parsePresenceValue('Away'), 'away');
  assert.equal(parsePresenceValue('INVALID'), '');
  assert.equal(parsePresenceValue('bored'), '');
  assert.equal(parsePresenceValue(''), '');
});

test("parse_data: Asterisk's valid unit-test cases", () => {
  const valid: Array<[string, string, string, string, string]> = [
    ['away', 'away', '', '', ''],
    ['not_set', 'not_set', '', '', ''],
    ['unavailable', 'unavailable', '', '', ''],
    ['available', 'available', '', '', ''],
    ['xa', 'xa', '', '', ''],
    ['chat', 'chat', '', '', ''],
    ['dnd', 'dnd', '', '', ''],
    ['away,down the hall', 'away', 'down the hall', '', ''],
    ['away,down the hall,Quarterly financial meeting', 'away', 'down the hall', 'Quarterly financial meeting', ''],
    ['away,,Quarterly financial meeting', 'away', '', 'Quarterly financial meeting', ''],
    ['away,,,e', 'away', '', '', 'e'],
    ['away,down the hall,,e', 'away', 'down the hall', '', 'e'],
    ['away,,,,e', 'away', '', '', ''],
  ];
  for (const [raw, state, subtype, message, options] of valid) {
    const r = parsePresenceData(raw);
    assert.ok(r.ok, raw);
    assert.deepEqual(
      { state: r.data.state, subtype: r.data.subtype, message: r.data.message, options: r.data.options },
      { state, subtype, message, options },
      raw,
    );
  }
  const typed = parsePresenceData('AWAY,lunch,Out to lunch');
  assert.ok(typed.ok);
  assert.equal(typed.data.stateToken, 'AWAY', 'the state word is kept as typed');
});

test("parse_data: Asterisk's invalid cases and their log lines", () => {
  assert.deepEqual(parsePresenceData(''), { ok: false, reason: 'missing-state', log: null });
  assert.deepEqual(parsePresenceData(',lunch'), { ok: false, reason: 'missing-state', log: null });
  assert.deepEqual(parsePresenceData('bored'), {
    ok: false,
    reason: 'unknown-state',
    log: 'Unknown presence state value bored',
  });
  assert.deepEqual(parsePresenceData('away,,,i'), { ok: false, reason: 'bad-options', log: "Invalid options  'i'" });
});

test('Base64 fields decode with a byte limit and stop at a NUL', () => {
  assert.equal(decodeBase64Field('c3VidHlwZQ==', 255), 'subtype');
  assert.equal(decodeBase64Field('T24gdmFjYXRpb24=', 255), 'On vacation');
  assert.equal(decodeBase64Field(Buffer.from('x'.repeat(300)).toString('base64'), 255), 'x'.repeat(255));
  assert.equal(decodeBase64Field(Buffer.from('ab\0cd').toString('base64'), 255), 'ab');
});

test('aggregation rank: DND > XA > AWAY > CHAT > UNAVAILABLE > AVAILABLE > NOT_SET > INVALID', () => {
  const order = ['', 'not_set', 'available', 'unavailable', 'chat', 'away', 'xa', 'dnd'] as const;
  order.forEach((s, i) => assert.equal(presenceRank(s), i));
});

function engine(): { presence: PresenceEngine; events: Array<HeraldEvents['PresenceStateChanged']>; values: Map<string, PresenceInfo> } {
  const bus = new EventBus();
  const events: Array<HeraldEvents['PresenceStateChanged']> = [];
  bus.on('PresenceStateChanged', (e) => events.push(e));
  const presence = new PresenceEngine({ bus });
  const values = new Map<string, PresenceInfo>();
  presence.registerProvider('Lamp', (name) => values.get(name) ?? { state: 'not_set', subtype: '', message: '' });
  return { presence, events, values };
}

test('& aggregation: the highest rank wins with its subtype and message; ties keep the first', () => {
  const { presence, values } = engine();
  values.set('a', { state: 'away', subtype: 'sa', message: 'ma' });
  values.set('b', { state: 'dnd', subtype: 'sb', message: 'mb' });
  values.set('c', { state: 'away', subtype: 'sc', message: 'mc' });
  assert.deepEqual(presence.query('Lamp:a&Lamp:b'), { state: 'dnd', subtype: 'sb', message: 'mb' });
  assert.deepEqual(presence.query('Lamp:a&Lamp:c'), { state: 'away', subtype: 'sa', message: 'ma' });
  assert.deepEqual(presence.query('Lamp:c&Lamp:a'), { state: 'away', subtype: 'sc', message: 'mc' });
  assert.deepEqual(presence.query('Lamp:a&Nope:x'), { state: 'away', subtype: 'sa', message: 'ma' });
  assert.equal(presence.query('Nope:x').state, '', 'an unknown label is INVALID');
  assert.equal(presence.query('nolabel').state, '', "neither ':' nor '/' is INVALID");
  assert.equal(presence.query('lamp:zzz').state, 'not_set', 'labels match case-insensitively');
});

test('publish: no de-duplication, cache used by get(), not_set re-asks the provider', () => {
  const { presence, events, values } = engine();
  presence.publish('Lamp:a', { state: 'away', subtype: 's', message: 'm' });
  presence.publish('Lamp:a', { state: 'away', subtype: 's', message: 'm' });
  assert.equal(events.length, 2, 'every publication goes out');
  assert.deepEqual(presence.get('Lamp:a'), { state: 'away', subtype: 's', message: 'm' }, 'cached');
  assert.deepEqual(presence.query('Lamp:a'), { state: 'not_set', subtype: '', message: '' }, 'no-cache asks the provider');
  values.set('a', { state: 'chat', subtype: '', message: 'from provider' });
  presence.publish('Lamp:a', { state: 'not_set', subtype: '', message: '' });
  assert.deepEqual(events[2], { provider: 'Lamp:a', state: 'chat', subtype: '', message: 'from provider' });
  assert.deepEqual(presence.cached(), [{ provider: 'Lamp:a', info: { state: 'chat', subtype: '', message: 'from provider' } }]);
});
