/** startServer in-process with test modules: reload plumbing, start failure, graceful drain. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startServer, type DrainableModule } from '../../src/server.js';
import type { HeraldModule, ReloadResult, ServerContext } from '../../src/core/module.js';
import type { ModuleEntry } from '../../src/modules.js';
import { ControlClient } from '../../src/cli/control-client.js';

function tempConfigDir(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'herald-inproc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'etc');
  mkdirSync(dir);
  return dir;
}

function sink(): { stream: Writable; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

function entry(mod: HeraldModule): ModuleEntry {
  return { name: mod.name, configured: () => true, load: async () => mod };
}

class TestModule implements HeraldModule {
  started = 0;
  stopped = 0;
  reloads: ReloadResult[] = [];
  ctx: ServerContext | undefined;
  constructor(readonly name: string) {}
  async start(ctx: ServerContext): Promise<void> {
    this.started++;
    this.ctx = ctx;
    ctx.cli.register({ words: [this.name, 'ping'], summary: 'ping', usage: `Usage: ${this.name} ping\n`, handler: () => 'pong' });
    ctx.bus.emit('Verbose', { level: 3, text: `${this.name} started` });
  }
  async reload(): Promise<ReloadResult> {
    const r = this.reloads.shift() ?? { ok: true, message: `${this.name}.conf reloaded` };
    if (r.message === 'throw') throw new Error('exploded');
    return r;
  }
  async stop(): Promise<void> {
    this.stopped++;
  }
}

test('modules start in order, register commands, reload prints each result; a broken config keeps running', async (t) => {
  const dir = tempConfigDir(t);
  const lines: string[] = [];
  const log = sink();
  const a = new TestModule('alpha');
  const b = new TestModule('beta');
  const server = await startServer({
    configDir: dir, verbosity: 3, foreground: true, processHooks: false,
    consoleWrite: (l) => lines.push(l), logDestination: log.stream, modules: [entry(a), entry(b)],
  });
  t.after(() => server.stop());
  assert.deepEqual(lines.filter((l) => l.includes('started')), ['    -- alpha started', '    -- beta started']);
  assert.equal(lines.at(-1), 'herald Ready.');
  assert.equal((await server.execute('beta ping')).output, 'pong\n');
  assert.equal(server.context.getModule<TestModule>('alpha'), a);

  const reloaded: string[] = [];
  server.context.bus.on('Reloaded', (e) => reloaded.push(`${e.module}:${e.ok}`));
  assert.equal((await server.execute('core reload')).output, 'alpha.conf reloaded\nbeta.conf reloaded\n');
  b.reloads.push({ ok: false, message: 'beta.conf:7: unknown section — keeping the running configuration' });
  assert.equal((await server.execute('reload beta')).output, 'beta.conf:7: unknown section — keeping the running configuration\n');
  a.reloads.push({ ok: true, message: 'throw' });
  assert.match((await server.execute('module reload alpha')).output, /^alpha: reload failed: exploded — keeping the running configuration\n$/);
  assert.equal((await server.execute('reload gamma')).output, "The module 'gamma' is not running.\n");
  assert.deepEqual(reloaded, ['alpha:true', 'beta:true', 'beta:false', 'alpha:false']);
  assert.match(log.text(), /beta\.conf:7: unknown section/);
  assert.match((await server.execute('module show')).output, /^alpha +Running\nbeta +Running\n2 modules loaded\n$/m);

  await server.execute('core stop now');
  assert.equal(await server.stopped, 0);
  assert.equal(a.stopped, 1);
  assert.equal(b.stopped, 1);
  assert.equal(existsSync(server.controlPath), false);
});

test('a module that fails to start stops the server with a clear error; started ones are stopped', async (t) => {
  const dir = tempConfigDir(t);
  const a = new TestModule('alpha');
  const broken: HeraldModule = {
    name: 'sip',
    start: async () => {
      throw new Error('cannot bind 127.0.0.1:5060: EADDRINUSE');
    },
    stop: async () => {},
  };
  const lines: string[] = [];
  await assert.rejects(
    startServer({
      configDir: dir, verbosity: 0, foreground: true, processHooks: false, consoleWrite: (l) => lines.push(l),
      logDestination: sink().stream, modules: [entry(a), entry(broken)],
    }),
    /module 'sip' failed to start: cannot bind 127\.0\.0\.1:5060: EADDRINUSE/,
  );
  assert.equal(a.stopped, 1);
  assert.ok(lines.some((l) => /ERROR\[\d+\]: sip: module 'sip' failed to start/.test(l)), lines.join('\n'));
  // Everything was released: the same directory starts again.
  const again = await startServer({ configDir: dir, verbosity: 0, foreground: false, processHooks: false, logDestination: sink().stream, modules: [] });
  await again.stop();
});

test('core stop gracefully waits for drain(); unconfigured modules are never loaded', async (t) => {
  const dir = tempConfigDir(t);
  let release: () => void = () => {};
  let draining = false;
  const calls: DrainableModule = {
    name: 'calls',
    start: async () => {},
    stop: async () => {},
    drain: () => {
      draining = true;
      return new Promise<void>((r) => {
        release = r;
      });
    },
  };
  let loadedUnconfigured = false;
  const server = await startServer({
    configDir: dir, verbosity: 0, foreground: false, processHooks: false, logDestination: sink().stream,
    modules: [entry(calls), { name: 'xmpp', configured: () => false, load: async () => { loadedUnconfigured = true; return calls; } }],
  });
  assert.equal(loadedUnconfigured, false);
  let stoppedYet = false;
  void server.stopped.then(() => {
    stoppedYet = true;
  });
  assert.equal((await server.execute('core stop gracefully')).output, '');
  for (let i = 0; i < 100 && !draining; i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(draining, true);
  assert.equal(stoppedYet, false);
  release();
  assert.equal(await server.stopped, 0);
});

test('a throwing bus listener is logged, not fatal', async (t) => {
  const dir = tempConfigDir(t);
  const log = sink();
  const server = await startServer({ configDir: dir, verbosity: 0, foreground: false, processHooks: false, logDestination: log.stream, modules: [] });
  t.after(() => server.stop());
  server.context.bus.on('UserEvent', () => {
    throw new Error('listener bug');
  });
  server.context.bus.emit('UserEvent', { channel: 'x', name: 'y', fields: {} });
  assert.match(log.text(), /event listener failed/);
  assert.equal((await server.execute('core waitfullybooted')).output, 'herald has fully booted.\n');
});

test('remote consoles get verbose lines up to their own level, and log warnings always', async (t) => {
  const dir = tempConfigDir(t);
  const local: string[] = [];
  const server = await startServer({
    configDir: dir, verbosity: 1, foreground: true, processHooks: false, consoleWrite: (l) => local.push(l),
    logDestination: sink().stream, modules: [],
  });
  t.after(() => server.stop());
  const client = await ControlClient.connect(server.controlPath);
  t.after(() => client.close());
  const pushed: string[] = [];
  let wanted = 0;
  let notify: () => void = () => {};
  client.onVerbose = (_level, text) => {
    pushed.push(text);
    if (pushed.length >= wanted) notify();
  };
  const receive = (n: number): Promise<void> =>
    new Promise((resolve, reject) => {
      wanted = n;
      const timer = setTimeout(() => reject(new Error(`only got ${JSON.stringify(pushed)}`)), 5000);
      notify = () => {
        clearTimeout(timer);
        resolve();
      };
      if (pushed.length >= n) notify();
    });
  await client.console(2);
  server.context.bus.emit('Verbose', { level: 2, text: 'level two' });
  server.context.bus.emit('Verbose', { level: 3, text: 'level three' });
  server.context.log.warn({ module: 'test' }, 'something odd');
  await receive(2);
  assert.equal(pushed[0], '  == level two');
  assert.match(pushed[1], /^\[\w{3} \d\d \d\d:\d\d:\d\d\] WARNING\[\d+\]: test: something odd$/);
  assert.equal(pushed.length, 2);
  // The server's own console is at level 1: it shows the warning only.
  assert.equal(local.some((l) => l.includes('level two')), false);
  assert.equal(local.some((l) => l.includes('something odd')), true);
  // core set verbose on this console changes only this console.
  assert.equal((await client.command('core set verbose 3')).output, 'Console verbose was 2 and is now 3.\n');
  server.context.bus.emit('Verbose', { level: 3, text: 'now visible' });
  await receive(3);
  assert.equal(pushed[2], '    -- now visible');
  assert.match((await server.execute('core show settings')).output, /Root console verbosity: +1/);
});

test('sip set debug traces reach the console at any verbosity but never the JSON log (they carry credentials)', async (t) => {
  const dir = tempConfigDir(t);
  const local: string[] = [];
  const log = sink();
  const server = await startServer({
    configDir: dir, verbosity: 0, foreground: true, processHooks: false, consoleWrite: (l) => local.push(l),
    logDestination: log.stream, modules: [],
  });
  t.after(() => server.stop());
  const text = '\n<--- SIP read from UDP:127.0.0.1:5062 --->\nREGISTER sip:herald SIP/2.0\r\nAuthorization: Digest username="6002", response="0123"\r\n\n<------------->';
  server.context.bus.emit('SipTrace', { text });
  assert.equal(local.at(-1), text);
  assert.equal(log.text().includes('Authorization'), false);
});

test('the JSON log gets a verbose line only when some console shows its level (ast_verb_sys_level)', async (t) => {
  const dir = tempConfigDir(t);
  const log = sink();
  const server = await startServer({ configDir: dir, verbosity: 1, foreground: false, processHooks: false, logDestination: log.stream, modules: [] });
  t.after(() => server.stop());
  server.context.bus.emit('Verbose', { level: 1, text: 'level one' });
  server.context.bus.emit('Verbose', { level: 3, text: 'Executing [s@x:1] NoOp("a", "") in new stack' });
  const client = await ControlClient.connect(server.controlPath);
  t.after(() => client.close());
  await client.console(3);
  server.context.bus.emit('Verbose', { level: 3, text: 'shown on the remote console' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.match(log.text(), /level one/);
  assert.doesNotMatch(log.text(), /Executing/);
  assert.match(log.text(), /shown on the remote console/);
});

test('a module whose stop() hangs is reported and the shutdown completes', async (t) => {
  const dir = tempConfigDir(t);
  const log = sink();
  const stuck: HeraldModule = { name: 'stuck', start: async () => {}, stop: () => new Promise<void>(() => {}) };
  const after = new TestModule('after');
  const server = await startServer({
    configDir: dir, verbosity: 0, foreground: false, processHooks: false, logDestination: log.stream,
    modules: [entry(after), entry(stuck)], moduleStopTimeoutMs: 50,
  });
  await server.stop('now');
  assert.equal(await server.stopped, 0);
  assert.equal(after.stopped, 1);
  assert.match(log.text(), /module 'stuck' did not stop within 50 ms/);
});
