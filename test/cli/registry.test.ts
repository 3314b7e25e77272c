import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandRegistry, cliSession, type CliSession } from '../../src/cli/registry.js';
import { CliUsageError, type CliContext } from '../../src/cli/types.js';

function registryWith(): { cli: CommandRegistry; calls: CliContext[] } {
  const cli = new CommandRegistry();
  const calls: CliContext[] = [];
  cli.register({
    words: ['sip', 'show', 'peers'],
    summary: 'List SIP peers',
    usage: 'Usage: sip show peers\n',
    handler: (ctx) => {
      calls.push(ctx);
      return 'peers';
    },
  });
  cli.register({
    words: ['sip', 'show', 'peer'],
    summary: 'Show details on specific SIP peer',
    usage: 'Usage: sip show peer <name>\n',
    handler: (ctx) => {
      calls.push(ctx);
      if (ctx.args.length !== 1) throw new CliUsageError();
      return `peer ${ctx.args[0]}`;
    },
    complete: (args, partial) => (args.length === 0 ? ['2000', '2001', '6002'].filter((p) => p.startsWith(partial)) : []),
  });
  cli.register({
    words: ['sip', 'show'],
    summary: 'short',
    usage: 'Usage: sip show <what>\n',
    handler: () => 'short',
  });
  cli.register({
    words: ['presencestate', 'change'],
    summary: 'Change a custom presence state',
    usage: 'Usage: presencestate change <entity> <state>[,<subtype>[,message[,options]]]\n',
    handler: (ctx) => {
      calls.push(ctx);
      if (ctx.args.length !== 2) throw new CliUsageError();
      if (!ctx.args[0].startsWith('CustomPresence:')) throw new Error("The presencestate command can only be used to set 'CustomPresence:' presence state!");
      return `Changing ${ctx.args[0].slice(15)} to ${ctx.args[1].split(',')[0]}`;
    },
  });
  return { cli, calls };
}

test('the longest run of fixed words wins; the rest are arguments', async () => {
  const { cli, calls } = registryWith();
  assert.deepEqual(await cli.execute('sip show peers'), { output: 'peers\n', ok: true });
  assert.deepEqual(await cli.execute('sip show peer 6002'), { output: 'peer 6002\n', ok: true });
  assert.deepEqual(calls[1].args, ['6002']);
  assert.equal(calls[1].line, 'sip show peer 6002');
  assert.deepEqual(await cli.execute('sip show users'), { output: 'short\n', ok: true });
});

test('words are matched case-insensitively but must be typed in full (no abbreviations)', async () => {
  const { cli } = registryWith();
  assert.equal((await cli.execute('SIP Show PEERS')).output, 'peers\n');
  const r = await cli.execute('si sh peers');
  assert.equal(r.ok, false);
  assert.equal(r.output, "No such command 'si sh peers' (type 'core show help si sh peers' for other possible commands)\n");
});

test("unknown command gives Asterisk's message", async () => {
  const { cli } = registryWith();
  assert.deepEqual(await cli.execute('jabber test'), {
    output: "No such command 'jabber test' (type 'core show help jabber test' for other possible commands)\n",
    ok: false,
  });
  assert.deepEqual(await cli.execute('   '), { output: '', ok: true });
});

test('quoted arguments: unquoted spaces make a usage error, quoting makes one argument', async () => {
  const { cli } = registryWith();
  const bad = await cli.execute('presencestate change CustomPresence:6002 AWAY,lunch,Out to lunch');
  assert.deepEqual(bad, { output: 'Usage: presencestate change <entity> <state>[,<subtype>[,message[,options]]]\n', ok: false });
  const good = await cli.execute('presencestate change CustomPresence:6002 "AWAY,lunch,Out to lunch"');
  assert.deepEqual(good, { output: 'Changing 6002 to AWAY\n', ok: true });
});

test("a handler's error is printed with Asterisk's \"Command '…' failed.\"", async () => {
  const { cli } = registryWith();
  const r = await cli.execute('presencestate change Custom:6002 AWAY');
  assert.equal(r.ok, false);
  assert.equal(r.output, "The presencestate command can only be used to set 'CustomPresence:' presence state!\nCommand 'presencestate change Custom:6002 AWAY' failed.\n");
});

test('duplicate and malformed registrations are refused; unregister removes', async () => {
  const { cli } = registryWith();
  assert.throws(() => cli.register({ words: ['sip', 'show', 'peers'], summary: '', usage: '', handler: () => '' }));
  assert.throws(() => cli.register({ words: ['two words'], summary: '', usage: '', handler: () => '' }));
  assert.throws(() => cli.register({ words: [], summary: '', usage: '', handler: () => '' }));
  cli.unregister(['sip', 'show', 'peers']);
  assert.equal((await cli.execute('sip show peers')).output, 'short\n');
});

test('help lists commands in Asterisk format, prints usage for one command, filters by prefix', async () => {
  const { cli } = registryWith();
  const all = (await cli.execute('core show help')).output;
  assert.match(all, /^sip show peers {17}-- List SIP peers$/m);
  assert.match(all, /^help {27}-- Display help list, or specific help on a command$/m);
  assert.equal((await cli.execute('help sip show peer')).output, 'Usage: sip show peer <name>\n');
  const sip = (await cli.execute('help sip')).output.trim().split('\n');
  assert.deepEqual(sip.map((l) => l.split(' -- ')[0].trim()), ['sip show', 'sip show peer', 'sip show peers']);
  assert.equal((await cli.execute('core show help xyz')).output, "No such command 'xyz'.\n");
});

test('completion: next fixed words, then the command’s own argument completer', () => {
  const { cli } = registryWith();
  assert.deepEqual(cli.complete('si'), ['sip']);
  assert.deepEqual(cli.complete('sip sh'), ['show']);
  assert.deepEqual(cli.complete('sip show '), ['peer', 'peers']);
  assert.deepEqual(cli.complete('sip show peer'), ['peer', 'peers']);
  assert.deepEqual(cli.complete('sip show peer '), ['2000', '2001', '6002']);
  assert.deepEqual(cli.complete('sip show peer 6'), ['6002']);
  assert.deepEqual(cli.complete('SIP SHOW PE'), ['peer', 'peers']);
  assert.deepEqual(cli.complete('nothing '), []);
  assert.ok(cli.complete('').includes('help'));
  assert.deepEqual(cli.complete('help sip show p'), ['peer', 'peers']);
});

test('a throwing completer offers nothing instead of failing', () => {
  const cli = new CommandRegistry();
  cli.register({ words: ['x'], summary: '', usage: '', handler: () => '', complete: () => { throw new Error('boom'); } });
  assert.deepEqual(cli.complete('x '), []);
});

test('handlers see the session they run for', async () => {
  const cli = new CommandRegistry();
  let level = 1;
  const session: CliSession = { getVerbosity: () => level, setVerbosity: (n) => { const was = level; level = n; return was; } };
  cli.register({ words: ['v'], summary: '', usage: '', handler: (ctx) => String(cliSession(ctx)?.setVerbosity(5)) });
  assert.equal((await cli.execute('v', session)).output, '1\n');
  assert.equal(level, 5);
  assert.equal((await cli.execute('v')).output, 'undefined\n');
});
