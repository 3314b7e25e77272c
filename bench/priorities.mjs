#!/usr/bin/env node
// Dialplan priorities per second through the real engine and applications.
//  1. simple: 1,000 NoOp() priorities without substitution, run over and over (target >= 1M/s);
//  2. mixed: a 50-priority extension with Set, $[] expressions, ${} substitutions, GotoIf and
//     labels, looped 20 times per channel.
// Uses the compiled tree: dist/ by default, or HERALD_BUILD_DIR (e.g. /tmp/hb-h8).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
const build = process.env.HERALD_BUILD_DIR ?? join(root, 'dist');
const load = (p) => import(pathToFileURL(join(build, p)).href);

const { parseConfText } = await load('src/config/lexer.js');
const { loadDialplan } = await load('src/pbx/loader.js');
const { PbxEngine } = await load('src/pbx/engine.js');
const { AppRegistry, builtinApplications, gosubFunctions } = await load('src/pbx/apps/index.js');
const { Channel } = await load('src/channels/channel.js');
const { EventBus } = await load('src/core/bus.js');
const { RealClock } = await load('src/core/clock.js');
const { silentLogger } = await load('src/core/log.js');
const { MemoryStore } = await load('src/store/memory-store.js');

function makeEngine(conf, trace = false) {
  const dialplan = loadDialplan(parseConfText(conf, 'bench.conf'));
  const services = {
    store: new MemoryStore(),
    bus: new EventBus(),
    clock: new RealClock(),
    log: silentLogger(),
    dialplan: () => dialplan,
    globals: new Map([['LIMIT', '20']]),
    verbose: (level, text) => services.bus.emit('Verbose', { level, text }),
  };
  const apps = new AppRegistry();
  for (const a of builtinApplications()) apps.register(a);
  const fns = new Map(gosubFunctions().map((f) => [f.name, f]));
  const engine = new PbxEngine({ services, apps, functions: { get: (n) => fns.get(n) }, traceSteps: () => trace, maxSyncSteps: 1e9 });
  return engine;
}

async function measure(name, engine, context, exten, seconds) {
  let steps = 0;
  let runs = 0;
  // Warm-up.
  for (let i = 0; i < 50; i++) await engine.run(new Channel({ name: `SIM/b-${i}`, uniqueid: `0.${i}` }), { context, exten, priority: 1 });
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    const r = await engine.run(new Channel({ name: 'SIM/bench-00000001', uniqueid: `1.${runs}` }), { context, exten, priority: 1 });
    steps += r.steps;
    runs++;
  }
  const secs = (performance.now() - start) / 1000;
  const rate = steps / secs;
  console.log(`${name.padEnd(48)} ${Math.round(rate).toLocaleString('en-US').padStart(12)} priorities/s  (${steps.toLocaleString('en-US')} in ${secs.toFixed(2)} s, ${runs} channels)`);
  return rate;
}

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
let simple = '[simple]\nexten => 100,1,NoOp(start)\n';
for (let i = 0; i < 999; i++) simple += ' same => n,NoOp(step)\n';

let mixed = '[mixed]\nexten => 200,1,Set(i=0)\n';
mixed += ' same => n(top),Set(i=$[${i} + 1])\n';
for (let i = 0; i < 15; i++) {
  mixed += ` same => n,Set(V${i}=\${EXTEN}-\${i}-${i})\n`;
  mixed += ` same => n,NoOp(\${V${i}:0:5} at \${CONTEXT} \${PRIORITY})\n`;
  mixed += ` same => n,GotoIf($["\${V${i}}" = "x"]?top)\n`;
}
mixed += ' same => n,ExecIf($[${i} > 100]?NoOp(never))\n';
mixed += ' same => n,Set(A=$[(${i} * 3) % 7])\n';
mixed += ' same => n,GotoIf($[${i} < ${LIMIT}]?top)\n';
mixed += ' same => n,Hangup()\n';

const simpleRate = await measure('simple NoOp priorities', makeEngine(simple), 'simple', '100', seconds);
await measure('simple NoOp, Executing lines built and emitted', makeEngine(simple, true), 'simple', '100', seconds);
await measure('50-priority loop with $[] and ${} (x20 per call)', makeEngine(mixed), 'mixed', '200', seconds);
console.log(`target >= 1,000,000 simple priorities/s: ${simpleRate >= 1e6 ? 'met' : 'NOT met'}`);
