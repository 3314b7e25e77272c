import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeLine, runConsole, type ConsoleConnection } from '../../src/cli/console.js';
import { CommandRegistry } from '../../src/cli/registry.js';

/** A console connection straight to an in-process registry. */
function fakeConnection(cli: CommandRegistry): ConsoleConnection & { commands: string[]; verbosity: number | undefined } {
  const conn = {
    commands: [] as string[],
    verbosity: undefined as number | undefined,
    onVerbose: (_l: number, _t: string) => {},
    onClose: () => {},
    async command(line: string) {
      conn.commands.push(line);
      return cli.execute(line);
    },
    async complete(line: string) {
      return cli.complete(line);
    },
    async console(v: number) {
      conn.verbosity = v;
    },
    close() {},
  };
  return conn;
}

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (c: Buffer) => {
    text += c.toString();
  });
  return () => text;
}

function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 5);
    };
    tick();
  });
}

function registry(): CommandRegistry {
  const cli = new CommandRegistry();
  cli.register({ words: ['core', 'show', 'version'], summary: 'v', usage: 'Usage: core show version\n', handler: () => 'herald 0.1.0' });
  cli.register({ words: ['core', 'show', 'uptime'], summary: 'u', usage: 'u', handler: () => 'up' });
  return cli;
}

test('completeLine: one candidate gets a trailing space; the replaced part is the last raw word', async () => {
  const conn = fakeConnection(registry());
  assert.deepEqual(await completeLine(conn, 'core show v'), [['version '], 'v']);
  assert.deepEqual(await completeLine(conn, 'core show '), [['help', 'uptime', 'version'], '']);
  assert.deepEqual(await completeLine(conn, 'co'), [['core '], 'co']);
  assert.deepEqual(await completeLine({ complete: () => Promise.reject(new Error('gone')) }, 'x'), [[], 'x']);
});

test('console runs lines on the server, prints pushed lines, leaves on exit, keeps history', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-console-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const historyFile = join(dir, 'hist');
  writeFileSync(historyFile, 'old command\n');
  const conn = fakeConnection(registry());
  const input = new PassThrough();
  const output = new PassThrough();
  const text = collect(output);
  const done = runConsole({ connection: conn, input, output, terminal: true, historyFile, verbosity: 4, banner: 'Connected to herald' });
  await waitFor(() => text().includes('herald*CLI> '), 'the prompt');
  assert.equal(conn.verbosity, 4);
  assert.match(text(), /Connected to herald/);
  input.write('core show version\r');
  await waitFor(() => text().includes('herald 0.1.0'), 'command output');
  conn.onVerbose(3, '    -- pushed line');
  await waitFor(() => text().includes('    -- pushed line'), 'pushed line');
  // TAB completion through the connection.
  input.write('core show up\t');
  await waitFor(() => text().includes('core show uptime '), 'completed word');
  input.write('\r');
  await waitFor(() => conn.commands.includes('core show uptime '), 'completed command to run');
  input.write('exit\r');
  assert.equal(await done, 0);
  assert.deepEqual(conn.commands, ['core show version', 'core show uptime ']);
  assert.deepEqual(readFileSync(historyFile, 'utf8').split('\n').filter(Boolean), ['old command', 'core show version', 'core show uptime ', 'exit']);
});

test('Ctrl-D leaves with 0; a lost server leaves with 1', async () => {
  const conn = fakeConnection(registry());
  const input = new PassThrough();
  const output = new PassThrough();
  const text = collect(output);
  const done = runConsole({ connection: conn, input, output, terminal: false, historyFile: null, verbosity: 0 });
  await waitFor(() => text().includes('herald*CLI> '), 'the prompt');
  input.end();
  assert.equal(await done, 0);

  const conn2 = fakeConnection(registry());
  const input2 = new PassThrough();
  const output2 = new PassThrough();
  const text2 = collect(output2);
  const done2 = runConsole({ connection: conn2, input: input2, output: output2, terminal: false, historyFile: null, verbosity: 0 });
  await waitFor(() => text2().includes('herald*CLI> '), 'the prompt');
  conn2.onClose();
  assert.equal(await done2, 1);
  assert.match(text2(), /Disconnected from herald server/);
});
