#!/usr/bin/env node
// Missed calls per second: SIPp UAC INVITE → herald → SIPp UAS rings (180 relayed) → the caller
// CANCELs → herald CANCELs the leg, 487s both ways, the h extension runs. Also the latency from
// herald receiving the caller's CANCEL to the h extension starting (p50/p95/p99).
// Usage: node bench/calls-cancel.mjs [--build dist] [--calls 10000] [--rate 2000] [--limit 4000]
import { drive, hStarted, opt, percentile, report, setup } from './calls-lib.mjs';

const calls = Number(opt('--calls', '10000'));
const rate = Number(opt('--rate', '2000'));
const limit = Number(opt('--limit', '4000'));
const env = await setup();
const cancelAt = new Map();
const latencies = [];
env.h.calls.observe((e) => {
  if (e.kind === 'cancel-received') cancelAt.set(e.channel, e.at);
});
hStarted.listener = (channel, at) => {
  const t = cancelAt.get(channel);
  if (t !== undefined) {
    latencies.push(at - t);
    cancelAt.delete(channel);
  }
};
try {
  const res = await drive(env, { peer: 'ringer', uas: 'uas_ring.xml', uac: 'uac_cancel.xml', exten: '104', calls, rate, limit, pauseMs: 1 });
  report('INVITE→180→CANCEL', res, calls, rate);
  latencies.sort((a, b) => a - b);
  console.log(`  CANCEL→h start: n=${latencies.length} p50 ${percentile(latencies, 50).toFixed(3)} ms, p95 ${percentile(latencies, 95).toFixed(3)} ms, p99 ${percentile(latencies, 99).toFixed(3)} ms`);
} finally {
  await env.h.stop();
}
