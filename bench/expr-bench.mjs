#!/usr/bin/env node
// $[] expression throughput: evaluates a mix of typical dialplan expressions (already
// ${}-substituted, as the engine hands them over) and prints expressions per second.
// Usage: node bench/expr-bench.mjs [--build DIR] [--seconds N]   (DIR defaults to dist/)
import { join } from 'node:path';
import { argv, loaderFor, options, root } from './lib/args.mjs';

// Here an empty option value counts (`--build ''`), and a relative --build is taken from the cwd.
const opt = options(argv, { emptyCounts: true });
const buildDir = opt('--build', join(root, 'dist'));
const seconds = Number(opt('--seconds', '2'));
const { evaluateExpression } = await loaderFor(buildDir)('src/pbx/expr/index.js');

const mix = [
  '6001 = 6001',
  '"alice" = ""',
  '"" = ""',
  '3 > 2 & 1 < 4',
  '42 + 1',
  '5 * 60',
  '17 % 7',
  '1 ? yes :: no',
  '"2125551212" : "212(.*)"',
  '"SIP/6001-00000001" =~ "SIP/([0-9]+)"',
  '10 / 4',
  'TRUNC(123 / 10)',
  '!0 | 0',
  '0 = 1 | 2 = 2',
  'foo~~bar',
];

let sink = 0;
for (let i = 0; i < 20000; i++) sink += evaluateExpression(mix[i % mix.length]).value.length;

const perExpr = [];
for (const e of mix) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 20000; i++) sink += evaluateExpression(e).value.length;
  perExpr.push([e, 20000 / (Number(process.hrtime.bigint() - t0) / 1e9)]);
}

let count = 0;
const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
const start = process.hrtime.bigint();
while (process.hrtime.bigint() < deadline) {
  for (let i = 0; i < 1000; i++) sink += evaluateExpression(mix[(count + i) % mix.length]).value.length;
  count += 1000;
}
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`mix of ${mix.length} expressions: ${Math.round(count / elapsed).toLocaleString('en-US')} expressions/s (${count} in ${elapsed.toFixed(2)} s)`);
for (const [e, rate] of perExpr) console.log(`  ${Math.round(rate).toString().padStart(10)} /s  $[${e}]`);
if (sink < 0) console.log(sink);
