import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EventBus, type HeraldEvents } from '../../src/core/bus.js';
import {
  DEVICE_STATES,
  DeviceStateEngine,
  aggregateDeviceStates,
  deviceStateFromNumber,
  deviceStateHumanText,
  deviceStateNumber,
  parseDeviceState,
  type DeviceState,
} from '../../src/state/device-state.js';
import { fixture } from '../helpers/paths.js';

test('the nine device states keep Asterisk numbers and both strings', () => {
  const expected: Array<[DeviceState, number, string]> = [
    ['UNKNOWN', 0, 'Unknown'],
    ['NOT_INUSE', 1, 'Not in use'],
    ['INUSE', 2, 'In use'],
    ['BUSY', 3, 'Busy'],
    ['INVALID', 4, 'Invalid'],
    ['UNAVAILABLE', 5, 'Unavailable'],
    ['RINGING', 6, 'Ringing'],
    ['RINGINUSE', 7, 'Ring+Inuse'],
    ['ONHOLD', 8, 'On Hold'],
  ];
  assert.equal(DEVICE_STATES.length, 9);
  for (const [name, n, human] of expected) {
    assert.equal(deviceStateNumber(name), n);
    assert.equal(deviceStateFromNumber(n), name);
    assert.equal(deviceStateHumanText(name), human);
    assert.equal(parseDeviceState(name), name);
    assert.equal(parseDeviceState(name.toLowerCase()), name, 'parsing is case-insensitive');
  }
  assert.equal(parseDeviceState('Not_InUse'), 'NOT_INUSE');
  assert.equal(parseDeviceState('bogus'), 'UNKNOWN', 'anything unrecognised is UNKNOWN');
  assert.equal(parseDeviceState(''), 'UNKNOWN');
  assert.equal(deviceStateFromNumber(42), 'UNKNOWN');
});

function readAggregateTable(): Array<[DeviceState, DeviceState, DeviceState]> {
  const full = (s: string): DeviceState => (s === 'UNAVAIL' ? 'UNAVAILABLE' : (s as DeviceState));
  const rows = readFileSync(fixture('state', 'devstate-aggregate-table.md'), 'utf8').trim().split('\n');
  const cells = (line: string): string[] => line.split('|').slice(1, -1).map((c) => c.trim());
  const header = cells(rows[0]!).slice(1).map(full);
  const out: Array<[DeviceState, DeviceState, DeviceState]> = [];
  for (const line of rows.slice(2)) {
    const [rowName, ...results] = cells(line);
    results.forEach((r, i) => {
      if (r !== '') out.push([full(rowName!), header[i]!, full(r)]);
    });
  }
  return out;
}

test('aggregation of two devices matches every cell of the §3.2 table, in both orders', () => {
  const table = readAggregateTable();
  assert.equal(table.length, 45, 'the upper triangle of a 9x9 table');
  for (const [a, b, expected] of table) {
    assert.equal(aggregateDeviceStates([a, b]), expected, `${a} + ${b}`);
    assert.equal(aggregateDeviceStates([b, a]), expected, `${b} + ${a}`);
  }
});

test('aggregation edge cases: empty list, one device, three devices', () => {
  assert.equal(aggregateDeviceStates([]), 'INVALID');
  for (const s of DEVICE_STATES) assert.equal(aggregateDeviceStates([s]), s);
  assert.equal(aggregateDeviceStates(['UNAVAILABLE', 'NOT_INUSE', 'UNAVAILABLE']), 'NOT_INUSE');
  assert.equal(aggregateDeviceStates(['ONHOLD', 'NOT_INUSE', 'RINGING']), 'RINGINUSE');
  assert.equal(aggregateDeviceStates(['RINGING', 'UNAVAILABLE', 'BUSY']), 'RINGINUSE');
});

function engineWithEvents(): { engine: DeviceStateEngine; events: Array<HeraldEvents['DeviceStateChanged']> } {
  const bus = new EventBus();
  const events: Array<HeraldEvents['DeviceStateChanged']> = [];
  bus.on('DeviceStateChanged', (e) => events.push(e));
  return { engine: new DeviceStateEngine({ bus }), events };
}

test('providers by technology and by label, case-insensitive; unknown ones are INVALID', () => {
  const { engine } = engineWithEvents();
  const peers = new Map<string, DeviceState>([['6002', 'NOT_INUSE']]);
  engine.registerProvider('SIP', (peer) => peers.get(peer) ?? 'INVALID');
  engine.registerProvider('Custom', (name) => (name === 'lamp' ? 'BUSY' : 'UNKNOWN'), 'label');
  assert.equal(engine.getState('SIP/6002'), 'NOT_INUSE');
  assert.equal(engine.getState('sip/6002'), 'NOT_INUSE');
  assert.equal(engine.getState('SIP/9999'), 'INVALID');
  assert.equal(engine.getState('Custom:lamp'), 'BUSY');
  assert.equal(engine.getState('CUSTOM:lamp'), 'BUSY');
  assert.equal(engine.getState('Custom:other'), 'UNKNOWN');
  assert.equal(engine.getState('PJSIP/6002'), 'INVALID', 'unknown technology');
  assert.equal(engine.getState('Foo:bar'), 'INVALID', 'unknown label');
  assert.equal(engine.getState('Custom/lamp'), 'INVALID', 'a label provider is not a technology');
  assert.equal(engine.getState('nothing'), 'INVALID', "neither '/' nor ':'");
  assert.throws(() => engine.registerProvider('sip', () => 'UNKNOWN'), /already registered/);
});

test('setState publishes only changes; cached UNKNOWN falls back to the provider; refresh re-queries', () => {
  const { engine, events } = engineWithEvents();
  let sip: DeviceState = 'UNAVAILABLE';
  engine.registerProvider('SIP', () => sip);
  assert.equal(engine.setState('SIP/6002', 'NOT_INUSE'), true);
  assert.equal(engine.setState('SIP/6002', 'NOT_INUSE'), false, 'an unchanged cachable state is not republished');
  assert.equal(engine.getState('SIP/6002'), 'NOT_INUSE', 'the cache wins over the provider');
  assert.equal(engine.setState('SIP/6002', 'INUSE'), true);
  assert.deepEqual(events, [
    { device: 'SIP/6002', state: 'NOT_INUSE' },
    { device: 'SIP/6002', state: 'INUSE' },
  ]);
  engine.setState('SIP/6002', 'UNKNOWN');
  assert.equal(engine.getState('SIP/6002'), 'UNAVAILABLE', 'a cached UNKNOWN asks the provider');
  sip = 'RINGING';
  assert.equal(engine.refresh('SIP/6002'), 'RINGING');
  assert.equal(engine.refresh('SIP/6002'), 'RINGING');
  assert.deepEqual(events.slice(2), [
    { device: 'SIP/6002', state: 'UNKNOWN' },
    { device: 'SIP/6002', state: 'RINGING' },
  ]);
  assert.deepEqual(engine.cached(), [{ device: 'SIP/6002', state: 'RINGING' }]);
});

test('a throwing provider gives INVALID and never escapes', () => {
  const { engine } = engineWithEvents();
  engine.registerProvider('SIP', () => {
    throw new Error('boom');
  });
  assert.equal(engine.getState('SIP/x'), 'INVALID');
});

test('removing a provider makes its devices INVALID again', () => {
  const { engine } = engineWithEvents();
  const remove = engine.registerProvider('SIP', () => 'NOT_INUSE');
  assert.equal(engine.getState('SIP/a'), 'NOT_INUSE');
  remove();
  assert.equal(engine.getState('SIP/a'), 'INVALID');
});
