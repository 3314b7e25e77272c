import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliUsageError, type CliCommand, type CliRegistry } from '../../src/cli/types.js';
import { registerDatabaseCommands } from '../../src/store/cli.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { KvStore } from '../../src/store/types.js';

class TestRegistry implements CliRegistry {
  readonly commands = new Map<string, CliCommand>();
  register(cmd: CliCommand): void {
    this.commands.set(cmd.words.join(' '), cmd);
  }
  unregister(words: string[]): void {
    this.commands.delete(words.join(' '));
  }
  async run(line: string): Promise<string> {
    const words = line.split(' ');
    const cmd = this.commands.get(words.slice(0, 2).join(' '));
    assert.ok(cmd, `command for ${line}`);
    return cmd.handler({ args: words.slice(2), line });
  }
}

function setup(store: KvStore = new MemoryStore()): { cli: TestRegistry; store: KvStore } {
  const cli = new TestRegistry();
  registerDatabaseCommands(cli, () => store);
  return { cli, store };
}

test('database show: Asterisk layout (key padded to 50, value to 25) and the count', async () => {
  const { cli, store } = setup();
  assert.equal(await cli.run('database show CustomPresence'), '0 results found.\n');
  await store.put('CustomPresence', '6002', 'UNAVAILABLE');
  assert.equal(
    await cli.run('database show CustomPresence'),
    '/CustomPresence/6002                              : UNAVAILABLE              \n1 results found.\n',
  );
  await store.put('SIP/Registry', '6002', '127.0.0.1:5093:3600:6002:sip:6002@127.0.0.1:5093');
  await store.put('SIPX', 'a', 'b');
  assert.equal(
    await cli.run('database show SIP'),
    '/SIP/Registry/6002                                : 127.0.0.1:5093:3600:6002:sip:6002@127.0.0.1:5093\n1 results found.\n',
  );
  assert.equal(await cli.run('database show SIP Registry'), (await cli.run('database show SIP')));
  const all = await cli.run('database show');
  assert.equal(all.split('\n').length, 5);
  assert.match(all, /^\/CustomPresence\/6002 {30}: UNAVAILABLE {14}\n\/SIP\/Registry/);
  assert.ok(all.endsWith('3 results found.\n'));
  await assert.rejects(async () => cli.run('database show a b c'), CliUsageError);
});

test('database showkey lists a key in every family', async () => {
  const { cli, store } = setup();
  await store.put('CustomPresence', '6002', 'AWAY');
  await store.put('SIP/Registry', '6002', 'x');
  await store.put('SIP/Registry', '16002', 'y');
  const out = await cli.run('database showkey 6002');
  assert.equal(out, `${'/CustomPresence/6002'.padEnd(50)}: ${'AWAY'.padEnd(25)}\n${'/SIP/Registry/6002'.padEnd(50)}: ${'x'.padEnd(25)}\n2 results found.\n`);
  await assert.rejects(async () => cli.run('database showkey'), CliUsageError);
});

test('database get / put / del / deltree messages', async () => {
  const { cli, store } = setup();
  assert.equal(await cli.run('database get CustomDevstate foo'), 'Database entry not found.\n');
  assert.equal(await cli.run('database put CustomDevstate foo INUSE'), 'Updated database successfully\n');
  assert.equal(store.get('CustomDevstate', 'foo'), 'INUSE');
  assert.equal(await cli.run('database get CustomDevstate foo'), 'Value: INUSE\n');
  assert.equal(await cli.run('database del CustomDevstate foo'), 'Database entry removed.\n');
  assert.equal(await cli.run('database del CustomDevstate foo'), 'Database entry does not exist.\n');
  await store.put('Fam', 'a/b', '1');
  await store.put('Fam', 'a/c', '2');
  await store.put('Fam', 'z', '3');
  assert.equal(await cli.run('database deltree Fam a'), '2 database entries removed.\n');
  assert.equal(await cli.run('database deltree Fam a'), 'Database entry does not exist.\n');
  assert.equal(await cli.run('database deltree Fam'), '1 database entries removed.\n');
  for (const bad of ['database get a', 'database put a b', 'database del a', 'database deltree', 'database deltree a b c']) {
    await assert.rejects(async () => cli.run(bad), CliUsageError, bad);
  }
});

test('write failures are reported, not thrown', async () => {
  const store = new MemoryStore();
  await store.close();
  const { cli } = setup(store);
  assert.equal(await cli.run('database put a b c'), 'Failed to update entry\n');
  assert.equal(await cli.run('database del a b'), 'Database unable to remove entry.\n');
  assert.equal(await cli.run('database deltree a'), 'Database unable to remove entry.\n');
});

test('completion offers family names', async () => {
  const { cli, store } = setup();
  await store.put('CustomPresence', '1', 'x');
  await store.put('CustomDevstate', '1', 'x');
  await store.put('SIP', '1', 'x');
  const show = cli.commands.get('database show')!;
  assert.deepEqual(show.complete!([], 'Cus'), ['CustomDevstate', 'CustomPresence']);
  assert.deepEqual(show.complete!(['SIP'], ''), []);
});
