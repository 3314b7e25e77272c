// Shared set-up of the call benches: an in-process herald (state, pbx, sip and the calls
// module, from a compiled tree: --build dist by default, e.g. --build /tmp/hb-NAME) and SIPp
// phones. Each bench registers a SIPp UAS as the called peer and drives calls from a SIPp UAC.
//
// The server is started like test/calls/harness.ts does but without its listener that keeps
// every Verbose line: a real herald at verbosity 0 has no such listener, and with one the
// dialplan builds an `Executing [...]` line per priority and the array grows by a few lines per
// call. The `h` extension's first priority is BenchHStart, an application of this bench that
// notes when `h` began for the CANCEL → h latency.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { buildDir, loaderFor } from './lib/args.mjs';
import { udpReceiveBufferErrors } from './lib/udp-drops.mjs';

export { opt } from './lib/args.mjs';

// herald runs with a 32 MB young generation (bin/herald.js); so does the in-process one here.
if (!process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
  const child = spawnSync(process.execPath, ['--max-semi-space-size=32', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const load = loaderFor(buildDir());

export const SIP_CONF = `
[general]
udpbindaddr = 127.0.0.1:0
allowguest = no

[1000]
type = friend
host = dynamic
context = from-sip

[2000]
type = friend
host = dynamic
context = from-sip

[ringer]
type = friend
host = dynamic
context = from-sip
`;

export const EXTENSIONS = `
[from-sip]
exten => 100,1,Dial(SIP/2000,30)
exten => 104,1,Dial(SIP/ringer,30)
exten => h,1,BenchHStart()
exten => h,n,NoOp(\${DIALSTATUS})
`;

/** Channel name → performance.now() when its `h` extension started, for whoever listens. */
export const hStarted = { listener: null };

const benchHStart = {
  name: 'BenchHStart',
  synopsis: 'Notes when h began (call benches only)',
  syntax: 'BenchHStart()',
  description: 'Hands the channel name and the time to the bench.',
  exec(call) {
    hStarted.listener?.(call.channel.name, performance.now());
    return { kind: 'continue' };
  },
};

/** The call server of test/calls/harness.ts (same modules and options), minus its Verbose log. */
async function startBenchServer(files) {
  const { startServer } = await load('src/server.js');
  const { MODULES } = await load('src/modules.js');
  const { createCallsModule } = await load('src/channels/sip/module.js');
  const root = mkdtempSync(join(tmpdir(), 'herald-calls-bench-'));
  const dir = join(root, 'etc');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const calls = createCallsModule();
  const base = MODULES.filter((m) => m.name === 'state' || m.name === 'pbx' || m.name === 'sip');
  const server = await startServer({
    configDir: dir,
    verbosity: 0,
    quiet: true,
    foreground: false,
    processHooks: false,
    logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
    consoleWrite: () => undefined,
    modules: [...base, { name: 'calls', configured: () => true, load: async () => calls }],
  });
  const sip = server.context.getModule('sip');
  const pbx = server.context.getModule('pbx');
  if (!sip || !pbx) throw new Error('sip/pbx modules did not start');
  pbx.apps.register(benchHStart);
  return {
    server,
    sip,
    pbx,
    calls,
    target: `127.0.0.1:${sip.boundEndpoints()[0]?.port}`,
    dir,
    stop: async () => {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function setup() {
  const harness = await load('test/calls/harness.js');
  const sipp = await load('test/helpers/sipp.js');
  const h = await startBenchServer({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS });
  return { h, harness, sipp };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Run `calls` calls at `rate`/s from `uac` against a UAS registered as `peer`; returns figures. */
export async function drive({ h, harness, sipp }, { peer, uas, uac, exten, calls, rate, limit, pauseMs }) {
  // SIPp as UAS caps its open calls at 3 × rate × scenario length unless told otherwise.
  // SIPp's default 64 KB socket buffer overflows at these rates (a lost relayed 180 leaves the
  // caller waiting for Dial's timeout): 4 MB for both SIPps, as the REGISTER and presence benches.
  const callee = await harness.callee(h, peer, uas, calls, ['-l', String(Math.max(limit, rate) * 10), ...SIPP_BUFFER]);
  const drops0 = udpReceiveBufferErrors();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await sipp.runSipp({
    scenario: harness.callScenario(uac),
    target: h.target,
    inf: harness.csv(h.dir, `bench-${exten}.csv`, [['1000', exten]]),
    calls,
    rate,
    limit,
    timeoutSec: Math.ceil(calls / rate) + 60,
    args: ['-d', String(pauseMs), ...SIPP_BUFFER],
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await callee.uas.result;
  const drops = udpReceiveBufferErrors() - drops0;
  const sippCallMs = Number.parseFloat(String(r.stats['ElapsedTime(C)'] ?? '').split(':').reduce((a, x) => a * 60 + Number(x), 0)) * 1000;
  return { r, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, sippCallMs, drops };
}

const SIPP_BUFFER = ['-buff_size', '4194304'];

export function report(name, { r, wallMs, cpuMs, userMs, systemMs, drops }, calls, rate) {
  const perSec = r.successful / (wallMs / 1000);
  console.log(`${name}: ${r.successful}/${calls} calls ok, ${r.failed} failed, offered ${rate}/s; ${drops} UDP datagrams dropped machine-wide for full receive buffers`);
  console.log(`  throughput ${perSec.toFixed(0)} calls/s over ${(wallMs / 1000).toFixed(2)} s wall (includes SIPp start and the last calls' pauses)`);
  console.log(`  herald CPU ${cpuMs.toFixed(0)} ms = ${(cpuMs / Math.max(1, r.successful)).toFixed(3)} ms/call → ${(r.successful / (cpuMs / 1000)).toFixed(0)} calls per CPU-second`);
  // System time is mostly the UDP sendto/recvmsg syscalls (on loopback the send also delivers).
  console.log(`    of which user ${(userMs / Math.max(1, r.successful)).toFixed(3)} ms/call, system ${(systemMs / Math.max(1, r.successful)).toFixed(3)} ms/call (whole process, incl. the store's worker thread)`);
  if (r.successful === 0 && r.stderr) console.log(`  SIPp: ${r.stderr.slice(0, 500)}`);
  if (r.failed > 0) console.log(`  first errors:\n${r.errors.slice(0, 1500)}`);
}
