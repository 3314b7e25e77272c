import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FunctionError } from '../../src/pbx/types.js';
import { DEVICE_STATES, type DeviceState } from '../../src/state/device-state.js';
import {
  deviceToExtensionState,
  extensionStateFunctionString,
  extensionStateText,
} from '../../src/state/extension-state.js';
import { HintNotFoundError, type ExtensionStateUpdate } from '../../src/state/hints.js';
import { formatHintLine } from '../../src/state/hints-cli.js';
import { fixture } from '../helpers/paths.js';
import { captureHints, hintEntry, makeHarness, type Harness } from './harness.js';

function extensionEvents(h: Harness): ExtensionStateUpdate[] {
  return h.events.filter((e) => e.name === 'ExtensionStateChanged').map((e) => e.event as ExtensionStateUpdate);
}

test('extension state numbers, CLI text and EXTENSION_STATE strings (reference §3.3)', () => {
  const rows: Array<[number, string, string]> = [
    [-2, 'Unknown', 'UNKNOWN'],
    [-1, 'Unknown', 'UNKNOWN'],
    [0, 'Idle', 'NOT_INUSE'],
    [1, 'InUse', 'INUSE'],
    [2, 'Busy', 'BUSY'],
    [4, 'Unavailable', 'UNAVAILABLE'],
    [8, 'Ringing', 'RINGING'],
    [9, 'InUse&Ringing', 'RINGINUSE'],
    [16, 'Hold', 'ONHOLD'],
    [17, 'InUse&Hold', 'HOLDINUSE'],
    [3, 'Unknown', 'UNKNOWN'],
  ];
  for (const [n, text, fn] of rows) {
    assert.equal(extensionStateText(n), text, String(n));
    assert.equal(extensionStateFunctionString(n), fn, String(n));
  }
});

test('device state → extension state mapping, through a real hint', async () => {
  const expected: Record<DeviceState, [number, string]> = {
    UNKNOWN: [0, 'Idle'],
    NOT_INUSE: [0, 'Idle'],
    INUSE: [1, 'InUse'],
    BUSY: [2, 'Busy'],
    INVALID: [4, 'Unavailable'],
    UNAVAILABLE: [4, 'Unavailable'],
    RINGING: [8, 'Ringing'],
    RINGINUSE: [9, 'InUse&Ringing'],
    ONHOLD: [16, 'Hold'],
  };
  const h = makeHarness();
  h.state.hints.setHints([hintEntry('default', 'lamp', 'Custom:lamp')]);
  for (const s of DEVICE_STATES) {
    assert.equal(deviceToExtensionState(s), expected[s][0], s);
    h.state.devices.setState('Custom:lamp', s);
    const snap = h.state.hints.find('default', 'lamp');
    assert.deepEqual([snap?.state, snap?.stateText], expected[s], s);
  }
});

test('a never-set Custom device is Idle; a presence-only hint is Unavailable; devices aggregate', async () => {
  const h = makeHarness();
  h.state.hints.setHints([
    hintEntry('default', 'foo', 'Custom:foo'),
    hintEntry('default', 'lamp1', ',CustomPresence:lamp1'),
    hintEntry('default', 'pair', 'Custom:a&Custom:b'),
  ]);
  assert.equal(h.state.hints.find('default', 'foo')?.stateText, 'Idle');
  const lamp = h.state.hints.find('default', 'lamp1');
  assert.deepEqual([lamp?.state, lamp?.hint, lamp?.devices, lamp?.presence.state], [4, ',CustomPresence:lamp1', [], 'not_set']);
  await h.write('DEVICE_STATE(Custom:a)', 'ONHOLD');
  assert.equal(h.state.hints.find('default', 'pair')?.stateText, 'Hold');
  await h.write('DEVICE_STATE(Custom:b)', 'RINGING');
  assert.equal(h.state.hints.find('default', 'pair')?.stateText, 'InUse&Ringing', 'ONHOLD + RINGING = RINGINUSE');
  await h.write('PRESENCE_STATE(CustomPresence:lamp1)', 'dnd,,busy');
  assert.deepEqual(h.state.hints.find('default', 'lamp1')?.presence, { state: 'dnd', subtype: '', message: 'busy' });
});

test('has(): whether a hint exists, without a snapshot', () => {
  const h = makeHarness();
  h.state.hints.setHints([hintEntry('default', 'foo', 'Custom:foo')]);
  assert.equal(h.state.hints.has('default', 'foo'), true);
  assert.equal(h.state.hints.has('default', 'bar'), false);
  assert.equal(h.state.hints.has('other', 'foo'), false);
  h.state.hints.setHints([]);
  assert.equal(h.state.hints.has('default', 'foo'), false);
});

test('watchers: called on change; a repeated state only when it includes RINGING; the bus only on change', () => {
  const h = makeHarness();
  h.state.hints.setHints([hintEntry('default', '100', 'Custom:a&Custom:b')]);
  const seen: ExtensionStateUpdate[] = [];
  const stop = h.state.hints.watch('default', '100', (u) => seen.push(u));
  assert.equal(h.state.hints.find('default', '100')?.watchers, 1);
  h.state.devices.setState('Custom:a', 'NOT_INUSE');
  h.state.devices.setState('Custom:b', 'UNAVAILABLE');
  assert.equal(seen.length, 0, 'Idle stays Idle: nobody is told');
  h.state.devices.setState('Custom:a', 'RINGING');
  h.state.devices.setState('Custom:b', 'INVALID');
  h.state.devices.setState('Custom:a', 'RINGING');
  assert.deepEqual(seen.map((u) => [u.state, u.stateText, u.reason]), [
    [8, 'Ringing', 'device'],
    [8, 'Ringing', 'device'],
  ], 'a second ringing update re-notifies the watcher; an unchanged device is not republished');
  assert.deepEqual(extensionEvents(h).map((u) => u.state), [8], 'the bus hears only the change');
  assert.deepEqual(seen[0], {
    context: 'default',
    exten: '100',
    hint: 'Custom:a&Custom:b',
    state: 8,
    stateText: 'Ringing',
    presence: 'not_set',
    presenceSubtype: '',
    presenceMessage: '',
    reason: 'device',
  });
  stop();
  stop();
  assert.equal(h.state.hints.find('default', '100')?.watchers, 0);
  h.state.devices.setState('Custom:a', 'INUSE');
  assert.equal(seen.length, 2, 'an unsubscribed watcher hears nothing');
});

test('device names in hints match case-insensitively', () => {
  const h = makeHarness();
  h.state.devices.registerProvider('SIP', () => 'UNAVAILABLE');
  h.state.hints.setHints([hintEntry('default', '6002', 'sip/6002')]);
  h.state.devices.setState('SIP/6002', 'NOT_INUSE');
  assert.equal(h.state.hints.find('default', '6002')?.stateText, 'Unavailable', 'the cache is keyed as published');
  assert.equal(extensionEvents(h).length, 0);
  h.state.devices.setState('sip/6002', 'INUSE');
  assert.equal(h.state.hints.find('default', '6002')?.stateText, 'InUse');
});

test('presence on hints: pushed only when state, subtype or message differ; provider matched as a substring', async () => {
  const h = makeHarness();
  h.state.hints.setHints(captureHints());
  const seen: ExtensionStateUpdate[] = [];
  h.state.hints.watch('from-internal', '6002', (u) => seen.push(u));
  await h.write('PRESENCE_STATE(CustomPresence:6002)', 'away,lunch,Out to lunch');
  await h.write('PRESENCE_STATE(CustomPresence:6002)', 'AWAY,lunch,Out to lunch');
  await h.write('PRESENCE_STATE(CustomPresence:6002)', 'away,lunch,Back at 2');
  // The presence cache is keyed by the provider string exactly (Asterisk's stasis cache hashes
  // case-sensitively): a write under another spelling does not reach the hint's cached view.
  await h.write('PRESENCE_STATE(custompresence:6002)', 'dnd');
  assert.deepEqual(seen.map((u) => [u.reason, u.state, u.presence, u.presenceSubtype, u.presenceMessage]), [
    ['presence', 4, 'away', 'lunch', 'Out to lunch'],
    ['presence', 4, 'away', 'lunch', 'Back at 2'],
  ]);
  assert.equal(extensionEvents(h).length, 2);
  assert.equal(h.events.filter((e) => e.name === 'PresenceStateChanged').length, 4, 'the provider publishes every write');
  assert.equal(h.state.hints.find('from-internal', '2000')?.presence.state, 'not_set', 'other hints untouched');
});

test('watch() on a missing hint throws HintNotFoundError (404 for SIP)', () => {
  const h = makeHarness();
  assert.throws(() => h.state.hints.watch('default', 'nope', () => {}), (err: unknown) => {
    assert.ok(err instanceof HintNotFoundError);
    assert.equal(err.sipStatus, 404);
    assert.equal(err.code, 'NO_HINT');
    return true;
  });
});

test('reload: kept hints keep watchers and state, removed ones tell watchers -2 and drop them, new ones start', () => {
  const h = makeHarness();
  h.state.hints.setHints(captureHints());
  h.state.devices.setState('Custom:foo', 'INUSE');
  const foo: ExtensionStateUpdate[] = [];
  const six: ExtensionStateUpdate[] = [];
  h.state.hints.watch('from-internal', 'foo', (u) => foo.push(u));
  const stop6002 = h.state.hints.watch('from-internal', '6002', (u) => six.push(u));
  h.events.length = 0;
  h.bus.emit('DialplanReloaded', {
    hints: [
      hintEntry('from-internal', 'foo', 'Custom:foo'),
      hintEntry('from-internal', '2000', 'SIP/2000,CustomPresence:2000'),
      hintEntry('from-internal', '7000', 'Custom:seven'),
    ],
  });
  assert.deepEqual(six.map((u) => [u.state, u.stateText, u.reason]), [[-2, 'Unknown', 'removed']]);
  assert.equal(foo.length, 0, 'an unchanged kept hint says nothing');
  assert.equal(h.state.hints.find('from-internal', 'foo')?.watchers, 1);
  assert.equal(h.state.hints.find('from-internal', 'foo')?.stateText, 'InUse');
  assert.equal(h.state.hints.find('from-internal', '6002'), undefined);
  assert.equal(h.state.hints.find('from-internal', '7000')?.stateText, 'Idle');
  assert.deepEqual(extensionEvents(h).map((u) => [u.exten, u.state, u.reason]), [['6002', -2, 'removed']]);
  stop6002();
  // A kept hint whose devices changed is recomputed and notifies.
  h.state.hints.setHints([hintEntry('from-internal', 'foo', 'Custom:other')]);
  assert.deepEqual(foo.map((u) => [u.state, u.hint]), [[0, 'Custom:other']]);
  h.state.devices.setState('Custom:foo', 'BUSY');
  assert.equal(foo.length, 1, 'the old device no longer drives the hint');
});

test('refreshAll picks up a provider registered after the hints were loaded', () => {
  const h = makeHarness();
  h.state.hints.setHints([hintEntry('default', '6002', 'SIP/6002')]);
  assert.equal(h.state.hints.find('default', '6002')?.stateText, 'Unavailable', 'no SIP provider: INVALID');
  h.state.devices.registerProvider('SIP', () => 'NOT_INUSE');
  h.state.hints.refreshAll();
  assert.equal(h.state.hints.find('default', '6002')?.stateText, 'Idle');
  assert.deepEqual(extensionEvents(h).map((u) => u.stateText), ['Idle']);
});

test('a throwing watcher does not stop the others', () => {
  const h = makeHarness();
  h.state.hints.setHints([hintEntry('default', '1', 'Custom:x')]);
  const seen: number[] = [];
  h.state.hints.watch('default', '1', () => {
    throw new Error('bad watcher');
  });
  h.state.hints.watch('default', '1', (u) => seen.push(u.state));
  h.state.devices.setState('Custom:x', 'BUSY');
  assert.deepEqual(seen, [2]);
});

test('EXTENSION_STATE and HINT functions', async () => {
  const h = makeHarness();
  h.state.hints.setHints([...captureHints(), hintEntry('default', '100', 'Custom:d')]);
  await h.write('DEVICE_STATE(Custom:foo)', 'RINGING');
  assert.equal(h.read('EXTENSION_STATE(foo@from-internal)'), 'RINGING');
  assert.equal(h.read('EXTENSION_STATE(6002@from-internal)'), 'UNAVAILABLE');
  assert.equal(h.read('EXTENSION_STATE(9999@from-internal)'), 'UNKNOWN');
  assert.equal(h.read('EXTENSION_STATE(100)'), 'NOT_INUSE', 'context defaults to default');
  assert.equal(h.read('EXTENSION_STATE(100@)'), 'NOT_INUSE');
  assert.throws(() => h.read('EXTENSION_STATE()'), (e: unknown) => e instanceof FunctionError && e.message === 'EXTENSION_STATE requires an extension');
  assert.throws(() => h.read('EXTENSION_STATE(@from-internal)'), /EXTENSION_STATE requires an extension/);
  assert.equal(h.read('HINT(6002@from-internal)'), 'SIP/6002,CustomPresence:6002');
  assert.equal(h.read('HINT(100)'), 'Custom:d');
  assert.equal(h.read('HINT(6002@from-internal,n)'), '');
  assert.equal(h.read('HINT(9999@from-internal)'), '');
  assert.throws(() => h.read('HINT()'), /The HINT function requires an extension/);
  assert.throws(() => h.read('HINT(,n)'), /The HINT function requires an extension/);
});

test('core show hints line layout matches the reference example line by line', () => {
  const h = makeHarness();
  h.state.devices.registerProvider('PJSIP', (r) => (r === '2000' ? 'INUSE' : 'UNAVAILABLE'));
  h.state.hints.setHints([
    hintEntry('default', '2000', 'PJSIP/2000&PJSIP/2000-mobile,CustomPresence:2000'),
    hintEntry('default', 'lamp1', ',CustomPresence:lamp1'),
  ]);
  h.state.presence.publish('CustomPresence:2000', { state: 'away', subtype: '', message: '' });
  h.state.presence.publish('CustomPresence:lamp1', { state: 'dnd', subtype: '', message: '' });
  h.state.hints.watch('default', '2000', () => {});
  h.state.hints.watch('default', '2000', () => {});
  const lines = readFileSync(fixture('state', 'core-show-hints-reference.txt'), 'utf8').split('\n');
  const byExten = new Map(h.state.hints.list().map((s) => [s.exten, formatHintLine(s)]));
  assert.equal(byExten.get('2000'), `${lines[2]}\n`);
  assert.equal(byExten.get('lamp1'), `${lines[3]}\n`);
});

test('core show hints / core show hint: empty, prefix match, plural, truncation, completion', async () => {
  const h = makeHarness();
  assert.deepEqual(await h.run('core show hints'), { output: 'There are no registered dialplan hints\n', ok: true });
  assert.deepEqual(await h.run('core show hint 6002'), { output: 'There are no registered dialplan hints\n', ok: true });
  const long = `Custom:${'x'.repeat(70)}`;
  h.state.hints.setHints([
    hintEntry('a', '6002', 'Custom:p'),
    hintEntry('b', '6002', 'Custom:q'),
    hintEntry('a-very-long-context-name-here', 'Long', long),
  ]);
  const two = await h.run('core show hint 6002');
  assert.match(two.output, /\n2 hints matching extension 6002\n$/);
  assert.equal(two.output.split('\n').length, 4);
  const none = await h.run('core show hint zz');
  assert.equal(none.output, 'No hints matching extension zz\n');
  const upper = await h.run('core show hint LONG@A');
  assert.equal(
    upper.output,
    `${'Long@a-very-long-context-name-'}: ${long.slice(0, 60)}  State:Idle            Presence:not_set         Watchers  0\n` +
      '1 hint matching extension LONG@A\n',
  );
  assert.equal((await h.run('core show hint')).ok, false);
  assert.equal((await h.run('core show hints x')).ok, false);
  assert.deepEqual(h.cli.complete('core show hint 6'), ['6002']);
});
