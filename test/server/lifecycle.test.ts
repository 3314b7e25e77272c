/** The herald process: boot, -rx, stop, second server, stale socket, bad control input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { runHerald, startHerald, type HeraldProcess } from '../helpers/server.js';
import { ControlClient } from '../../src/cli/control-client.js';

/** Send raw bytes to the control socket and collect what comes back until the server closes it. */
function rawExchange(path: string, payload: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${got}`));
    }, timeoutMs);
    s.on('data', (c) => (got += c.toString()));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.on('connect', () => s.write(payload));
  });
}

let shared: HeraldProcess | undefined;
async function server(): Promise<HeraldProcess> {
  shared ??= await startHerald({ files: {}, args: ['-vvv'] });
  return shared;
}
test.after(async () => {
  await shared?.stop();
});

test('boots, prints herald Ready., logs fully booted with the start-up time', async () => {
  const h = await server();
  assert.match(h.output(), /herald Ready\./);
  assert.equal((statSync(h.controlPath).mode & 0o777), 0o600);
  assert.equal(await h.rx('core waitfullybooted'), 'herald has fully booted.\n');
  const logFile = join(h.controlPath, '..', '..', 'log', 'herald.log');
  let booted: { startupMs?: unknown; bootMs?: unknown } | undefined;
  for (let i = 0; i < 200 && !booted; i++) {
    const line = (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '').split('\n').find((l) => l.includes('"fully booted"'));
    if (line) booted = JSON.parse(line) as { startupMs?: unknown; bootMs?: unknown };
    else await new Promise((r) => setTimeout(r, 10));
  }
  assert.ok(booted, 'fully booted is logged');
  assert.equal(typeof booted.startupMs, 'number');
  assert.equal(typeof booted.bootMs, 'number');
});

test('-rx runs a command and prints its output', async () => {
  const h = await server();
  const r = await h.herald(['-rx', 'core show version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^herald \d+\.\d+\.\d+ built on a \S+ running Linux on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\n$/);
  const up = await h.rx('core show uptime seconds');
  assert.match(up, /^System uptime: \d+\nLast reload: \d+\n$/);
  assert.match(await h.rx('core show uptime'), /^System uptime: (\d+ seconds?|1 minute.*)\nLast reload: /);
  const settings = await h.rx('core show settings');
  assert.match(settings, /PBX Core settings/);
  assert.ok(settings.includes(h.controlPath));
});

test('unknown command, usage error, and failure messages', async () => {
  const h = await server();
  const r = await h.herald(['-rx', 'jabber test']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, "No such command 'jabber test' (type 'core show help jabber test' for other possible commands)\n");
  assert.match(await h.rx('core show uptime minutes'), /^Usage: core show uptime \[seconds\]/);
  assert.match(await h.rx('core set verbose lots'), /^Usage: core set verbose/);
});

test('quoted arguments reach the command as one word', async () => {
  const h = await server();
  assert.equal(await h.rx('database put CustomPresence 6002 "AWAY,lunch,Out to lunch"'), 'Updated database successfully\n');
  assert.match(await h.rx('database get CustomPresence 6002'), /AWAY,lunch,Out to lunch/);
  assert.match(await h.rx('database show CustomPresence'), /\/CustomPresence\/6002 +: AWAY,lunch,Out to lunch/);
});

test('help lists the core commands; completion works over the socket', async () => {
  const h = await server();
  const help = await h.rx('core show help core stop');
  assert.match(help, /^core stop gracefully +-- /m);
  assert.match(help, /^core stop now +-- /m);
  const c = await ControlClient.connect(h.controlPath);
  try {
    assert.deepEqual(await c.complete('core sto'), ['stop']);
    assert.deepEqual(await c.complete('core stop '), ['gracefully', 'now']);
    assert.ok((await c.complete('data')).includes('database'));
  } finally {
    c.close();
  }
});

test('core set verbose: -rx changes the server console; a remote console has its own level', async () => {
  const h = await server();
  assert.equal(await h.rx('core set verbose 5'), 'Console verbose was 3 and is now 5.\n');
  assert.equal(await h.rx('core set verbose atleast 2'), 'Console verbose was 5 and is now 5.\n');
  assert.equal(await h.rx('core set verbose 3'), 'Console verbose was 5 and is now 3.\n');
  const c = await ControlClient.connect(h.controlPath);
  try {
    await c.console(1);
    assert.equal((await c.command('core set verbose 4')).output, 'Console verbose was 1 and is now 4.\n');
  } finally {
    c.close();
  }
  assert.match(await h.rx('core show settings'), /Root console verbosity: +3/);
});

test('herald -r reads commands from stdin (no terminal) and leaves on exit', async () => {
  const h = await server();
  const r = await h.herald(['-r'], 20000, 'core show version\njabber test\nexit\n');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Connected to herald \S+ currently running on \S+ \(pid = \d+\)$/m);
  assert.match(r.stdout, /^(herald\*CLI> )?herald \S+ built on/m);
  assert.match(r.stdout, /No such command 'jabber test'/);
});

test('SIGHUP reloads and prints the result on the console', async () => {
  const h = await server();
  h.proc.kill('SIGHUP');
  await h.waitForOutput('Nothing to reload.');
  assert.equal(h.proc.exitCode, null);
});

test('garbage, bad JSON shapes and oversized requests close that connection only', async () => {
  const h = await server();
  assert.match(await rawExchange(h.controlPath, 'this is not json\n'), /"error":"request is not JSON"/);
  assert.match(await rawExchange(h.controlPath, '{"id":1}\n'), /"error"/);
  assert.match(await rawExchange(h.controlPath, Buffer.alloc(200 * 1024, 0x41)), /request too large/);
  assert.match(await rawExchange(h.controlPath, Buffer.from([0xff, 0xfe, 0x00, 0x0a])), /"error"/);
  assert.equal(await h.rx('core waitfullybooted'), 'herald has fully booted.\n');
  assert.equal(h.proc.exitCode, null);
});

test('more connections than the limit are refused without harm', async () => {
  const h = await server();
  const clients: ControlClient[] = [];
  try {
    for (let i = 0; i < 64; i++) clients.push(await ControlClient.connect(h.controlPath));
    const extra = await rawExchange(h.controlPath, '');
    assert.match(extra, /too many connections/);
  } finally {
    for (const c of clients) c.close();
  }
  // The server notices the closes; a new connection works again within a moment.
  let out = '';
  for (let i = 0; i < 100 && out === ''; i++) {
    out = await h.rx('core waitfullybooted').catch(() => '');
    if (out === '') await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(out, 'herald has fully booted.\n');
});

test('a second server on the same directories refuses with a clear message', async () => {
  const h = await server();
  const r = await h.herald(['-f']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /herald already running on .*herald\.ctl\. {2}Use 'herald -r' to connect\./);
  assert.equal(await h.rx('core waitfullybooted'), 'herald has fully booted.\n');
});

test('-rx when no server runs: Asterisk-style message, exit code 1', async () => {
  const h = await startHerald({ files: {} });
  await h.rx('core stop now');
  await h.exited;
  const r = await runHerald(['-C', h.dir, '-rx', 'core show version']);
  await h.stop();
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^Unable to connect to remote herald \(does .*herald\.ctl exist\?\)\n$/);
});

test('core stop now exits 0 and removes the control socket and the pid file', async () => {
  const h = await startHerald({ files: {} });
  const pidFile = join(h.controlPath, '..', 'herald.pid');
  assert.equal(existsSync(pidFile), true);
  const r = await h.herald(['-rx', 'core stop now']);
  assert.equal(r.code, 0);
  assert.equal(await h.exited, 0);
  assert.equal(existsSync(h.controlPath), false);
  assert.equal(existsSync(pidFile), false);
  assert.match(h.output(), /herald cleanly ending \(0\)\./);
  await h.stop();
});

test('SIGTERM stops gracefully with exit 0', async () => {
  const h = await startHerald({ files: {} });
  h.proc.kill('SIGTERM');
  assert.equal(await h.exited, 0);
  assert.equal(existsSync(h.controlPath), false);
  await h.stop();
});

test('a stale socket left by a crashed server is replaced', async () => {
  const first = await startHerald({ files: {} });
  const dir = first.dir;
  first.proc.kill('SIGKILL');
  await first.exited;
  assert.equal(existsSync(first.controlPath), true, 'the crash leaves the socket behind');
  const second = await startHerald({ files: {}, dir });
  try {
    assert.equal(await second.rx('core waitfullybooted'), 'herald has fully booted.\n');
    assert.match(second.output(), /removing stale control socket/);
  } finally {
    await second.stop();
    await first.stop();
  }
});
