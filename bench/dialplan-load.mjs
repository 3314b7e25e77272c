#!/usr/bin/env node
// Dialplan load and lookup speed: generates an extensions.conf of 10,000 extensions (literals
// and patterns, 3-5 priorities each, a few contexts with includes), loads it with the real
// lexer + loader several times and prints the median load time (target: <= 300 ms), then
// runs a mix of lookups (findPriority on literals, patterns, misses and included contexts,
// plus canMatch/matchMore) and prints lookups per second.
// Usage: node bench/dialplan-load.mjs [--build DIR] [--extensions N] [--runs N] [--seconds N]
//        (DIR defaults to dist/)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { argv, loaderFor, options, root } from './lib/args.mjs';

// Here an empty option value counts (`--build ''`), and a relative --build is taken from the cwd.
const opt = options(argv, { emptyCounts: true });
const buildDir = opt('--build', join(root, 'dist'));
const total = Number(opt('--extensions', '10000'));
const runs = Number(opt('--runs', '7'));
const seconds = Number(opt('--seconds', '2'));
const { loadDialplanFile } = await loaderFor(buildDir)('src/pbx/loader.js');

// Deterministic generator (no Math.random: figures comparable between runs).
let seed = 12345;
const rnd = (n) => {
  seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
  return (seed >>> 12) % n;
};

const CONTEXTS = 10;
const perContext = Math.ceil(total / CONTEXTS);
const lines = ['[general]', 'static=yes', 'writeprotect=no', '', '[globals]', 'TRUNK=SIP/trunk', ''];
const literals = [];
const patterns = [];
let made = 0;
for (let c = 0; c < CONTEXTS && made < total; c++) {
  lines.push(`[ctx${c}]`);
  if (c + 1 < CONTEXTS) lines.push(`include => ctx${c + 1}`);
  if (c === 0) lines.push('include => office,8:00-18:00,mon-fri,*,*');
  for (let i = 0; i < perContext && made < total; i++, made++) {
    const kind = rnd(10);
    let name;
    if (kind < 6) {
      name = String(100000 + c * perContext + i);
      literals.push([`ctx${c}`, name]);
    } else if (kind < 8) {
      name = `_${c}${i}NXX${'X'.repeat(rnd(3))}`;
      patterns.push([`ctx${c}`, name]);
    } else if (kind < 9) {
      name = `_${c}[1-5]${i}Z.`;
      patterns.push([`ctx${c}`, name]);
    } else {
      name = `_${c}${i}[a-c*#]X!`;
      patterns.push([`ctx${c}`, name]);
    }
    const prios = 3 + rnd(3);
    lines.push(`exten => ${name},1,NoOp(entry ${name})`);
    for (let p = 2; p < prios; p++) lines.push(` same => n,Set(VAR${p}=\${EXTEN:1})`);
    lines.push(` same => n(end),Dial(\${TRUNK}/\${EXTEN},30)`);
  }
  lines.push('');
}
lines.push('[office]', 'exten => _X.,1,NoOp(office hours)', '');
const text = lines.join('\n');

const dir = mkdtempSync(join(tmpdir(), 'herald-dpbench-'));
const file = join(dir, 'extensions.conf');
writeFileSync(file, text);

try {
  const times = [];
  const cpu = [];
  let dp;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const out = loadDialplanFile(file);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    dp = out.dialplan;
    if (out.warnings.length) throw new Error(`unexpected warnings: ${JSON.stringify(out.warnings.slice(0, 3))}`);
  }
  times.sort((a, b) => a - b);
  const counts = dp.counts();
  const median = times[Math.floor(times.length / 2)];
  console.log(`extensions.conf: ${(text.length / 1024).toFixed(0)} KiB, ${lines.length} lines`);
  console.log(`loaded: ${counts.extensions} extensions, ${counts.priorities} priorities, ${counts.contexts} contexts`);
  cpu.sort((a, b) => a - b);
  console.log(`load (lexer + loader): median ${median.toFixed(1)} ms, best ${times[0].toFixed(1)} ms, worst ${times[times.length - 1].toFixed(1)} ms over ${runs} runs (target <= 300 ms)`);
  console.log(`load CPU time (all threads, incl. GC): median ${cpu[Math.floor(cpu.length / 2)].toFixed(1)} ms; machine load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} CPUs`);

  // Lookup mix: literal hits, pattern hits, misses that walk every include, priority fall-through.
  const queries = [];
  for (let i = 0; i < 2000; i++) {
    const [ctx, name] = literals[rnd(literals.length)];
    queries.push(['findPriority', ctx, name, 1 + rnd(3)]);
  }
  for (let i = 0; i < 1000; i++) {
    const [ctx] = patterns[rnd(patterns.length)];
    const c = ctx.slice(3);
    queries.push(['findPriority', 'ctx0', `${c}${rnd(1000)}${2 + rnd(8)}${rnd(10)}${rnd(10)}`, 1]);
  }
  for (let i = 0; i < 500; i++) queries.push(['findPriority', `ctx${rnd(CONTEXTS)}`, `*${rnd(1000)}`, 1]);
  for (let i = 0; i < 500; i++) queries.push(['matchMore', `ctx${rnd(CONTEXTS)}`, String(100000 + rnd(total)).slice(0, 3), 1]);
  let hits = 0;
  let n = 0;
  const tEnd = performance.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() < tEnd) {
    for (const [kind, ctx, exten, prio] of queries) {
      if (kind === 'findPriority') {
        if (dp.findPriority(ctx, exten, prio, null)) hits++;
      } else if (dp.matchMore(ctx, exten, null)) hits++;
    }
    n += queries.length;
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
  console.log(`lookups: ${Math.round(n / elapsed).toLocaleString('en-US')} /s wall, ${Math.round(n / cpuSeconds).toLocaleString('en-US')} per CPU-second, over ${n.toLocaleString('en-US')} (literal hits, pattern hits across includes, misses, matchmore; ${((hits / n) * 100).toFixed(0)}% found)`);
  if (median > 300) console.log('NOTE: median load time above the 300 ms target (check the machine load: best run above)');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
