/**
 * Replays the Asterisk 20 CLI capture (test/fixtures/state/cli-plain-ua.txt) against the state
 * engines: every state command's output must match byte for byte, with the SIP side of the
 * run (two subscriptions from 2000, REGISTER of 6002) simulated through the public API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { DeviceState } from '../../src/state/device-state.js';
import type { ExtensionStateUpdate } from '../../src/state/hints.js';
import { fixture } from '../helpers/paths.js';
import { captureHints, makeHarness } from './harness.js';

interface Step {
  command: string;
  output: string;
}

/** `*CLI> cmd` lines start a step; the output runs to the next one, less the separator blank line. */
function readTranscript(name: string, separated: boolean): Step[] {
  const text = readFileSync(fixture('state', name), 'utf8');
  const parts = text.split(/^\*CLI> /m).slice(1);
  return parts.map((part) => {
    const nl = part.indexOf('\n');
    const command = part.slice(0, nl);
    let output = part.slice(nl + 1);
    if (separated && output.endsWith('\n\n')) output = output.slice(0, -1);
    return { command, output };
  });
}

const HANDLED = /^(presencestate |devstate |core show hints?\b|database show (CustomPresence|CustomDevstate)$)/;

test('the plain-UA capture: every state command prints what Asterisk 20 printed', async () => {
  const steps = readTranscript('cli-plain-ua.txt', true);
  assert.equal(steps.length, 46);
  const h = makeHarness();
  const peers = new Map<string, DeviceState>([
    ['2000', 'UNAVAILABLE'],
    ['6002', 'UNAVAILABLE'],
  ]);
  h.state.devices.registerProvider('SIP', (peer) => peers.get(peer) ?? 'INVALID');
  h.bus.emit('DialplanReloaded', { hints: captureHints() });
  const watched: ExtensionStateUpdate[] = [];
  const stops: Array<() => void> = [];
  let compared = 0;
  for (const step of steps) {
    // The SIP half of the run, at the points where the capture shows it happened.
    if (step.command === 'sip show subscriptions' && step.output.includes('2 active') && stops.length === 0) {
      for (let i = 0; i < 2; i++) stops.push(h.state.hints.watch('from-internal', '6002', (u) => watched.push(u)));
    }
    if (step.command === 'sip show peers' && step.output.includes('6002/6002') && peers.get('6002') !== 'NOT_INUSE') {
      peers.set('6002', 'NOT_INUSE');
      h.state.devices.refresh('SIP/6002');
    }
    if (step.command === 'sip show subscriptions' && step.output.includes('0 active')) {
      for (const stop of stops.splice(0)) stop();
    }
    if (!HANDLED.test(step.command)) continue;
    const result = await h.run(step.command);
    compared++;
    if (step.output.startsWith('Usage: ')) {
      // Usage texts are written in herald's own words; the syntax line is Asterisk's.
      assert.equal(result.ok, false, step.command);
      assert.equal(result.output.split('\n')[0], step.output.split('\n')[0], step.command);
    } else {
      assert.equal(result.output, step.output, step.command);
    }
  }
  assert.equal(compared, 34);
  // What the two subscriptions of 6002 were told, in order (each update reaches both).
  const perWatcher = watched.filter((_, i) => i % 2 === 0);
  assert.deepEqual(
    perWatcher.map((u) => [u.reason, u.stateText, u.presence, u.presenceSubtype, u.presenceMessage]),
    [
      ['presence', 'Unavailable', 'unavailable', '', ''],
      ['presence', 'Unavailable', 'away', 'lunch', 'Out to lunch'],
      ['device', 'Idle', 'away', 'lunch', 'Out to lunch'],
      ['presence', 'Idle', 'available', '', ''],
      ['presence', 'Idle', 'dnd', '', 'Busy in a meeting'],
      ['presence', 'Idle', 'xa', 'c3VidHlwZQ==', 'bWVzc2FnZQ=='],
      ['presence', 'Idle', 'away', '', ''],
      ['presence', 'Idle', 'not_set', '', ''],
      ['presence', 'Idle', 'chat', '', 'Hi there'],
    ],
  );
});

test('the capture shows the same event order as AMI: DeviceStateChange before ExtensionStatus', async () => {
  const h = makeHarness();
  h.bus.emit('DialplanReloaded', { hints: captureHints() });
  h.events.length = 0;
  await h.run('devstate change Custom:foo INUSE');
  assert.deepEqual(
    h.events.map((e) => e.name),
    ['DeviceStateChanged', 'ExtensionStateChanged'],
  );
  assert.deepEqual(h.events[1]?.event, {
    context: 'from-internal',
    exten: 'foo',
    hint: 'Custom:foo',
    state: 1,
    stateText: 'InUse',
    presence: 'not_set',
    presenceSubtype: '',
    presenceMessage: '',
    reason: 'device',
  });
  h.events.length = 0;
  await h.run('presencestate change CustomPresence:6002 UNAVAILABLE');
  assert.deepEqual(
    h.events.map((e) => e.name),
    ['PresenceStateChanged', 'ExtensionStateChanged'],
    'PresenceStateChange, then PresenceStatus; no ExtensionStatus for a pure presence change',
  );
});

test('the extra CLI checks of the capture (state stored as typed, echo as typed)', async () => {
  const steps = readTranscript('cli-extra.txt', false);
  const h = makeHarness();
  const expectations = new Map<string, string>([
    ['presencestate change CustomPresence:6002 away', 'Changing 6002 to away\n'],
    ['presencestate change CustomPresence:6002 "dnd,meeting,In a meeting"', 'Changing 6002 to dnd\n'],
    ['devstate change Custom:foo NOT_INUSE', 'Changing foo to NOT_INUSE\n'],
  ]);
  let seen = 0;
  for (const step of steps) {
    const expected = expectations.get(step.command);
    if (expected !== undefined) {
      assert.equal(step.output, expected, 'fixture and expectation agree');
      assert.deepEqual(await h.run(step.command), { output: expected, ok: true });
      seen++;
    }
    if (step.command === 'database show CustomPresence') {
      // This block has no trailing padding on the value lines; compare the key and value only.
      const want = step.output.split('\n')[0]!.split(' : ');
      const got = (await h.run(step.command)).output.split('\n')[0]!.split(' : ');
      assert.deepEqual([got[0], got[1]?.trimEnd()], want);
    }
    if (step.command === 'devstate change Custom:foo FOO') {
      const r = await h.run(step.command);
      assert.equal(r.ok, false);
      assert.equal(r.output.split('\n')[0], step.output.split('\n')[0]);
    }
  }
  assert.equal(seen, 3);
  assert.equal(h.store.get('CustomPresence', '6002'), 'dnd,meeting,In a meeting');
});
