// Shared set-up of the call benches: an in-process herald (state, pbx, sip and the calls
// module, from a compiled tree: --build dist by default, e.g. --build /tmp/hb-NAME) and SIPp
// phones. Each bench registers a SIPp UAS as the called peer and drives calls from a SIPp UAC.
import { performance } from 'node:perf_hooks';
import { buildDir, loaderFor } from './lib/args.mjs';

export { opt } from './lib/args.mjs';

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
exten => h,1,NoOp(\${DIALSTATUS})
`;

export async function setup() {
  const harness = await load('test/calls/harness.js');
  const sipp = await load('test/helpers/sipp.js');
  const h = await harness.startCallServer({ 'sip.conf': SIP_CONF, 'extensions.conf': EXTENSIONS });
  return { h, harness, sipp };
}

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Run `calls` calls at `rate`/s from `uac` against a UAS registered as `peer`; returns figures. */
export async function drive({ h, harness, sipp }, { peer, uas, uac, exten, calls, rate, limit, pauseMs }) {
  // SIPp as UAS caps its open calls at 3 × rate × scenario length unless told otherwise.
  const callee = await harness.callee(h, peer, uas, calls, ['-l', String(Math.max(limit, rate) * 10)]);
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
    args: ['-d', String(pauseMs)],
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await callee.uas.result;
  const sippCallMs = Number.parseFloat(String(r.stats['ElapsedTime(C)'] ?? '').split(':').reduce((a, x) => a * 60 + Number(x), 0)) * 1000;
  return { r, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, sippCallMs };
}

export function report(name, { r, wallMs, cpuMs }, calls, rate) {
  const perSec = r.successful / (wallMs / 1000);
  console.log(`${name}: ${r.successful}/${calls} calls ok, ${r.failed} failed, offered ${rate}/s`);
  console.log(`  throughput ${perSec.toFixed(0)} calls/s over ${(wallMs / 1000).toFixed(2)} s wall (includes SIPp start and the last calls' pauses)`);
  console.log(`  herald CPU ${cpuMs.toFixed(0)} ms = ${(cpuMs / Math.max(1, r.successful)).toFixed(3)} ms/call → ${(r.successful / (cpuMs / 1000)).toFixed(0)} calls per CPU-second`);
  if (r.successful === 0 && r.stderr) console.log(`  SIPp: ${r.stderr.slice(0, 500)}`);
  if (r.failed > 0) console.log(`  first errors:\n${r.errors.slice(0, 1500)}`);
}
