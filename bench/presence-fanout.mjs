#!/usr/bin/env node
// Fan-out of one presence change to many watchers of one hint.
// A raw UDP client (bench/presence-lib.mjs RawWatchers) holds --watchers SUBSCRIBE dialogs
// (default 10,000, spread over 16 loopback sockets, peer `watcher` without a secret) to the hint
// `lamp` (Custom:lamp, CustomPresence:lamp) and answers every NOTIFY with 200. Then, --rounds
// times, `presencestate change CustomPresence:lamp <AWAY|DND>` runs in the server and we time,
// from the moment the command began in the server (epoch clock shared by both processes):
//   - the last NOTIFY's arrival at the client (≈ sent: loopback), and
//   - the last 200 OK the client sent back (≈ received by herald).
// Target: 10k NOTIFYs out within 250 ms.
// Usage: node bench/presence-fanout.mjs [--watchers 10000] [--rounds 5] [--build dist]
import { readFileSync } from 'node:fs';
import { options, startBenchServer, RawWatchers, waitUntil } from './presence-lib.mjs';

/** The server's user and system CPU so far in ms (/proc/PID/stat, clock ticks of 10 ms). */
function serverCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(f[11]) * 10, sys: Number(f[12]) * 10 };
}

const opt = options();
const watchers = Number(opt('--watchers', '10000'));
const rounds = Number(opt('--rounds', '5'));
const build = opt('--build', 'dist');

const server = await startBenchServer({ build });
const client = new RawWatchers(server.port, 16);
try {
  await client.open();
  await server.rx('devstate change Custom:lamp NOT_INUSE');
  const t = Date.now();
  const failed = await client.subscribeMany(watchers, () => 'lamp', 200);
  const initialOk = await waitUntil(() => client.notifies >= watchers - failed, 30000);
  const subMs = Date.now() - t;
  console.log(`${watchers} subscriptions to one hint in ${subMs} ms (${failed} failed; initial NOTIFYs ${initialOk ? 'all answered' : `only ${client.notifies}`})`);
  if (failed > 0) throw new Error('some SUBSCRIBEs failed');
  const states = ['AWAY', 'DND'];
  const results = [];
  for (let r = 0; r < rounds; r++) {
    // Let the previous round's retransmissions die out: no NOTIFY for 1 s (at most 15 s).
    for (let q = 0; q < 15; q++) {
      const before = client.notifies + client.retransmitted;
      await new Promise((res) => setTimeout(res, 1000));
      if (client.notifies + client.retransmitted === before) break;
    }
    client.reset();
    const cpu0 = serverCpuMs(server.pid);
    const client0 = process.cpuUsage();
    const reply = await server.rx(`presencestate change CustomPresence:lamp ${states[r % 2]}`);
    const done = await waitUntil(() => client.notifies >= watchers, 30000, 2);
    // The last 200s reach herald just after the last NOTIFY left: wait for them before reading its CPU.
    await new Promise((res) => setTimeout(res, 50));
    const cpu1 = serverCpuMs(server.pid);
    const clientCpu = process.cpuUsage(client0);
    const clientMs = (clientCpu.user + clientCpu.system) / 1000;
    const cpuUs = ((cpu1.user - cpu0.user + cpu1.sys - cpu0.sys) * 1000) / watchers;
    const sysUs = ((cpu1.sys - cpu0.sys) * 1000) / watchers;
    const lastNotify = client.lastNotifyAt - reply.t0;
    const lastOk = client.lastOkSentAt - reply.t0;
    results.push({ lastNotify, lastOk, cmd: reply.t1 - reply.t0, got: client.notifies, cpuUs });
    console.log(
      `round ${r + 1}: ${client.notifies}/${watchers} NOTIFYs${done ? '' : ' (timed out)'}, ${client.retransmitted} retransmitted; last NOTIFY ${lastNotify.toFixed(1)} ms, ` +
        `last 200 OK ${lastOk.toFixed(1)} ms after the change (the command itself took ${(reply.t1 - reply.t0).toFixed(1)} ms); ` +
        `herald CPU ${cpuUs.toFixed(1)} µs per NOTIFY+200 (system ${sysUs.toFixed(1)}); this client ${clientMs.toFixed(0)} ms CPU for the round`,
    );
  }
  const sorted = (k) => results.map((x) => x[k]).sort((a, b) => a - b);
  const median = (k) => sorted(k)[Math.floor(results.length / 2)];
  console.log(`median: last NOTIFY ${median('lastNotify').toFixed(1)} ms, last 200 OK ${median('lastOk').toFixed(1)} ms for ${watchers} watchers (target ≤ 250 ms); ` +
    `herald CPU ${median('cpuUs').toFixed(1)} µs per NOTIFY+200`);
  const m = await server.mem();
  console.log(`herald RSS ${(m.rss / 1048576).toFixed(1)} MiB with ${m.subscriptions} subscriptions`);
} finally {
  client.close();
  await server.stop();
}
