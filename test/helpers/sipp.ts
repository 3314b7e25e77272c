/**
 * Run a real SIPp (/usr/bin/sipp, 3.6.x) against a server on 127.0.0.1: a scenario XML plus an
 * optional injection CSV, bounded in calls (-m) and time (-timeout, and a hard kill), with its
 * statistics and unexpected messages traced into a temp directory, parsed when it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const SIPP_BIN = process.env.SIPP ?? '/usr/bin/sipp';

export interface SippOptions {
  /** Scenario XML path (copied into the run directory). */
  scenario: string;
  /** Server address, e.g. "127.0.0.1:5060". */
  target: string;
  /** Injection CSV path (-inf), copied into the run directory. */
  inf?: string;
  /** -m: calls to run. */
  calls: number;
  /** -r: calls per second (default 10). */
  rate?: number;
  /** -l: simultaneous calls limit. */
  limit?: number;
  /** -timeout, seconds (SIPp's own global timeout; default 60). */
  timeoutSec?: number;
  /** Authentication for [authentication] without explicit username/password. */
  authUser?: string;
  authPassword?: string;
  /** Record response times of rtd="true" (-trace_rtt). */
  traceRtt?: boolean;
  /** Extra command-line arguments. */
  args?: string[];
}

export interface SippResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Unexpected messages (-trace_err lines starting an entry). */
  unexpected: number;
  /** Every column of the last statistics line. */
  stats: Record<string, string>;
  /** Contents of the error trace (unexpected messages). */
  errors: string;
  /** Response times (ms) of rtd="true" responses when traceRtt was set. */
  rttMs: number[];
  stderr: string;
  /** Wall time of the run, ms. */
  elapsedMs: number;
}

export interface SippRunHandle {
  result: Promise<SippResult>;
  /** Stop SIPp now (SIGTERM, then SIGKILL). */
  kill(): void;
}

const running = new Set<ChildProcess>();

/** Kill every SIPp this process started (test teardown). */
export function killAllSipp(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

function parseStats(dir: string): Record<string, string> {
  const file = join(dir, 'stats.csv');
  if (!existsSync(file)) return {};
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  if (lines.length < 2) return {};
  const head = lines[0].split(';');
  const last = lines[lines.length - 1].split(';');
  const out: Record<string, string> = {};
  head.forEach((h, i) => {
    if (h) out[h] = last[i] ?? '';
  });
  return out;
}

function parseRtt(dir: string): number[] {
  const f = readdirSync(dir).find((n) => n.endsWith('_rtt.csv'));
  if (!f) return [];
  const out: number[] = [];
  // SIPp 3.6.1: header "Date_ms;response_time_ms;rtd_no", then one line per response time.
  const lines = readFileSync(join(dir, f), 'utf8').split('\n');
  const col = Math.max(0, lines[0].split(';').indexOf('response_time_ms'));
  for (const line of lines.slice(1)) {
    const v = Number(line.split(';')[col]);
    if (line !== '' && Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** Start SIPp; the handle resolves when it exits (or is killed after timeoutSec + 15 s). */
export function startSipp(opts: SippOptions): SippRunHandle {
  const dir = mkdtempSync(join(tmpdir(), 'herald-sipp-'));
  const scen = join(dir, basename(opts.scenario));
  copyFileSync(opts.scenario, scen);
  const timeoutSec = opts.timeoutSec ?? 60;
  const args = [
    opts.target,
    '-sf', scen,
    '-i', '127.0.0.1',
    '-p', '0',
    '-m', String(opts.calls),
    '-r', String(opts.rate ?? 10),
    '-timeout', `${timeoutSec}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_stat', '-stf', join(dir, 'stats.csv'), '-fd', '1',
    '-trace_err', '-error_file', join(dir, 'errors.log'),
  ];
  if (opts.limit !== undefined) args.push('-l', String(opts.limit));
  if (opts.inf) {
    const inf = join(dir, basename(opts.inf));
    copyFileSync(opts.inf, inf);
    args.push('-inf', inf);
  }
  if (opts.authUser !== undefined) args.push('-au', opts.authUser);
  if (opts.authPassword !== undefined) args.push('-ap', opts.authPassword);
  if (opts.traceRtt) args.push('-trace_rtt', '-rtt_freq', '1000');
  args.push(...(opts.args ?? []));
  const started = Date.now();
  const child = spawn(SIPP_BIN, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 65536) stderr += d.toString();
  });
  const hardKill = setTimeout(() => child.kill('SIGKILL'), (timeoutSec + 15) * 1000);
  const result = new Promise<SippResult>((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(hardKill);
      running.delete(child);
      reject(err);
    });
    child.on('exit', (exitCode, signal) => {
      clearTimeout(hardKill);
      running.delete(child);
      const stats = parseStats(dir);
      const errorsPath = join(dir, 'errors.log');
      const errors = existsSync(errorsPath) ? readFileSync(errorsPath, 'utf8') : '';
      const num = (k: string): number => Number(stats[k] ?? 0) || 0;
      const res: SippResult = {
        exitCode,
        signal,
        successful: num('SuccessfulCall(C)'),
        failed: num('FailedCall(C)'),
        retransmissions: num('Retransmissions(C)'),
        unexpected: (errors.match(/Aborting call on unexpected message|unexpected message/gi) ?? []).length,
        stats,
        errors: errors.slice(0, 20000),
        rttMs: opts.traceRtt ? parseRtt(dir) : [],
        stderr,
        elapsedMs: Date.now() - started,
      };
      rmSync(dir, { recursive: true, force: true });
      resolve(res);
    });
  });
  return {
    result,
    kill: () => {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    },
  };
}

/** Run SIPp to completion. */
export function runSipp(opts: SippOptions): Promise<SippResult> {
  return startSipp(opts).result;
}

/** True when the SIPp binary is present. */
export function haveSipp(): boolean {
  return existsSync(SIPP_BIN);
}

/** A CSV for SIPp's -inf, written to dir/name: a SEQUENTIAL mode line, then one line per call with ';'-terminated fields. */
export function sippCsv(dir: string, name: string, rows: string[][]): string {
  const p = join(dir, name);
  writeFileSync(p, ['SEQUENTIAL', ...rows.map((r) => `${r.join(';')};`)].join('\n') + '\n');
  return p;
}
