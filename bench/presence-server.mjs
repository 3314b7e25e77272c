#!/usr/bin/env node
// The herald the presence benches measure: startServer with the state, dialplan, SIP, presence
// (SUBSCRIBE/NOTIFY) and presence-publish modules (src/modules.ts does not list all of them
// yet), in its own process so its RSS is its own. Driven over IPC by bench/presence-lib.mjs:
//   {id, type: 'rx', line}  → {id, output, t0, t1}   (t0/t1: epoch ms with sub-ms precision
//                                                    around the command, comparable across processes)
//   {id, type: 'mem', gc?, count?} → {id, rss, heapUsed, heapTotal, external, spaces, rssParts, cpuMs, transactions, subscriptions}
//                           (after a forced GC when --expose-gc, unless gc: false; count: false skips counting subscriptions)
//   {id, type: 'heapsnapshot', path} → {id, path}   (v8.writeHeapSnapshot, for memory work)
// HERALD_BENCH_ALLOC_PROFILE=FILE: sample allocations from start to stop, collected objects included
// (V8's sampling heap profiler, every ~4 KB allocated), written as a .heapprofile at stop; read it
// with bench/lib/alloc-top.mjs FILE. Shows what the young generation is filled with, i.e. what
// the scavenges pay for.
// Usage (forked): node [--expose-gc] bench/presence-server.mjs <configDir> [--build dist]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { argv, buildDir, loaderFor } from './lib/args.mjs';

const configDir = resolve(argv[0]);
const load = loaderFor(buildDir());

const { startServer } = await load('src/server.js');
const { createStateModule } = await load('src/state/module.js');
const { createDialplanModule } = await load('src/pbx/module.js');
const { createSipModule } = await load('src/registrar/module.js');
const { createPresenceModule } = await load('src/presence/module.js');
const { createPublishModule } = await load('src/presence/publish/module.js');

const entry = (name, make) => ({ name, configured: () => true, load: async () => make() });
const server = await startServer({
  configDir,
  verbosity: 0,
  foreground: false,
  processHooks: false,
  logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
  modules: [
    entry('state', createStateModule),
    entry('pbx', createDialplanModule),
    entry('sip', createSipModule),
    entry('presence', createPresenceModule),
    entry('presence-publish', createPublishModule),
  ],
});
const allocProfile = process.env.HERALD_BENCH_ALLOC_PROFILE;
/** An inspector command on this process, when allocations are being sampled; null otherwise. */
let inspect = null;
if (allocProfile) {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  inspect = (method, params) => new Promise((res, rej) => session.post(method, params, (err, r) => (err ? rej(err) : res(r))));
  await inspect('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
}
const sip = server.context.getModule('sip');
const presence = server.context.getModule('presence');
const epoch = () => performance.timeOrigin + performance.now();
/** RssAnon / RssFile / RssShmem from /proc/self/status (kB), where Linux has them. */
const rssParts = () => {
  try {
    const text = readFileSync('/proc/self/status', 'utf8');
    return Object.fromEntries([...text.matchAll(/^(Rss\w+):\s+(\d+) kB/gm)].map((m) => [m[1], Number(m[2])]));
  } catch {
    return {};
  }
};

process.on('message', async (m) => {
  if (m.type === 'rx') {
    const t0 = epoch();
    const r = await server.execute(m.line);
    const t1 = epoch();
    process.send({ id: m.id, output: r.output, t0, t1 });
  } else if (m.type === 'mem') {
    // {gc: false}: no forced GC (polling while V8's memory reducer may still run: a forced full GC
    // every poll kept it from shrinking the heap after a burst).
    if (globalThis.gc && m.gc !== false) {
      globalThis.gc();
      globalThis.gc();
    }
    const mu = process.memoryUsage();
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((sp) => [sp.space_name, { size: sp.space_size, used: sp.space_used_size }]));
    const cpu = process.cpuUsage();
    const tx = sip.getStack()?.stats() ?? { serverTransactions: -1, clientTransactions: -1 };
    process.send({ id: m.id, transactions: tx.serverTransactions + tx.clientTransactions, spaces, rss: mu.rss, heapUsed: mu.heapUsed, heapTotal: mu.heapTotal, external: mu.external, rssParts: rssParts(), cpuMs: (cpu.user + cpu.system) / 1000, subscriptions: m.count === false ? -1 : (presence?.subscriptions().length ?? -1) });
  } else if (m.type === 'heapsnapshot') {
    process.send({ id: m.id, path: writeHeapSnapshot(m.path) });
  } else if (m.type === 'stop') {
    if (inspect) {
      const { profile } = await inspect('HeapProfiler.stopSampling', {});
      const { writeFileSync } = await import('node:fs');
      writeFileSync(allocProfile, JSON.stringify(profile));
    }
    await server.stop();
    process.send({ id: m.id });
    process.exit(0);
  }
});
process.send({ type: 'ready', port: sip.boundEndpoints()[0].port });
