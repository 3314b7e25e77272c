/** The `herald` command's own subcommands and informational options (no server needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHerald } from '../helpers/server.js';

test('herald expr prints what $[…] yields; a syntax error warns on stderr and yields 0', async () => {
  const ok = await runHerald(['expr', '1 + 2 * 3']);
  assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, '7\n', '']);
  const words = await runHerald(['expr', '"abc"', '=~', '"b(c)"']);
  assert.equal(words.stdout, 'c\n');
  const bad = await runHerald(['expr', '1 +']);
  assert.equal(bad.code, 0);
  assert.equal(bad.stdout, '0\n');
  assert.match(bad.stderr, /^WARNING: ast_yyerror\(\): syntax error/);
  const none = await runHerald(['expr']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Usage: herald expr/);
});

test('herald -C DIR dialplan run simulates a call through DIR/extensions.conf', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-sim-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'extensions.conf'), '[from-internal]\nexten => 100,1,NoOp(hello)\n same => n,Hangup()\n');
  const r = await runHerald(['-C', dir, 'dialplan', 'run', 'from-internal', '100']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Executing \[100@from-internal:1\] NoOp\("SIM\/100-00000001", "hello"\)/);
  const usage = await runHerald(['-C', dir, 'dialplan', 'run']);
  assert.equal(usage.code, 1);
  assert.match(usage.stdout, /Usage: dialplan run CONTEXT EXTEN/);
});

test('--help, -V, unknown commands and options', async () => {
  const help = await runHerald(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /-rx "COMMAND"/);
  assert.match(help.stdout, /herald dialplan run CONTEXT EXTEN/);
  assert.match(help.stdout, /herald expr 'EXPRESSION'/);
  assert.match((await runHerald(['-V'])).stdout, /^herald \d+\.\d+\.\d+\n$/);
  const unknown = await runHerald(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const badOpt = await runHerald(['-Z']);
  assert.equal(badOpt.code, 2);
  assert.match(badOpt.stderr, /unknown option '-Z'/);
});

test('a configuration directory that cannot be read stops start-up with a clear message', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-badconf-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'herald.conf'), '[directories](no-such-template)\nastrundir => run\n');
  const r = await runHerald(['-C', dir, '-f']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^herald: .*herald\.conf:1: /);
});
