// Functions that keep state: HASH, GLOBAL, SHARED, DB*, CALLERID, CHANNEL, and the registry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CALLERID, parseCallerId } from '../../../src/pbx/funcs/callerid.js';
import { CHANNEL, hangupHandlers } from '../../../src/pbx/funcs/channel.js';
import { DB } from '../../../src/pbx/funcs/db.js';
import { DB_DELETE } from '../../../src/pbx/funcs/db-delete.js';
import { DB_EXISTS } from '../../../src/pbx/funcs/db-exists.js';
import { DB_KEYS } from '../../../src/pbx/funcs/db-keys.js';
import { GLOBAL } from '../../../src/pbx/funcs/global.js';
import { HASH } from '../../../src/pbx/funcs/hash.js';
import { HASHKEYS } from '../../../src/pbx/funcs/hashkeys.js';
import { SHARED, sharedIndexSize } from '../../../src/pbx/funcs/shared.js';
import { builtinFunctions, createBuiltinRegistry, FunctionRegistry } from '../../../src/pbx/funcs/index.js';
import { FunctionError } from '../../../src/pbx/types.js';
import { ctx, FakeChannel, makeServices, read, write } from './fake-channel.js';

test('HASH entries are ~HASH~name~key~ variables; HASHKEYS newest first', async () => {
  const c = ctx();
  await write(HASH, 'user,name', 'Alice', c);
  await write(HASH, 'user,ext', '2000', c);
  await write(HASH, '_inh,k', 'v', c);
  assert.equal(c.channel?.getVar('~HASH~user~name~'), 'Alice');
  assert.equal(c.channel?.listVars().find(([n]) => n.endsWith('~inh~k~'))?.[0], '_~HASH~inh~k~');
  assert.equal(read(HASH, 'user,name', c), 'Alice');
  assert.equal(read(HASH, 'user,missing', c), '');
  assert.equal(read(HASHKEYS, 'user', c), 'ext,name');
  assert.equal(read(HASHKEYS, 'inh', c), 'k');
  assert.equal(read(HASHKEYS, 'none', c), '');
  // One-argument read lists values and remembers the keys for a one-argument write.
  assert.equal(read(HASH, 'user', c), '2000,Alice');
  await write(HASH, 'user', '3000,Bob', c);
  assert.equal(read(HASH, 'user,ext', c), '3000');
  assert.equal(read(HASH, 'user,name', c), 'Bob');
});

test('GLOBAL reads and writes services.globals', async () => {
  const c = ctx();
  c.services.globals.set('_X', 'old');
  await write(GLOBAL, 'X', '1', c);
  assert.equal(read(GLOBAL, 'X', c), '1');
  assert.equal(c.services.globals.has('_X'), false);
  assert.equal(read(GLOBAL, 'nope', c), '');
});

test('SHARED variables belong to a channel and are reachable by channel name', async () => {
  const services = makeServices();
  const a = ctx(new FakeChannel('SIP/a-1', '1.1'), services);
  const b = ctx(new FakeChannel('SIP/b-2', '1.2'), services);
  await write(SHARED, 'state', 'ringing', a);
  assert.equal(read(SHARED, 'state', a), 'ringing');
  assert.equal(read(SHARED, 'state', b), '');
  assert.equal(read(SHARED, 'state,SIP/a-1', b), 'ringing');
  await write(SHARED, 'state,SIP/a-1', 'answered', b);
  assert.equal(read(SHARED, 'state', a), 'answered');
  assert.equal(read(SHARED, 'state,SIP/zzz', b), '');
});

test('SHARED forgets the names of hung-up channels: the index does not grow with every call', async () => {
  const services = makeServices();
  const live = ctx(new FakeChannel('SIP/live-0', '2.0'), services);
  await write(SHARED, 'x', 'kept', live);
  for (let i = 1; i <= 10_000; i++) {
    const chan = new FakeChannel(`SIP/call-${i}`, `2.${i}`);
    await write(SHARED, 'x', String(i), ctx(chan, services));
    chan.hungUp = true;
  }
  assert.ok(sharedIndexSize(services) <= 128, `index holds ${sharedIndexSize(services)} names`);
  const other = ctx(new FakeChannel('SIP/other-1', '3.1'), services);
  assert.equal(read(SHARED, 'x,SIP/live-0', other), 'kept');
});

test('DB, DB_EXISTS, DB_DELETE, DB_KEYS on the store', async () => {
  const c = ctx();
  await write(DB, 'cidname/6001', 'Alice', c);
  await write(DB, 'cidname/6002', 'Bob', c);
  await write(DB, 'SIP/Registry/6001', 'x', c);
  assert.equal(c.services.store.get('cidname', '6001'), 'Alice');
  assert.equal(read(DB, 'cidname/6001', c), 'Alice');
  assert.equal(c.channel?.getVar('DB_RESULT'), 'Alice');
  assert.equal(read(DB, 'cidname/9999', c), '');
  assert.equal(read(DB_EXISTS, 'cidname/6002', c), '1');
  assert.equal(c.channel?.getVar('DB_RESULT'), 'Bob');
  assert.equal(read(DB_EXISTS, 'cidname/9999', c), '0');
  assert.equal(read(DB_KEYS, 'cidname', c), '6001,6002');
  assert.equal(read(DB_KEYS, '', c), 'SIP,cidname');
  assert.equal(read(DB_KEYS, 'SIP', c), 'Registry');
  assert.equal(read(DB, 'SIP/Registry/6001', c), 'x');
  assert.equal(read(DB_DELETE, 'cidname/6001', c), 'Alice');
  await Promise.resolve();
  assert.equal(c.services.store.get('cidname', '6001'), undefined);
  assert.throws(() => read(DB, 'nokey', c), FunctionError);
  await write(DB, 'fam/k2', 'v2', c);
  await write(DB_DELETE, 'fam/k2', '', c);
  await Promise.resolve();
  assert.equal(c.services.store.get('fam', 'k2'), undefined);
  assert.equal(c.channel?.getVar('DB_RESULT'), 'v2');
});

test('CALLERID read and write', async () => {
  const c = ctx();
  assert.equal(read(CALLERID, 'all', c), '"" <>');
  await write(CALLERID, 'all', '"Bob Smith" <(555) 123-4567>', c);
  assert.equal(read(CALLERID, 'name', c), 'Bob Smith');
  assert.equal(read(CALLERID, 'num', c), '5551234567');
  assert.equal(read(CALLERID, 'all', c), '"Bob Smith" <5551234567>');
  await write(CALLERID, 'num', '2000', c);
  await write(CALLERID, 'name', 'Alice', c);
  assert.equal(read(CALLERID, 'all', c), '"Alice" <2000>');
  assert.equal(read(CALLERID, 'number', c), '2000');
  await write(CALLERID, 'ani', '100', c);
  await write(CALLERID, 'dnid', '200', c);
  await write(CALLERID, 'rdnis', '300', c);
  assert.deepEqual([read(CALLERID, 'ani', c), read(CALLERID, 'dnid', c), read(CALLERID, 'rdnis', c)], ['100', '200', '300']);
  assert.equal(read(CALLERID, 'pres', c), 'allowed_not_screened');
  await write(CALLERID, 'pres', 'prohib', c);
  assert.equal(read(CALLERID, 'pres', c), 'prohib');
  await assert.rejects(write(CALLERID, 'pres', 'bogus', c), FunctionError);
  assert.throws(() => read(CALLERID, 'bogus', c), /Unknown callerid data type/);
  assert.equal(read(CALLERID, 'name,"Carol" <42>', c), 'Carol');
  assert.deepEqual(parseCallerId('6001'), { name: '', num: '6001' });
  assert.deepEqual(parseCallerId('Just A Name'), { name: 'Just A Name', num: '' });
});

test('CHANNEL items and hangup handlers', async () => {
  const chan = new FakeChannel('SIP/2000-0000000a', '1767225600.3');
  chan.context = 'from-internal';
  chan.exten = '6001';
  chan.priority = 3;
  const c = ctx(chan);
  assert.equal(read(CHANNEL, 'name', c), 'SIP/2000-0000000a');
  assert.equal(read(CHANNEL, 'uniqueid', c), '1767225600.3');
  assert.equal(read(CHANNEL, 'linkedid', c), '1767225600.3');
  assert.equal(read(CHANNEL, 'state', c), 'Up');
  assert.equal(read(CHANNEL, 'context', c), 'from-internal');
  assert.equal(read(CHANNEL, 'exten', c), '6001');
  assert.equal(read(CHANNEL, 'priority', c), '3');
  assert.equal(read(CHANNEL, 'channeltype', c), 'SIP');
  assert.equal(read(CHANNEL, 'checkhangup', c), '0');
  assert.equal(read(CHANNEL, 'language', c), 'en');
  for (const lang of ['one', 'three', 'reallylongdinosaursoundingthingwithwordsinit']) {
    await write(CHANNEL, 'language', lang, c);
    assert.equal(read(CHANNEL, 'language', c), lang);
  }
  assert.throws(() => read(CHANNEL, 'bogus', c), /Unknown or unavailable item requested: 'bogus'/);
  assert.equal(read(CHANNEL, 'amaflags', c), '3');
  await write(CHANNEL, 'amaflags', 'billing', c);
  assert.equal(read(CHANNEL, 'amaflags', c), '2');
  await write(CHANNEL, 'accountcode', 'sales', c);
  assert.equal(read(CHANNEL, 'accountcode', c), 'sales');
  assert.equal(read(CHANNEL, 'onhold', c), '0');

  await write(CHANNEL, 'hangup_handler_push', 'hdlr,s,1(arg1,arg2)', c);
  await write(CHANNEL, 'hangup_handler_push', 'cleanup,1', c);
  await write(CHANNEL, 'hangup_handler_push', '2', c);
  assert.deepEqual(hangupHandlers(chan), [
    'hdlr,s,1(arg1,arg2)',
    'from-internal,cleanup,1',
    'from-internal,6001,2',
  ]);
  await write(CHANNEL, 'hangup_handler_pop', '', c);
  assert.deepEqual(hangupHandlers(chan), ['hdlr,s,1(arg1,arg2)', 'from-internal,cleanup,1']);
  await write(CHANNEL, 'hangup_handler_pop', 'other,s,1', c);
  assert.deepEqual(hangupHandlers(chan), ['hdlr,s,1(arg1,arg2)', 'other,s,1']);
  await write(CHANNEL, 'hangup_handler_wipe', '', c);
  assert.deepEqual(hangupHandlers(chan), []);
  await write(CHANNEL, 'hangup_handler_wipe', 'last,s,1', c);
  assert.deepEqual(hangupHandlers(chan), ['last,s,1']);
});

test('registry: case-insensitive lookup, sorted list, SET writes registered functions', () => {
  const r = new FunctionRegistry();
  for (const f of builtinFunctions()) r.register(f);
  assert.equal(r.get('callerid')?.name, 'CALLERID');
  assert.equal(r.get('NOPE'), undefined);
  const names = r.list().map((f) => f.name);
  assert.deepEqual(names, [...names].sort());
  for (const expected of ['LEN', 'ISNULL', 'EXISTS', 'IF', 'IFTIME', 'SET', 'CUT', 'FIELDQTY', 'FIELDNUM', 'REGEX', 'REPLACE',
    'TOUPPER', 'TOLOWER', 'STRFTIME', 'STRPTIME', 'RAND', 'MATH', 'EVAL', 'HASH', 'HASHKEYS', 'GLOBAL', 'SHARED', 'DB',
    'DB_EXISTS', 'DB_DELETE', 'DB_KEYS', 'CALLERID', 'CHANNEL', 'ARRAY', 'QUOTE', 'CSV_QUOTE', 'SHIFT', 'POP', 'PUSH',
    'UNSHIFT', 'SPRINTF', 'FILTER', 'STRREPLACE', 'LISTFILTER']) {
    assert.ok(r.get(expected), expected);
  }
  for (const f of r.list()) {
    assert.ok(f.synopsis && f.syntax && f.description, f.name);
    assert.ok(f.read || f.write, f.name);
  }
  const reg = createBuiltinRegistry();
  reg.register({ name: 'MINE', synopsis: 's', syntax: 'MINE()', description: 'd', write: (call, v) => call.channel?.setVar('mine', v) });
  const c = ctx();
  reg.get('SET')?.read?.({ name: 'SET', args: 'MINE()=42', channel: c.channel, services: c.services });
  assert.equal(c.channel?.getVar('mine'), '42');
});
