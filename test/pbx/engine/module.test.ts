import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../../src/core/bus.js';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import type { ServerContext } from '../../../src/core/module.js';
import { CommandRegistry } from '../../../src/cli/registry.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { createDialplanModule } from '../../../src/pbx/module.js';
import { Channel } from '../../../src/channels/channel.js';

function context(dir: string): { ctx: ServerContext; cli: CommandRegistry; verbose: string[] } {
  const cli = new CommandRegistry();
  const bus = new EventBus();
  const verbose: string[] = [];
  bus.on('Verbose', (e) => verbose.push(e.text));
  const ctx: ServerContext = {
    dirs: { config: dir, varlib: dir, run: dir, log: dir, spool: dir },
    store: new MemoryStore(),
    bus,
    log: silentLogger(),
    cli,
    clock: new FakeClock(),
    getModule: () => undefined,
  };
  return { ctx, cli, verbose };
}

test('pbx module: load, globals, CLI, run a channel, reload keeps the old dialplan on a broken file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-pbx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'extensions.conf'),
    '[globals]\nA=1\nB=${A}2\n[from-internal]\nexten => 100,1,Set(CHANNEL(hangup_handler_push)=hh,s,1(bye))\n same => n,NoOp(${B} ${CALLERID(all)})\n same => n,Hangup()\n[hh]\nexten => s,1,Set(GLOBAL(HANDLER)=${ARG1})\n same => n,Return()\n',
  );
  const { ctx, cli, verbose } = context(dir);
  const mod = createDialplanModule();
  await mod.start(ctx);
  assert.equal(mod.services.globals.get('B'), '12');
  assert.ok(verbose.includes("Setting global variable 'B' to '12'"));
  assert.match((await cli.execute('dialplan show from-internal')).output, /\[ Context 'from-internal' created by 'pbx_config' \]/);
  assert.match((await cli.execute('core show globals')).output, / {3}B=12\n/);
  assert.match((await cli.execute('core show function CALLERID')).output, /-= Info about function 'CALLERID' =-/);
  assert.match((await cli.execute('core show applications')).output, /Applications Registered =-\n$/);

  const chan = new Channel({ name: 'SIP/2000-00000001', uniqueid: '1.0', callerId: { name: 'Alice', num: '2000' } });
  const r = await mod.runChannel(chan, { context: 'from-internal', exten: '100', priority: 1 });
  assert.equal(r.reason, 'hangup');
  assert.ok(verbose.includes('Executing [100@from-internal:2] NoOp("SIP/2000-00000001", "12 "Alice" <2000>") in new stack'), verbose.join('\n'));
  assert.equal(mod.services.globals.get('HANDLER'), 'bye', 'hangup handler ran');
  assert.equal(mod.channels.list().length, 0);
  assert.match((await cli.execute('core show channels')).output, /0 active channels\n0 active calls\n1 call processed\n/);

  writeFileSync(join(dir, 'extensions.conf'), '[broken\nexten => 1,1,NoOp()\n');
  const bad = await mod.reload!(ctx);
  assert.equal(bad.ok, false);
  assert.match(bad.message, /extensions\.conf:1: .*keeping the running dialplan/);
  assert.ok(mod.dialplan().contexts.has('from-internal'));
  const badCli = await cli.execute('dialplan reload');
  assert.match(badCli.output, /keeping the running dialplan/);

  writeFileSync(join(dir, 'extensions.conf'), '[other]\nexten => 1,1,NoOp()\n');
  const good = await mod.reload!(ctx);
  assert.equal(good.ok, true);
  assert.ok(mod.dialplan().contexts.has('other'));
  assert.ok(!mod.dialplan().contexts.has('from-internal'));
  await mod.stop();
  assert.equal(cli.find(['core', 'show', 'channels']), undefined);
});

test('pbx module: a missing extensions.conf starts an empty dialplan', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-pbx-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { ctx, cli } = context(dir);
  const mod = createDialplanModule();
  await mod.start(ctx);
  assert.equal(mod.dialplan().contexts.size, 0);
  assert.match((await cli.execute('dialplan show')).output, /-= 0 extensions \(0 priorities\) in 0 contexts\. =-/);
  await mod.stop();
});
