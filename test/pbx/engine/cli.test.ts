import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Channel, ChannelRegistry } from '../../../src/channels/channel.js';
import { formatApplications, formatChannels, formatFunctions, formatGlobals, registerDialplanCommands } from '../../../src/pbx/cli.js';
import { AppRegistry, builtinApplications } from '../../../src/pbx/apps/index.js';
import { CliUsageError, type CliCommand } from '../../../src/cli/types.js';
import { makeBench } from './harness.js';

test('core show channels uses Asterisk 20 columns and counters', () => {
  const reg = new ChannelRegistry();
  const a = new Channel({ name: 'SIP/2000-0000000a', uniqueid: '1.0', context: 'macro-dialvm', exten: 's', priority: 1 });
  a.currentApp = 'Dial';
  a.currentData = 'SIP/6002,10';
  const b = new Channel({ name: 'SIP/6002-0000000b', uniqueid: '1.1', linkedid: '1.0', context: 'from-internal', exten: '6002', state: 'Ringing' });
  reg.add(a);
  reg.add(b);
  const lines = formatChannels(reg).split('\n');
  assert.equal(lines[0], `${'Channel'.padEnd(64)} ${'Location'.padEnd(32)} State   ${'Application(Data)'.padEnd(30)}`);
  assert.equal(lines[1], `${'SIP/2000-0000000a'.padEnd(64)} ${'s@macro-dialvm:1'.padEnd(32)} Ring    ${'Dial(SIP/6002,10)'.padEnd(30)}`);
  assert.equal(lines[2]!.slice(98, 106), 'Ringing ');
  assert.deepEqual(lines.slice(3), ['2 active channels', '1 active call', '2 calls processed', '']);
});

test('applications, functions and globals listings', () => {
  const apps = new AppRegistry();
  for (const x of builtinApplications()) apps.register(x);
  const text = formatApplications(apps);
  assert.ok(text.startsWith('    -= Registered Asterisk Applications =-\n'));
  assert.ok(text.includes(`${'GotoIf'.padStart(20)}: Jump to one of two places depending on a condition\n`));
  assert.ok(text.endsWith(`    -= ${apps.list().length} Applications Registered =-\n`));
  const f = formatFunctions([{ name: 'LEN', synopsis: 'Length of a string', syntax: 'LEN(string)', description: '' }]);
  assert.equal(f, `Installed Custom Functions:\n${'-'.repeat(80)}\n${'LEN'.padEnd(20)}  ${'LEN(string)'.padEnd(35)}  Length of a string\n1 custom functions installed.\n`);
  assert.equal(formatGlobals(new Map([['A', '1']])), '   A=1\n\n    -- 1 variable(s)\n');
});

test('registered commands: show application, set global, usage errors', async () => {
  const b = makeBench('[ctx]\nexten => 1,1,NoOp(x)\n');
  const cmds: CliCommand[] = [];
  registerDialplanCommands(
    { register: (c) => cmds.push(c), unregister: () => {} },
    { dialplan: () => b.dialplan, apps: b.engine.apps as AppRegistry, functions: { get: () => undefined, list: () => [] }, channels: new ChannelRegistry(), services: b.services },
    async () => ({ ok: true, message: 'Dialplan reloaded.' }),
  );
  const cmd = (words: string): CliCommand => cmds.find((c) => c.words.join(' ') === words)!;
  const app = await cmd('core show application').handler({ args: ['gotoif'], line: '' });
  assert.ok(app.includes("  -= Info about application 'GotoIf' =- \n\n[Synopsis]\n"));
  assert.ok(app.includes('[Syntax]\nGotoIf(condition?[labeliftrue][:labeliffalse])\n'));
  assert.equal(await cmd('core show application').handler({ args: ['System'], line: '' }), 'Your application(s) is (are) not registered\n');
  assert.equal(await cmd('dialplan set global').handler({ args: ['X', 'y z'], line: '' }), "\n    -- Global variable 'X' set to 'y z'\n");
  assert.equal(b.services.globals.get('X'), 'y z');
  assert.throws(() => cmd('dialplan set global').handler({ args: ['X'], line: '' }), CliUsageError);
  assert.equal(await cmd('dialplan reload').handler({ args: [], line: '' }), 'Dialplan reloaded.\n');
  const show = await cmd('dialplan show').handler({ args: ['ctx'], line: '' });
  assert.ok(show.includes("[ Context 'ctx' created by 'pbx_config' ]"), show);
});
