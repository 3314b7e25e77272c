#!/usr/bin/env node
// Start-up time of the herald server with the demo configuration (examples/demo, SIP moved to a
// free port so a running `npm start` does not interfere). Each of N runs (default 10) spawns
// `herald -C … -f`, waits for "herald Ready." on its stdout, then stops it with SIGTERM.
// Three figures per run:
//   spawn→Ready   wall time seen by this script, from spawn() to the "herald Ready." line
//   process→booted  the server's own performance.now() at "fully booted" (its time origin is
//                 the process start, so this includes Node's own start-up)
//   herald→booted the same minus when herald's first line of code ran (bin/herald.js): the part
//                 herald is responsible for. Target: ≤ 300 ms.
//   CPU time      user+system CPU of the server process at that point: barely moved by other load
//                 on the machine, so it is the figure to compare between versions.
// The server's log also gives each module's import and start time, printed below the totals.
// Usage: node bench/startup.mjs [--runs N] [--entry path/to/run.js]   (after npm run build)
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { freePort, opt, root } from './lib/args.mjs';

const runs = Number(opt('--runs', '10'));
const entry = opt('--entry', join(root, 'bin', 'herald.js'));
const TARGET_MS = 300;

function startOnce(configDir) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [entry, '-C', configDir, '-f'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let readyAt;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "herald Ready." within 20 s:\n${out}`));
    }, 20000);
    const onData = (c) => {
      out += c.toString();
      if (readyAt === undefined && out.includes('herald Ready.')) {
        readyAt = performance.now() - t0;
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (readyAt === undefined) reject(new Error(`herald exited (${code}) before it was ready:\n${out}`));
      else resolve(readyAt);
    });
  });
}

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  const p50 = s[Math.floor((s.length - 1) / 2)];
  return `p50 ${p50.toFixed(1)} ms, max ${s[s.length - 1].toFixed(1)} ms`;
}

const work = mkdtempSync(join(tmpdir(), 'herald-bench-startup-'));
try {
  const configDir = join(work, 'etc');
  cpSync(join(root, 'examples', 'demo'), configDir, { recursive: true, filter: (src) => !src.includes(`${join('demo', 'var')}`) });
  const port = await freePort();
  const sipConf = join(configDir, 'sip.conf');
  writeFileSync(sipConf, readFileSync(sipConf, 'utf8').replace(/^bindport\s*=\s*\d+/m, `bindport = ${port}`));
  const spawnToReady = [];
  for (let i = 0; i < runs; i++) spawnToReady.push(await startOnce(configDir));
  const logFile = join(configDir, 'var', 'log', 'herald.log');
  const booted = readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"fully booted"')).map((l) => JSON.parse(l));
  const processToBooted = booted.map((b) => b.startupMs);
  const heraldToBooted = booted.map((b) => b.bootMs);
  console.log(`herald start-up, demo configuration (SIP on 127.0.0.1:${port}), ${runs} runs`);
  console.log(`  spawn -> "herald Ready." (this script):  ${stats(spawnToReady)}`);
  console.log(`  process start -> fully booted (server):  ${stats(processToBooted)}`);
  console.log(`  herald code start -> fully booted:       ${stats(heraldToBooted)}   target <= ${TARGET_MS} ms`);
  console.log(`  CPU time used by then (user+system):     ${stats(booted.map((b) => b.cpuMs))}`);
  const perModule = new Map();
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    if (!line.includes('"module started"')) continue;
    const rec = JSON.parse(line);
    if (!perModule.has(rec.module)) perModule.set(rec.module, { importMs: [], startMs: [] });
    perModule.get(rec.module).importMs.push(rec.importMs);
    perModule.get(rec.module).startMs.push(rec.startMs);
  }
  for (const [name, m] of perModule) {
    console.log(`    module ${name.padEnd(6)} import ${stats(m.importMs)}; start ${stats(m.startMs)}`);
  }
  const worst = Math.max(...heraldToBooted);
  if (worst > TARGET_MS) console.log(`  over target: max ${worst.toFixed(1)} ms`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
