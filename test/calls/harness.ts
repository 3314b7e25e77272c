/**
 * An in-process herald for call tests: the real state, pbx and sip modules plus the calls module,
 * SIP on 127.0.0.1 at a free port, helpers to register a SIPp UAS as a peer's contact, run
 * SIPp callers, and wait for things on the bus.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before } from 'node:test';
import { startServer, type RunningServer } from '../../src/server.js';
import { MODULES, type ModuleEntry } from '../../src/modules.js';
import { createCallsModule, type CallsModule } from '../../src/channels/sip/module.js';
import type { SipModule } from '../../src/registrar/module.js';
import type { DialplanModule } from '../../src/pbx/module.js';
import { fixture } from '../helpers/paths.js';
import { freePort } from '../helpers/server.js';
import { haveSipp, killAllSipp, runSipp, sippCsv, startSipp, type SippResult, type SippRunHandle } from '../helpers/sipp.js';

export interface CallServer {
  server: RunningServer;
  sip: SipModule;
  pbx: DialplanModule;
  calls: CallsModule;
  /** "127.0.0.1:port" of herald's SIP. */
  target: string;
  dir: string;
  /** Every Verbose text so far. */
  verbose: string[];
  rx(cmd: string): Promise<string>;
  stop(): Promise<void>;
}

export const callScenario = (name: string): string => fixture('calls', name);

function quietStream(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}

export async function startCallServer(files: Record<string, string>): Promise<CallServer> {
  const root = mkdtempSync(join(tmpdir(), 'herald-calls-'));
  const dir = join(root, 'etc');
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const calls = createCallsModule();
  const entry: ModuleEntry = { name: 'calls', configured: () => true, load: async () => calls };
  const base = MODULES.filter((m) => m.name === 'state' || m.name === 'pbx' || m.name === 'sip');
  const server = await startServer({
    configDir: dir,
    verbosity: 0,
    quiet: true,
    foreground: false,
    processHooks: false,
    logDestination: quietStream(),
    consoleWrite: () => undefined,
    modules: [...base, entry],
  });
  const verbose: string[] = [];
  server.context.bus.on('Verbose', (e) => verbose.push(e.text));
  const sip = server.context.getModule<SipModule>('sip');
  const pbx = server.context.getModule<DialplanModule>('pbx');
  if (!sip || !pbx) throw new Error('sip/pbx modules did not start');
  const port = sip.boundEndpoints()[0]?.port;
  return {
    server,
    sip,
    pbx,
    calls,
    target: `127.0.0.1:${port}`,
    dir,
    verbose,
    rx: async (cmd) => (await server.execute(cmd)).output,
    stop: async () => {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * The node:test hooks every SIPp call test file needs: before() starts a call server with the
 * files (unless SIPp is missing) and hands it to `started`; after() kills any SIPp left and stops
 * the server. Returns true when SIPp is missing, for the tests' `skip`.
 */
export function callServerHooks(files: () => Record<string, string>, started: (h: CallServer) => void): boolean {
  const skip = !haveSipp();
  let server: CallServer | undefined;
  before(async () => {
    if (skip) return;
    server = await startCallServer(files());
    started(server);
  });
  after(async () => {
    killAllSipp();
    await server?.stop();
  });
  return skip;
}

/**
 * The [general] section most call tests share: SIP on 127.0.0.1 at a port the kernel picks, unknown
 * callers refused (guests would land in from-guest), and T1 50 ms so retransmissions come quickly.
 */
export const CALL_TEST_GENERAL = `[general]
udpbindaddr = 127.0.0.1:0
context = from-guest
allowguest = no
timert1 = 50
`;

/** The calling phone most call tests use: peer 1000 in from-sip, shown as "Alice" <1000>. */
export const ALICE_1000 = `
[1000]
type = friend
host = dynamic
context = from-sip
callerid = "Alice" <1000>
`;

/** sip.conf sections for phones that register (type=friend, host=dynamic) into `context`, one per name. */
export function dynamicFriends(context: string, names: readonly string[]): string {
  return names.map((name) => `\n[${name}]\ntype = friend\nhost = dynamic\ncontext = ${context}\n`).join('');
}

/** A CSV for SIPp's -inf: one line per call, fields separated by ';'. */
export { sippCsv as csv };

/** Start a SIPp UAS on a free port and register it as `peer`'s contact. */
export async function callee(h: CallServer, peer: string, scenario: string, calls: number, extra: string[] = [], timeoutSec = 60): Promise<{ uas: SippRunHandle; port: number }> {
  const port = await freePort();
  // SIPp as UAS caps its open calls at 3 × rate × scenario length (a few dozen) unless -l says
  // otherwise; beyond that it mistakes CANCELs of calls it dropped for new calls.
  const uas = startSipp({ scenario: callScenario(scenario), target: h.target, calls, timeoutSec, args: ['-p', String(port), '-l', '10000', ...extra] });
  const reg = await runSipp({
    scenario: callScenario('register.xml'),
    target: h.target,
    inf: sippCsv(h.dir, `reg-${peer}.csv`, [[peer]]),
    calls: 1,
    timeoutSec: 10,
    args: ['-key', 'contact_port', String(port)],
  });
  if (reg.successful !== 1) throw new Error(`REGISTER of ${peer} failed: ${reg.errors || reg.stderr}`);
  return { uas, port };
}

/** Resolve when check() is true, polling every few ms (bounded by timeoutMs). */
export async function waitUntil(check: () => boolean, timeoutMs = 10000, what: string | (() => string) = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function summary(r: SippResult): string {
  const why = Object.entries(r.stats)
    .filter(([k, v]) => k.startsWith('Failed') && k.endsWith('(C)') && v !== '0')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const errors = r.errors.split('\n').filter((l) => !l.includes('Dead call')).join('\n');
  return `exit ${r.exitCode} ok ${r.successful} failed ${r.failed} ${why}\n${errors.slice(0, 4000)}\n${r.stderr.slice(0, 2000)}`;
}
