import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgsError, DEFAULT_CONFIG_DIR, parseArgs, usageText } from '../../src/cli/args.js';

test('defaults: /etc/herald, verbosity 0, start the server', () => {
  const a = parseArgs([]);
  assert.equal(a.configDir, DEFAULT_CONFIG_DIR);
  assert.equal(a.verbosity, 0);
  assert.equal(a.remote, false);
  assert.deepEqual(a.rest, []);
});

test('npm start line: -C examples/demo -f -vvv', () => {
  const a = parseArgs(['-C', 'examples/demo', '-f', '-vvv']);
  assert.equal(a.configDir, 'examples/demo');
  assert.equal(a.foreground, true);
  assert.equal(a.verbosity, 3);
});

test('verbosity counts every v, bundled or not; -q silences', () => {
  assert.equal(parseArgs(['-v', '-v']).verbosity, 2);
  assert.equal(parseArgs(['-vvvc']).verbosity, 3);
  assert.equal(parseArgs(['-vvv', '-q']).verbosity, 0);
  assert.equal(parseArgs(['-vvv', '-q']).verboseFlags, 3);
});

test('-rx and -x take the command; -C value may be glued', () => {
  const a = parseArgs(['-Cdir', '-rx', 'core show version']);
  assert.equal(a.configDir, 'dir');
  assert.equal(a.remote, true);
  assert.equal(a.execute, 'core show version');
  const b = parseArgs(['-x', 'sip show peers', '-C', 'd']);
  assert.equal(b.execute, 'sip show peers');
  assert.equal(b.remote, true);
  assert.equal(b.configDir, 'd');
  assert.equal(parseArgs(['-r']).execute, undefined);
});

test('subcommands keep their own arguments, options included', () => {
  const a = parseArgs(['-C', 'd', 'dialplan', 'run', 'from-internal', '2000', '--dial', 'SIP/2000=CANCEL']);
  assert.deepEqual(a.rest, ['dialplan', 'run', 'from-internal', '2000', '--dial', 'SIP/2000=CANCEL']);
  assert.deepEqual(parseArgs(['expr', '1 + 2']).rest, ['expr', '1 + 2']);
});

test('--help, -V, --version; unknown options and missing values are errors', () => {
  assert.equal(parseArgs(['--help']).help, true);
  assert.equal(parseArgs(['-V']).version, true);
  assert.equal(parseArgs(['--version']).version, true);
  assert.throws(() => parseArgs(['-Z']), ArgsError);
  assert.throws(() => parseArgs(['--bogus']), ArgsError);
  assert.throws(() => parseArgs(['-C']), /needs a value/);
  assert.throws(() => parseArgs(['-rx']), /needs a value/);
  assert.match(usageText([]), /-rx "COMMAND"/);
});
