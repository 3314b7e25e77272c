#!/usr/bin/env node
// SIP REGISTER throughput with SIPp: ramped rates, each step for --step-seconds (default 20).
// Two series: REGISTER with digest (401 round trip, MD5 — SIPp 3.6.1 answers MD5 only) and
// REGISTER to peers without a secret (chan_sip registers those without a challenge).
// A step is clean when SIPp reports 0 failed calls, 0 retransmissions and 0 unexpected messages;
// the figure is the highest clean rate. Also printed per step: achieved rate, latency percentiles
// of the final 200 (from the first REGISTER of the call, SIPp -trace_rtt), and herald's RSS.
//
// herald runs as `node bin/herald.js -C <generated conf dir> -f` when that server answers SIP;
// otherwise bench/sip-register-server.mjs starts the SIP module alone (same code path, SQLite store).
//
// Usage: node bench/sip-register.mjs [--step-seconds N] [--pause-seconds N] [--digest-rates 2000,4000,…]
//        [--noauth-rates 4000,8000,…] [--peers N] [--server auto|herald|module] [--build dist]
//        [--store sqlite|memory] [--only digest|noauth] [--entry bin/herald.js]   (after npm run build)
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { freePort, opt, root } from './lib/args.mjs';

const stepSeconds = Number(opt('--step-seconds', '20'));
// Between steps: completed transactions stay 32 s (Timer J), so the next step starts on a settled heap.
const pauseSeconds = Number(opt('--pause-seconds', '35'));
const digestRates = opt('--digest-rates', '2000,4000,6000,8000,10000,12000').split(',').map(Number);
const noauthRates = opt('--noauth-rates', '4000,8000,12000,16000,20000,22000').split(',').map(Number);
const peerCount = Number(opt('--peers', '10000'));
const serverMode = opt('--server', 'auto');
const build = opt('--build', 'dist');
const storeKind = opt('--store', 'sqlite');
const only = opt('--only', '');
const entry = opt('--entry', join(root, 'bin/herald.js'));
const SIPP = process.env.SIPP ?? '/usr/bin/sipp';

/** sip.conf with peerCount template peers (digest: 30000…, no secret: 50000…) and the CSVs. */
function writeConfig(dir, port) {
  const lines = [
    '[general]',
    `udpbindaddr = 127.0.0.1:${port}`,
    'realm = asterisk',
    'auth_algorithms = MD5',
    'alwaysauthreject = yes',
    '',
    '[secret](!)', 'type = friend', 'host = dynamic', 'secret = perfpass', 'context = from-internal', '',
    '[open](!)', 'type = friend', 'host = dynamic', 'context = from-internal', '',
  ];
  const digestCsv = ['SEQUENTIAL'];
  const openCsv = ['SEQUENTIAL'];
  for (let i = 0; i < peerCount; i++) {
    lines.push(`[${30000 + i}](secret)`, `[${50000 + i}](open)`);
    digestCsv.push(`${30000 + i};[authentication username=${30000 + i} password=perfpass];`);
    openCsv.push(`${50000 + i};`);
  }
  writeFileSync(join(dir, 'sip.conf'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'digest.csv'), digestCsv.join('\n') + '\n');
  writeFileSync(join(dir, 'open.csv'), openCsv.join('\n') + '\n');
}

function probeOptions(port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve(false); }, timeoutMs);
    s.on('message', () => { clearTimeout(timer); s.close(); resolve(true); });
    s.bind(0, '127.0.0.1', () => {
      const lp = s.address().port;
      const msg = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${lp};branch=z9hG4bKprobe${Date.now()}`,
        'From: <sip:probe@127.0.0.1>;tag=probe', `To: <sip:127.0.0.1:${port}>`,
        `Call-ID: probe-${Date.now()}`, 'CSeq: 1 OPTIONS', 'Max-Forwards: 70', 'Content-Length: 0', '', '',
      ].join('\r\n');
      s.send(msg, port, '127.0.0.1');
    });
  });
}

function startProcess(args, readyPattern, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    // The node flags bin/herald.js runs with (its shebang), so the bench measures what users run.
    const child = spawn(process.execPath, ['--max-semi-space-size=32', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`not ready within ${timeoutMs} ms:\n${out.slice(-2000)}`)); }, timeoutMs);
    const onData = (c) => {
      out += c.toString();
      if (readyPattern.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`exited with ${code} before ready:\n${out.slice(-2000)}`)); });
  });
}

async function startHerald(dir, port) {
  const tries = serverMode === 'auto' ? ['herald', 'module'] : [serverMode];
  for (const kind of tries) {
    let child;
    try {
      if (kind === 'herald') {
        if (!existsSync(entry) || (entry.endsWith('bin/herald.js') && !existsSync(join(root, 'dist/src/cli/run.js')))) continue;
        child = await startProcess([entry, '-C', dir, '-f'], /herald Ready\./);
      } else {
        child = await startProcess([join(root, 'bench/sip-register-server.mjs'), dir, '--build', build, '--store', storeKind], /READY \d+/);
      }
    } catch (err) {
      if (serverMode !== 'auto') throw err;
      continue;
    }
    if (await probeOptions(port)) return { child, kind };
    child.kill('SIGKILL');
  }
  throw new Error('could not start herald with SIP');
}

function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

function cpuTicks(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return null;
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function runSipp(scenario, csv, port, rate, calls, timeoutSec) {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-sipp-'));
  const scen = join(dir, 'scenario.xml');
  copyFileSync(scenario, scen);
  const args = [
    `127.0.0.1:${port}`, '-sf', scen, '-inf', csv, '-i', '127.0.0.1', '-p', '0',
    '-m', String(calls), '-r', String(rate), '-rp', '1000', '-timeout', `${timeoutSec}s`, '-timeout_error', '-nostdin',
    '-trace_stat', '-stf', join(dir, 'stats.csv'), '-fd', '1',
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    '-trace_rtt', '-rtt_freq', '5000', '-buff_size', '4194304',
  ];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(SIPP, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d.toString(); });
    const kill = setTimeout(() => child.kill('SIGKILL'), (timeoutSec + 15) * 1000);
    child.on('exit', (code) => {
      clearTimeout(kill);
      const elapsed = (performance.now() - t0) / 1000;
      let stats = {};
      const sf = join(dir, 'stats.csv');
      if (existsSync(sf)) {
        const lines = readFileSync(sf, 'utf8').split('\n').filter((l) => l.trim());
        const head = lines[0].split(';');
        const last = lines[lines.length - 1].split(';');
        head.forEach((h, i) => { stats[h] = last[i]; });
      }
      const rtt = [];
      const rf = readdirSync(dir).find((n) => n.endsWith('_rtt.csv'));
      if (rf) {
        // SIPp 3.6.1: "Date_ms;response_time_ms;rtd_no" then one line per response.
        const lines = readFileSync(join(dir, rf), 'utf8').split('\n');
        const col = Math.max(0, lines[0].split(';').indexOf('response_time_ms'));
        for (const line of lines.slice(1)) {
          const v = Number(line.split(';')[col]);
          if (line && Number.isFinite(v)) rtt.push(v);
        }
      }
      rtt.sort((a, b) => a - b);
      const errLog = existsSync(join(dir, 'errors.log')) ? readFileSync(join(dir, 'errors.log'), 'utf8') : '';
      rmSync(dir, { recursive: true, force: true });
      const n = (k) => Number(stats[k] ?? 0) || 0;
      resolve({
        code, elapsed, stderr,
        ok: n('SuccessfulCall(C)'), failed: n('FailedCall(C)'), retrans: n('Retransmissions(C)'),
        unexpected: (errLog.match(/unexpected message/gi) ?? []).length,
        rtt,
        callRate: n('SuccessfulCall(C)') / Math.max(0.001, elapsed),
      });
    });
  });
}

async function series(name, scenario, csv, port, pid, rates) {
  console.log(`\n--- ${name}: ${stepSeconds} s per step, ${pauseSeconds} s pause`);
  // Warm-up (JIT, first registrations), not counted.
  await runSipp(scenario, csv, port, 500, 1500, 30);
  await new Promise((res) => setTimeout(res, Math.min(pauseSeconds, 5) * 1000));
  console.log('offered/s  done/s   ok       failed  retrans  p50ms  p90ms  p99ms  maxms  herald CPU%  RSS MB  clean');
  let best = 0;
  for (const rate of rates) {
    const calls = rate * stepSeconds;
    const c0 = cpuTicks(pid);
    const r = await runSipp(scenario, csv, port, rate, calls, stepSeconds * 3 + 30);
    const c1 = cpuTicks(pid);
    const cpu = c0 !== null && c1 !== null ? Math.round(((c1 - c0) / 100 / r.elapsed) * 100) : NaN;
    const clean = r.failed === 0 && r.retrans === 0 && r.unexpected === 0 && r.ok === calls;
    if (clean) best = Math.max(best, rate);
    const f = (v, w) => String(v).padEnd(w);
    console.log(
      `${f(rate, 10)} ${f(Math.round(r.callRate), 8)} ${f(r.ok, 8)} ${f(r.failed, 7)} ${f(r.retrans, 8)} ` +
      `${f(percentile(r.rtt, 50), 6)} ${f(percentile(r.rtt, 90), 6)} ${f(percentile(r.rtt, 99), 6)} ${f(r.rtt[r.rtt.length - 1] ?? NaN, 6)} ` +
      `${f(cpu, 12)} ${f(rssMb(pid), 7)} ${clean ? 'yes' : 'NO'}`,
    );
    if (!clean && r.stderr.trim()) console.log(`   sipp: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    if (!clean && r.failed > calls * 0.05) break;
    // Let retransmission timers, Timer J and the store settle between steps.
    await new Promise((res) => setTimeout(res, pauseSeconds * 1000));
  }
  console.log(`=> ${name}: highest clean rate ${best}/s`);
  return best;
}

const dir = mkdtempSync(join(tmpdir(), 'herald-bench-reg-'));
const port = await freePort();
writeConfig(dir, port);
const { child, kind } = await startHerald(dir, port);
console.log(`herald (${kind === 'herald' ? 'bin/herald.js' : 'SIP module via bench/sip-register-server.mjs'}, ${storeKind} store) on 127.0.0.1:${port}, ${peerCount} digest peers + ${peerCount} open peers; RSS ${rssMb(child.pid)} MB at start`);
const results = {};
try {
  if (only !== 'noauth') results.digest = await series('REGISTER with digest (2 transactions per call)', join(root, 'bench/scenarios/sip-register-digest.xml'), join(dir, 'digest.csv'), port, child.pid, digestRates);
  if (only !== 'digest') results.noauth = await series('REGISTER without auth (1 transaction per call)', join(root, 'bench/scenarios/sip-register-noauth.xml'), join(dir, 'open.csv'), port, child.pid, noauthRates);
  console.log(`\nsummary: digest ${results.digest ?? '-'}/s (target 10000), no auth ${results.noauth ?? '-'}/s (target 22000), herald RSS ${rssMb(child.pid)} MB`);
} finally {
  child.kill('SIGTERM');
  await new Promise((res) => { const t = setTimeout(() => { child.kill('SIGKILL'); res(); }, 5000); child.on('exit', () => { clearTimeout(t); res(); }); });
  rmSync(dir, { recursive: true, force: true });
}
