#!/usr/bin/env node
// Runs the whole suite: unit tests and the integration tests that bring up real peers (SIPp,
// Prosody, baresip; xmllint validates NOTIFY bodies against the XSD schemas). Real peers come from Debian packages: when one is missing and we may install
// (root, and CI=true or HERALD_INSTALL_PEERS=1), it is installed with apt-get; otherwise we stop
// and say what to install. Usage: npm test [-- file-filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const peers = [
  { bin: 'sipp', pkg: 'sip-tester' },
  { bin: 'prosody', pkg: 'prosody' },
  { bin: 'prosodyctl', pkg: 'prosody' },
  { bin: 'openssl', pkg: 'openssl' },
  { bin: 'xmllint', pkg: 'libxml2-utils' },
  { bin: 'baresip', pkg: 'baresip-core' },
];

function have(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

const missing = [...new Set(peers.filter((p) => !have(p.bin)).map((p) => p.pkg))];
if (missing.length > 0) {
  const mayInstall = process.getuid?.() === 0 && (process.env.CI === 'true' || process.env.HERALD_INSTALL_PEERS === '1');
  if (!mayInstall) {
    console.error(`herald's integration tests need real peers that are not installed: ${missing.join(' ')}`);
    console.error(`Install them with:  apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')} lua-sec`);
    console.error('or let the test run install them (as root):  HERALD_INSTALL_PEERS=1 npm test');
    process.exit(1);
  }
  console.log(`installing test peers: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (r.status === 0) r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing, 'lua-sec'], { stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`could not install ${missing.join(' ')}; install them by hand and run npm test again`);
    process.exit(1);
  }
}

function collect(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
let files = collect(join(root, 'dist', 'test'), []).sort();
if (filters.length > 0) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found under dist/test (did the build run?)');
  process.exit(1);
}
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=240000', ...files], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
