/** The real SIP module inside the server: the demo configuration boots; a broken reload keeps the running config. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, startHerald } from '../helpers/server.js';
import { REPO_ROOT } from './../helpers/paths.js';

function sipConf(port: number, peers: string[]): string {
  return [
    '[general]',
    'bindaddr = 127.0.0.1',
    `bindport = ${port}`,
    'tcpenable = yes',
    '',
    ...peers.flatMap((p) => [`[${p}]`, 'type = friend', 'host = dynamic', `secret = ${p}pass`, 'context = from-internal', '']),
  ].join('\n');
}

test('reload with a broken sip.conf keeps the running peers and names file:line; a fixed one applies', async (t) => {
  const port = await freePort();
  const h = await startHerald({ files: { 'sip.conf': sipConf(port, ['2000']) } });
  t.after(() => h.stop());
  assert.match(await h.rx('sip show peers'), /^2000 /m);
  assert.match(await h.rx('core show settings'), new RegExp(`sip: +Running, listening on udp:127\\.0\\.0\\.1:${port}`));

  writeFileSync(join(h.dir, 'sip.conf'), `${sipConf(port, ['2000', '2001'])}\n[2002](no-such-template)\ntype = friend\n`);
  const broken = await h.rx('reload sip');
  assert.match(broken, /^sip\.conf:18: Inheritance requested, but category 'no-such-template' does not exist — keeping the running configuration\n$/);
  const peers = await h.rx('sip show peers');
  assert.match(peers, /^2000 /m);
  assert.doesNotMatch(peers, /^2001 /m);

  writeFileSync(join(h.dir, 'sip.conf'), sipConf(port, ['2000', '2001']));
  assert.match(await h.rx('core reload'), /sip\.conf reloaded \(2 peers\)/);
  assert.match(await h.rx('sip show peers'), /^2001 /m);
});

test('the demo configuration (examples/demo) boots with SIP on a free port', async (t) => {
  const demo = join(REPO_ROOT, 'examples', 'demo');
  const port = await freePort();
  const files: Record<string, string> = {};
  for (const name of readdirSync(demo).filter((n) => n.endsWith('.conf'))) {
    files[name] = readFileSync(join(demo, name), 'utf8');
  }
  // Its own var/ tree next to the temporary config directory, not the repository's.
  files['herald.conf'] = files['herald.conf'].replace(/^astvarlibdir.*$/m, '').replace(/^astrundir.*$/m, '').replace(/^astlogdir.*$/m, '').replace(/^astspooldir.*$/m, '');
  files['sip.conf'] = files['sip.conf'].replace(/^bindport\s*=\s*\d+/m, `bindport = ${port}`);
  const h = await startHerald({ files });
  t.after(() => h.stop());
  const peers = await h.rx('sip show peers');
  assert.match(peers, /3 sip peers/);
  assert.match(await h.rx('module show'), /^sip +Running$/m);
});

test('reload with a broken extensions.conf keeps the running dialplan and names file:line', async (t) => {
  const good = '[from-internal]\nexten => 100,1,NoOp(first)\n';
  const h = await startHerald({ files: { 'extensions.conf': good } });
  t.after(() => h.stop());
  assert.match(await h.rx('dialplan show from-internal'), /NoOp\(first\)/);
  writeFileSync(join(h.dir, 'extensions.conf'), '[from-internal]\nexten => 100,1,NoOp(second)\n[other](missing-template)\n');
  const out = await h.rx('reload pbx');
  assert.match(out, /extensions\.conf:3: .*keeping the running dialplan/);
  assert.match(await h.rx('dialplan show from-internal'), /NoOp\(first\)/);
  writeFileSync(join(h.dir, 'extensions.conf'), '[from-internal]\nexten => 100,1,NoOp(second)\n');
  assert.match(await h.rx('reload'), /Dialplan reloaded\./);
  assert.match(await h.rx('dialplan show from-internal'), /NoOp\(second\)/);
});
