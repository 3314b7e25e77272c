#!/usr/bin/env node
// `npm run bench`: runs every benchmark in turn and prints its figures. Each one can also be
// run alone (see docs/benchmarks.md). SIPp-driven benches take minutes; pass --quick to shorten
// their steps.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const quick = process.argv.includes('--quick');
const benches = [
  ['SIP parser', 'dist/bench/parser-bench.js', []],
  ['store group commit', 'dist/bench/store-bench.js', []],
  ['$[] expressions', 'bench/expr-bench.mjs', []],
  ['dialplan load (10k extensions)', 'bench/dialplan-load.mjs', []],
  ['dialplan priorities', 'bench/priorities.mjs', []],
  ['start-up', 'bench/startup.mjs', []],
  ['SIP REGISTER (SIPp)', 'bench/sip-register.mjs', quick ? ['--step-seconds', '5'] : []],
  ['calls: INVITE→180→CANCEL (SIPp)', 'bench/calls-cancel.mjs', []],
  ['calls: INVITE→200→ACK→BYE (SIPp)', 'bench/calls-answer.mjs', []],
  ['presence fan-out', 'bench/presence-fanout.mjs', []],
  ['SUBSCRIBE/NOTIFY (SIPp)', 'bench/presence-subscribe.mjs', []],
  ['XMPP JabberSend latency (Prosody)', 'bench/xmpp-latency.mjs', []],
  ['seed 000 missed call → XMPP (SIP + Prosody)', 'bench/missed-call-xmpp.mjs', []],
];
let failed = 0;
for (const [name, file, args] of benches) {
  const path = join(root, file);
  if (!existsSync(path)) {
    console.log(`\n=== ${name}: ${file} not found, skipped`);
    continue;
  }
  console.log(`\n=== ${name} (${file})`);
  const r = spawnSync(process.execPath, [path, ...args], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
