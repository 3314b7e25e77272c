import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceStateWriteError } from '../../src/state/custom-devstate.js';
import { makeHarness, type Harness } from './harness.js';

function deviceEvents(h: Harness): unknown[] {
  return h.events.filter((e) => e.name === 'DeviceStateChanged').map((e) => e.event);
}

test('DEVICE_STATE write: Custom: only, stored as typed under CustomDevstate/<name>, published once', async () => {
  const h = makeHarness();
  await h.write('DEVICE_STATE(Custom:lamp1)', 'BUSY');
  await h.write('DEVICE_STATE(custom:lamp2)', 'ringing');
  await h.write('DEVICE_STATE(Custom:lamp1)', 'busy');
  assert.deepEqual(h.store.entries('CustomDevstate'), [
    { key: '/CustomDevstate/lamp1', value: 'busy' },
    { key: '/CustomDevstate/lamp2', value: 'ringing' },
  ]);
  assert.deepEqual(deviceEvents(h), [
    { device: 'Custom:lamp1', state: 'BUSY' },
    { device: 'Custom:lamp2', state: 'RINGING' },
  ], 'an unchanged state is not published again');
  assert.equal(h.read('DEVICE_STATE(Custom:lamp1)'), 'BUSY');
  assert.equal(h.read('DEVICE_STATE(custom:lamp2)'), 'RINGING', 'the provider is found case-insensitively');
  await h.write('DEVICE_STATE(Custom:lamp3)', 'INVALID');
  assert.equal(h.read('DEVICE_STATE(Custom:lamp3)'), 'INVALID', 'INVALID can be written');
});

test('DEVICE_STATE read: any device; never-set Custom is UNKNOWN; unknown technology INVALID', () => {
  const h = makeHarness();
  assert.equal(h.read('DEVICE_STATE(Custom:never)'), 'UNKNOWN');
  assert.equal(h.read('DEVICE_STATE(SIP/6002)'), 'INVALID', 'no SIP provider registered');
  h.state.devices.registerProvider('SIP', () => 'UNAVAILABLE');
  assert.equal(h.read('DEVICE_STATE(SIP/6002)'), 'UNAVAILABLE');
  h.state.devices.setState('SIP/6002', 'NOT_INUSE');
  assert.equal(h.read('DEVICE_STATE(SIP/6002)'), 'NOT_INUSE');
});

test('DEVICE_STATE write errors: Asterisk messages; UNKNOWN is refused; nothing stored', async () => {
  const h = makeHarness();
  const cases: Array<[string, string, string, 'warn' | 'error']> = [
    ['SIP/6002', 'BUSY', "The DEVICE_STATE function can only be used to set 'Custom:' device state!", 'warn'],
    ['Custom:', 'BUSY', 'DEVICE_STATE function called with no custom device name!', 'warn'],
    ['Custom:lamp1', 'UNKNOWN', "DEVICE_STATE function given invalid state value 'UNKNOWN'", 'error'],
    ['Custom:lamp1', 'unknown', "DEVICE_STATE function given invalid state value 'unknown'", 'error'],
    ['Custom:lamp1', 'FOO', "DEVICE_STATE function given invalid state value 'FOO'", 'error'],
    ['Custom:lamp1', '', "DEVICE_STATE function given invalid state value ''", 'error'],
  ];
  for (const [device, value, message, level] of cases) {
    await assert.rejects(h.write(`DEVICE_STATE(${device})`, value), (err: unknown) => {
      assert.ok(err instanceof DeviceStateWriteError);
      assert.equal(err.message, message);
      assert.equal(err.level, level);
      return true;
    });
  }
  assert.deepEqual(h.store.entries(), []);
  assert.deepEqual(deviceEvents(h), []);
});

test('replay after a restart: stored states come back into the cache and are published', async () => {
  const first = makeHarness();
  await first.write('DEVICE_STATE(Custom:foo)', 'INUSE');
  await first.write('DEVICE_STATE(Custom:bar)', 'onhold');
  first.state.close();
  const second = makeHarness(first.store);
  assert.deepEqual(deviceEvents(second), [
    { device: 'Custom:bar', state: 'ONHOLD' },
    { device: 'Custom:foo', state: 'INUSE' },
  ]);
  assert.equal(second.read('DEVICE_STATE(Custom:foo)'), 'INUSE');
  assert.deepEqual(second.state.devices.cached().map((c) => c.device).sort(), ['Custom:bar', 'Custom:foo']);
});

test('devstate change / list: exact text, usage and failure', async () => {
  const h = makeHarness();
  assert.deepEqual(await h.run('devstate change Custom:foo NOT_INUSE'), { output: 'Changing foo to NOT_INUSE\n', ok: true });
  assert.deepEqual(await h.run('devstate change Custom:bar inuse'), { output: 'Changing bar to inuse\n', ok: true });
  assert.equal(h.store.get('CustomDevstate', 'bar'), 'inuse', 'stored as typed');
  const fail = await h.run('devstate change SIP/6002 INUSE');
  assert.deepEqual(fail, {
    output: "The devstate command can only be used to set 'Custom:' device state!\nCommand 'devstate change SIP/6002 INUSE' failed.\n",
    ok: false,
  });
  for (const line of ['devstate change Custom:foo FOO', 'devstate change Custom:foo UNKNOWN', 'devstate change Custom: BUSY', 'devstate change Custom:foo']) {
    const r = await h.run(line);
    assert.equal(r.ok, false, line);
    assert.match(r.output, /^Usage: devstate change <device> <state>\n/, line);
  }
  assert.equal((await h.run('devstate list x')).ok, false);
  const list = await h.run('devstate list');
  assert.equal(
    list.output,
    '\n---------------------------------------------------------------------\n' +
      '--- Custom Device States --------------------------------------------\n' +
      '---------------------------------------------------------------------\n' +
      '---\n' +
      "--- Name: 'Custom:bar'  State: 'inuse'\n---\n" +
      "--- Name: 'Custom:foo'  State: 'NOT_INUSE'\n---\n" +
      '---------------------------------------------------------------------\n' +
      '---------------------------------------------------------------------\n\n',
  );
  assert.deepEqual(h.cli.complete('devstate change Custom:foo RING'), ['RINGING', 'RINGINUSE']);
});
