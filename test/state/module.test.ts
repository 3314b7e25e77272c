import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandRegistry } from '../../src/cli/registry.js';
import { EventBus } from '../../src/core/bus.js';
import { RealClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/log.js';
import type { ServerContext } from '../../src/core/module.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { createStateModule } from '../../src/state/module.js';
import { captureHints } from './harness.js';

function context(store: MemoryStore): { ctx: ServerContext; cli: CommandRegistry; bus: EventBus } {
  const cli = new CommandRegistry();
  const bus = new EventBus();
  const ctx: ServerContext = {
    dirs: { config: '/nonexistent', varlib: '/nonexistent', run: '/nonexistent', log: '/nonexistent', spool: '/nonexistent' },
    store,
    bus,
    log: silentLogger(),
    cli,
    clock: new RealClock(),
    getModule: () => undefined,
  };
  return { ctx, cli, bus };
}

test('the state module: commands, functions, bus-driven hints, clean stop, replay on restart', async () => {
  const store = new MemoryStore();
  const { ctx, cli, bus } = context(store);
  const mod = createStateModule();
  assert.equal(mod.name, 'state');
  assert.throws(() => mod.hints, /not started/);
  await mod.start(ctx);
  assert.deepEqual(mod.functions().map((f) => f.name), ['PRESENCE_STATE', 'DEVICE_STATE', 'EXTENSION_STATE', 'HINT']);
  for (const words of ['presencestate list', 'presencestate change', 'devstate list', 'devstate change', 'core show hints', 'core show hint']) {
    assert.ok(cli.find(words.split(' ')), words);
  }
  bus.emit('DialplanReloaded', { hints: captureHints() });
  assert.equal(mod.hints.list().length, 3);
  assert.deepEqual(await cli.execute('devstate change Custom:foo BUSY'), { output: 'Changing foo to BUSY\n', ok: true });
  assert.equal(mod.hints.find('from-internal', 'foo')?.stateText, 'Busy');
  await cli.execute('presencestate change CustomPresence:6002 "away,lunch,Out to lunch"');
  await mod.stop();
  assert.equal(cli.find(['devstate', 'list']), undefined, 'commands are unregistered');
  bus.emit('DialplanReloaded', { hints: [] });

  const again = context(store);
  const second = createStateModule();
  await second.start(again.ctx);
  assert.equal(second.devices.getState('Custom:foo'), 'BUSY', 'replayed from the store');
  assert.deepEqual(second.presence.get('CustomPresence:6002'), { state: 'away', subtype: 'lunch', message: 'Out to lunch' });
  again.bus.emit('DialplanReloaded', { hints: captureHints() });
  const hint = second.hints.find('from-internal', '6002');
  assert.deepEqual([hint?.stateText, hint?.presence.state], ['Unavailable', 'away']);
  await second.stop();
});
