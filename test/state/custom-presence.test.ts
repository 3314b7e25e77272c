import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { FunctionError } from '../../src/pbx/types.js';
import { PresenceWriteError } from '../../src/state/custom-presence.js';
import { makeHarness, type Harness } from './harness.js';

function presenceEvents(h: Harness): unknown[] {
  return h.events.filter((e) => e.name === 'PresenceStateChanged').map((e) => e.event);
}

test('PRESENCE_STATE write stores the raw value under CustomPresence/<name> and publishes', async () => {
  const h = makeHarness();
  await h.write('PRESENCE_STATE(CustomPresence:lamp1)', 'away,temporary,Out to lunch');
  await h.write('PRESENCE_STATE(CustomPresence:lamp2)', 'dnd,,Trying to get work done');
  await h.write('PRESENCE_STATE(CustomPresence:6002)', 'AWAY,lunch,Out to lunch');
  assert.deepEqual(h.store.entries('CustomPresence'), [
    { key: '/CustomPresence/6002', value: 'AWAY,lunch,Out to lunch' },
    { key: '/CustomPresence/lamp1', value: 'away,temporary,Out to lunch' },
    { key: '/CustomPresence/lamp2', value: 'dnd,,Trying to get work done' },
  ]);
  assert.deepEqual(presenceEvents(h), [
    { provider: 'CustomPresence:lamp1', state: 'away', subtype: 'temporary', message: 'Out to lunch' },
    { provider: 'CustomPresence:lamp2', state: 'dnd', subtype: '', message: 'Trying to get work done' },
    { provider: 'CustomPresence:6002', state: 'away', subtype: 'lunch', message: 'Out to lunch' },
  ]);
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:lamp1,value)'), 'away');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:lamp1,subtype)'), 'temporary');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:lamp1,message)'), 'Out to lunch');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:lamp1,MESSAGE)'), 'Out to lunch', 'field is case-insensitive');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:lamp2,subtype)'), '', 'empty subtype writes nothing');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:lamp1,colour)'), '', 'unknown field: empty, no error');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:6002,value)'), 'away', 'output is lower case');
});

test('PRESENCE_STATE with e: stored encoded, published and read decoded, read with e re-encodes', async () => {
  const h = makeHarness();
  await h.write('PRESENCE_STATE(CustomPresence:lamp3)', 'xa,T24gdmFjYXRpb24=,,e');
  assert.equal(h.store.get('CustomPresence', 'lamp3'), 'xa,T24gdmFjYXRpb24=,,e');
  assert.deepEqual(presenceEvents(h), [{ provider: 'CustomPresence:lamp3', state: 'xa', subtype: 'On vacation', message: '' }]);
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:lamp3,subtype)'), 'On vacation');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:lamp3,subtype,e)'), 'T24gdmFjYXRpb24=');
  // The AMI capture (§7.1): Setvar xa,c3ViPw==,bWVzc2FnZSE=,e then Getvar message / message,e.
  await h.write('PRESENCE_STATE(CustomPresence:6002)', 'xa,c3ViPw==,bWVzc2FnZSE=,e');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:6002,message)'), 'message!');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:6002,message,e)'), 'bWVzc2FnZSE=');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:6002,subtype)'), 'sub?');
});

test('PRESENCE_STATE read: a never-set CustomPresence is not_set; read errors carry Asterisk messages', () => {
  const h = makeHarness();
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:nobody,value)'), 'not_set');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:nobody,subtype)'), '');
  const cases: Array<[string, string]> = [
    ['', 'PRESENCE_STATE reading requires an argument '],
    ['CustomPresence:x', 'PRESENCE_STATE reading requires both presence provider and presence field arguments. '],
    [',value', 'PRESENCE_STATE reading requires both presence provider and presence field arguments. '],
    ['Foo:6002,value', 'PRESENCE_STATE unknown '],
    ['SIP/6002,value', 'PRESENCE_STATE unknown '],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => h.read(`PRESENCE_STATE(${args})`), (err: unknown) => {
      assert.ok(err instanceof FunctionError);
      assert.equal(err.message, message);
      return true;
    }, args);
  }
});

test('PRESENCE_STATE read of several providers joined with & takes the highest rank', async () => {
  const h = makeHarness();
  await h.write('PRESENCE_STATE(CustomPresence:a)', 'away,,at lunch');
  await h.write('PRESENCE_STATE(CustomPresence:b)', 'dnd,,meeting');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:a&CustomPresence:b,value)'), 'dnd');
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:a&CustomPresence:b,message)'), 'meeting');
});

test('PRESENCE_STATE write errors: Asterisk messages, log lines, nothing stored or published', async () => {
  const h = makeHarness();
  const cases: Array<[string, string, string, string | null]> = [
    ['Custom:6002', 'away', 'The PRESENCE_STATE function can only set CustomPresence: presence providers.', null],
    ['SIP/6002', 'away', 'The PRESENCE_STATE function can only set CustomPresence: presence providers.', null],
    ['CustomPresence:', 'away', 'PRESENCE_STATE function called with no custom device name!', null],
    ['CustomPresence:6002', 'bogus', 'Invalid arguments to PRESENCE_STATE', 'Unknown presence state value bogus'],
    ['CustomPresence:6002', 'INVALID', 'Invalid arguments to PRESENCE_STATE', 'Unknown presence state value INVALID'],
    ['CustomPresence:6002', '', 'Invalid arguments to PRESENCE_STATE', null],
    ['CustomPresence:6002', 'away,,,i', 'Invalid arguments to PRESENCE_STATE', "Invalid options  'i'"],
  ];
  for (const [provider, value, message, detail] of cases) {
    h.logLines.length = 0;
    await assert.rejects(h.write(`PRESENCE_STATE(${provider})`, value), (err: unknown) => {
      assert.ok(err instanceof PresenceWriteError);
      assert.equal(err.message, message);
      assert.equal(err.detail, detail);
      return true;
    });
    if (detail !== null) {
      const level = detail.startsWith('Invalid options') ? 30 : 40;
      assert.deepEqual(h.logLines, [{ level, msg: detail }], 'the detail line is logged (WARNING / NOTICE)');
    }
  }
  assert.deepEqual(h.store.entries(), []);
  assert.deepEqual(presenceEvents(h), []);
});

test('PRESENCE_STATE write: prefix is case-insensitive, published under the provider as written; NOT_SET re-queries', async () => {
  const h = makeHarness();
  await h.write('PRESENCE_STATE(custompresence:lamp9)', 'Chat');
  assert.equal(h.store.get('CustomPresence', 'lamp9'), 'Chat');
  await h.write('PRESENCE_STATE(CustomPresence:lamp9)', 'NOT_SET');
  assert.equal(h.store.get('CustomPresence', 'lamp9'), 'NOT_SET');
  assert.deepEqual(presenceEvents(h), [
    { provider: 'custompresence:lamp9', state: 'chat', subtype: '', message: '' },
    { provider: 'CustomPresence:lamp9', state: 'not_set', subtype: '', message: '' },
  ]);
});

test('replay after a restart: every stored entry is published (decoded) and fills the cache', async () => {
  const first = makeHarness();
  await first.write('PRESENCE_STATE(CustomPresence:lamp1)', 'away,temporary,Out to lunch');
  await first.write('PRESENCE_STATE(CustomPresence:lamp3)', 'xa,T24gdmFjYXRpb24=,,e');
  first.state.close();
  const second = makeHarness(first.store);
  assert.deepEqual(presenceEvents(second), [
    { provider: 'CustomPresence:lamp1', state: 'away', subtype: 'temporary', message: 'Out to lunch' },
    { provider: 'CustomPresence:lamp3', state: 'xa', subtype: 'On vacation', message: '' },
  ]);
  assert.deepEqual(second.state.presence.get('CustomPresence:lamp3'), { state: 'xa', subtype: 'On vacation', message: '' });
  assert.equal(second.read('PRESENCE_STATE(CustomPresence:lamp1,message)'), 'Out to lunch');
});

test('presencestate change: usage, failure and Base64 published undecoded', async () => {
  const h = makeHarness();
  const usage = (r: { output: string; ok: boolean }): void => {
    assert.equal(r.ok, false);
    assert.match(r.output, /^Usage: presencestate change <entity> <state>\[,<subtype>\[,message\[,options\]\]\]\n/);
  };
  usage(await h.run('presencestate change CustomPresence:6002'));
  usage(await h.run('presencestate change CustomPresence:6002 AWAY,lunch,Out to lunch'));
  usage(await h.run('presencestate change CustomPresence: AWAY'));
  usage(await h.run('presencestate change CustomPresence:6002 FOO'));
  usage(await h.run('presencestate change CustomPresence:6002 away,,,x'));
  const list = await h.run('presencestate list extra');
  assert.equal(list.ok, false);
  assert.match(list.output, /^Usage: presencestate list\n/);
  assert.deepEqual(h.store.entries(), [], 'nothing stored on error');
  const r = await h.run('presencestate change CustomPresence:6002 XA,c3VidHlwZQ==,bWVzc2FnZQ==,e');
  assert.deepEqual(r, { output: 'Changing 6002 to XA\n', ok: true });
  assert.deepEqual(presenceEvents(h), [
    { provider: 'CustomPresence:6002', state: 'xa', subtype: 'c3VidHlwZQ==', message: 'bWVzc2FnZQ==' },
  ]);
  assert.equal(h.read('PRESENCE_STATE(CustomPresence:6002,subtype)'), 'subtype', 'the provider still decodes');
  assert.deepEqual(h.cli.complete('presencestate change CustomPresence:6002 A'), ['AVAILABLE', 'AWAY']);
});

test('presencestate list skips an entry that does not parse, with a warning', async () => {
  const h = makeHarness();
  await h.store.put('CustomPresence', 'bad', 'sleepy,zz');
  const r = await h.run('presencestate list');
  assert.equal(
    r.output,
    '\n---------------------------------------------------------------------\n' +
      '--- Custom Presence States ------------------------------------------\n' +
      '---------------------------------------------------------------------\n' +
      '---\n' +
      '---------------------------------------------------------------------\n' +
      '---------------------------------------------------------------------\n\n',
  );
  assert.deepEqual(h.logLines, [{ level: 40, msg: 'Invalid CustomPresence entry sleepy,zz encountered' }]);
  assert.throws(() => h.read('PRESENCE_STATE(CustomPresence:bad,value)'), /^FunctionError: PRESENCE_STATE unknown $/);
});

test('a real restart on the SQLite store: Custom and CustomPresence come back', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-state-'));
  try {
    const path = join(dir, 'astdb.sqlite3');
    const first = makeHarness(SqliteStore.open(path));
    await first.run('presencestate change CustomPresence:6002 "AWAY,lunch,Out to lunch"');
    await first.run('devstate change Custom:foo INUSE');
    first.state.close();
    await first.store.close();
    const second = makeHarness(SqliteStore.open(path));
    assert.equal((await second.run('database show CustomPresence')).output,
      '/CustomPresence/6002                              : AWAY,lunch,Out to lunch  \n1 results found.\n');
    assert.equal(second.read('DEVICE_STATE(Custom:foo)'), 'INUSE');
    assert.deepEqual(second.state.presence.get('CustomPresence:6002'), { state: 'away', subtype: 'lunch', message: 'Out to lunch' });
    await second.store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
