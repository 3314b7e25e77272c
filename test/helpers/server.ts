/**
 * Starting a real herald server process for integration tests:
 *
 *   const h = await startHerald({ files: { 'sip.conf': '…', 'extensions.conf': '…' } });
 *   t.after(() => h.stop());
 *   assert.match(await h.rx('sip show peers'), /2 sip peers/);
 *
 * The files go into a fresh temporary configuration directory ROOT/etc (herald.conf optional:
 * without it the store, socket and logs go to herald.conf's defaults, ROOT/var/…). The server runs from the same compiled tree as the test (dist/ or a private build),
 * in the foreground with `-C dir -f` plus `args`. startHerald resolves once the server printed
 * "herald Ready." and rejects (after killing it) if it exits or does not boot in time. Ports are
 * the caller's business: write free ones into the files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDirectories } from '../../src/config/herald-conf.js';
import { ControlClient } from '../../src/cli/control-client.js';
import { CONTROL_SOCKET_NAME } from '../../src/cli/control-protocol.js';
import { REPO_ROOT } from './paths.js';

/** The compiled `herald` entry point of the tree this helper was compiled into. */
export const HERALD_ENTRY = fileURLToPath(new URL('../../src/cli/run.js', import.meta.url));

export interface StartHeraldOptions {
  /** Files of the configuration directory: relative path → content. */
  files: Record<string, string>;
  /** Extra command-line arguments after `-C dir -f` (e.g. ['-vvv']). */
  args?: string[];
  /** How long to wait for "herald Ready." (default 20 s). */
  bootTimeoutMs?: number;
  /** Reuse this configuration directory instead of a fresh one (files are still written). */
  dir?: string;
}

export interface HeraldResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface HeraldProcess {
  /** The configuration directory. */
  dir: string;
  /** The control socket. */
  controlPath: string;
  proc: ChildProcess;
  /** Run one CLI command over the control socket; resolves with its output. */
  rx(cmd: string): Promise<string>;
  /** Run the `herald` command itself with `-C dir` and these arguments (e.g. ['-rx', 'core show version']), `input` on its stdin. */
  herald(args: string[], timeoutMs?: number, input?: string): Promise<HeraldResult>;
  /** Everything the server printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves when the output matches (checks what was already printed first). */
  waitForOutput(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** `core stop now`, wait for exit (kill after 10 s), remove the directory unless it was given. Idempotent. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const p of live) p.kill('SIGKILL');
  });
}

function matches(text: string, pattern: RegExp | string): boolean {
  return typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text);
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

function tcpPortFree(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(null));
    srv.listen(port, '127.0.0.1', () => {
      const got = (srv.address() as { port: number }).port;
      srv.close(() => resolve(got));
    });
  });
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      resolve(false);
    });
    sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
  });
}

/** A port on 127.0.0.1 that is free for both UDP and TCP right now (SIP binds both). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await tcpPortFree(0);
    if (port !== null && (await udpPortFree(port))) return port;
  }
  throw new Error('no free UDP+TCP port found on 127.0.0.1');
}

/** Run the herald command once (not a server): `herald …args` with `input` on stdin, collecting its output. */
export function runHerald(args: string[], timeoutMs = 20000, input?: string): Promise<HeraldResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [HERALD_ENTRY, ...args], { cwd: REPO_ROOT, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`herald ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function startHerald(opts: StartHeraldOptions): Promise<HeraldProcess> {
  installExitHook();
  // A fresh tree: ROOT/etc is the config directory, so herald.conf's default directories
  // (DIR/../var/…) land in ROOT/var and everything goes away with ROOT.
  const root = opts.dir === undefined ? mkdtempSync(join(tmpdir(), 'herald-test-')) : undefined;
  const dir = opts.dir ?? join(root as string, 'etc');
  mkdirSync(dir, { recursive: true });
  writeFiles(dir, opts.files);
  const controlPath = join(loadDirectories(dir).run, CONTROL_SOCKET_NAME);

  const proc = spawn(process.execPath, [HERALD_ENTRY, '-C', dir, '-f', ...(opts.args ?? [])], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (c: Buffer): void => {
    out += c.toString();
    for (const w of [...waiters]) w();
  };
  proc.stdout?.on('data', onData);
  proc.stderr?.on('data', onData);
  let hasExited = false;
  const exited = new Promise<number | null>((resolve) => {
    proc.on('exit', (code) => {
      hasExited = true;
      live.delete(proc);
      for (const w of [...waiters]) w();
      resolve(code);
    });
  });

  const waitForOutput = (pattern: RegExp | string, timeoutMs = 10000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (matches(out, pattern)) {
          done();
          resolve();
        } else if (hasExited) {
          done();
          reject(new Error(`herald exited before printing ${String(pattern)}:\n${out}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`herald did not print ${String(pattern)} within ${timeoutMs} ms:\n${out}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!hasExited) {
        try {
          const c = await ControlClient.connect(controlPath, 2000);
          await c.command('core stop now').catch(() => '');
          c.close();
        } catch {
          proc.kill('SIGTERM');
        }
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
        await exited;
        clearTimeout(timer);
      }
      if (root) rmSync(root, { recursive: true, force: true });
    })();
    return stopping;
  };

  try {
    await waitForOutput('herald Ready.', opts.bootTimeoutMs ?? 20000);
  } catch (err) {
    proc.kill('SIGKILL');
    await exited;
    if (root) rmSync(root, { recursive: true, force: true });
    throw err;
  }

  return {
    dir,
    controlPath,
    proc,
    rx: async (cmd) => {
      const c = await ControlClient.connect(controlPath);
      try {
        return (await c.command(cmd)).output;
      } finally {
        c.close();
      }
    },
    herald: (args, timeoutMs, input) => runHerald(['-C', dir, ...args], timeoutMs, input),
    output: () => out,
    waitForOutput,
    exited,
    stop,
  };
}
