/**
 * The herald server process: reads herald.conf's directories, opens the store, starts the
 * configured modules in order, and serves the CLI on the control socket (Asterisk's
 * asterisk.ctl). Start-up order follows Asterisk's habit of claiming the control socket first,
 * so a second server on the same directories refuses before touching the store.
 */
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type DestinationStream } from 'pino';
import { EventBus } from './core/bus.js';
import { RealClock } from './core/clock.js';
import { HeraldError } from './core/errors.js';
import { createLogger, type Logger } from './core/log.js';
import type { Directories, HeraldModule, ReloadResult, ServerContext } from './core/module.js';
import type { KvStore } from './store/types.js';
import type { Endpoint } from './sip/transport/types.js';
import { loadDirectories, loadHeraldConf, loadHeraldOptions } from './config/herald-conf.js';
import { SqliteStore } from './store/sqlite-store.js';
import { registerDatabaseCommands } from './store/cli.js';
import { CommandRegistry, type CliResult, type CliSession } from './cli/registry.js';
import { ControlServer } from './cli/control-server.js';
import { CONTROL_SOCKET_NAME, PID_FILE_NAME } from './cli/control-protocol.js';
import { registerCoreCommands, type ModuleStatus, type ServerControl, type StopMode } from './cli/core-commands.js';
import { TeeLogStream, formatVerbose } from './cli/console-output.js';
import { MODULES, type ModuleEntry } from './modules.js';
import { formatHostPort } from './sip/transport/endpoint.js';

export const STORE_FILE_NAME = 'herald.sqlite3';
/** A module's stop() taking longer than this is reported and the shutdown goes on without it. */
export const MODULE_STOP_TIMEOUT_MS = 10000;
export const LOG_FILE_NAME = 'herald.log';

export interface StartServerOptions {
  /** The configuration directory (-C). */
  configDir: string;
  /** Root console verbosity (-v count); 0 falls back to herald.conf's [options] verbose unless quiet. */
  verbosity: number;
  /** -q: verbosity 0 whatever herald.conf says. */
  quiet?: boolean;
  /** Print the console (verbose lines, warnings, "herald Ready.") on stdout. */
  foreground: boolean;
  /** Where the JSON log lines go instead of <astlogdir>/herald.log (tests). */
  logDestination?: DestinationStream;
  /** Where console lines go instead of stdout (tests). */
  consoleWrite?: (line: string) => void;
  /** Handle SIGINT/SIGTERM/SIGHUP and log uncaught errors (default true; off for in-process tests). */
  processHooks?: boolean;
  /** Replaces the module list of src/modules.ts (tests). */
  modules?: ModuleEntry[];
  /** performance.now() when herald's own code began running (bin/herald.js), for the boot figure. */
  launchedAt?: number;
  /** How long a module's stop() may take (default MODULE_STOP_TIMEOUT_MS). */
  moduleStopTimeoutMs?: number;
}

export interface RunningServer {
  dirs: Directories;
  context: ServerContext;
  registry: CommandRegistry;
  controlPath: string;
  pidFile: string;
  storeFile: string;
  /** Run one CLI line as the server's own console would. */
  execute(line: string): Promise<CliResult>;
  /** Reload one module by name, or every module. */
  reload(moduleName?: string): Promise<ReloadResult[]>;
  /** Stop (resolves once everything is closed). */
  stop(mode?: StopMode): Promise<void>;
  /** Resolves with the exit code once the server has stopped, however it was asked to. */
  stopped: Promise<number>;
}

/**
 * A module that carries calls can let `core stop gracefully` wait for them: drain() stops
 * accepting new work and resolves when the work in progress is done.
 */
export interface DrainableModule extends HeraldModule {
  drain(): Promise<void>;
}

function isDrainable(m: HeraldModule): m is DrainableModule {
  return typeof (m as Partial<DrainableModule>).drain === 'function';
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface LoadedModule {
  name: string;
  module: HeraldModule | undefined;
  status: ModuleStatus['status'];
}

/** A pino file destination we own and must flush on stop. */
interface OwnedDestination extends DestinationStream {
  flushSync(): void;
  end(): void;
}

export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const heraldConf = loadHeraldConf(opts.configDir);
  const dirs = loadDirectories(opts.configDir, heraldConf);
  const heraldOptions = loadHeraldOptions(opts.configDir, heraldConf);
  for (const d of [dirs.run, dirs.log, dirs.varlib, dirs.spool]) mkdirSync(d, { recursive: true });
  // Start importing the configured modules now: reading their files overlaps the store and
  // socket set-up. They are still started one by one, in order, below.
  const configured = (opts.modules ?? MODULES).filter((e) => e.configured(dirs));
  const preloads = configured.map((e) => {
    const p = e.load();
    p.catch(() => undefined); // reported when awaited in order
    return p;
  });

  const consoleWrite = opts.consoleWrite ?? (opts.foreground ? stdoutConsole() : () => {});
  // -v on the command line wins; otherwise herald.conf's [options] verbose (Asterisk's asterisk.conf habit).
  let rootVerbosity = opts.quiet ? 0 : Math.max(0, opts.verbosity > 0 ? opts.verbosity : (heraldOptions.verbose ?? 0));
  let control: ControlServer | undefined;

  /** One console line: printed here at or below the root verbosity, pushed to remote consoles. */
  const emitConsole = (level: number, line: string): void => {
    if (level <= rootVerbosity) consoleWrite(line);
    control?.pushVerbose(level, line);
  };

  let fileDest: OwnedDestination | undefined;
  let inner: DestinationStream;
  if (opts.logDestination) {
    inner = opts.logDestination;
  } else {
    fileDest = pino.destination({ dest: join(dirs.log, LOG_FILE_NAME), sync: false, mkdir: true }) as unknown as OwnedDestination;
    inner = fileDest;
  }
  const log: Logger = createLogger({ destination: new TeeLogStream(inner, (line) => emitConsole(0, line)) });
  for (const w of heraldOptions.warnings) log.warn({ file: w.file, line: w.line }, w.message);
  const flushLog = (): void => {
    try {
      fileDest?.flushSync();
    } catch {
      // not open yet; end() below still flushes
    }
  };

  const rootSession: CliSession = {
    getVerbosity: () => rootVerbosity,
    setVerbosity: (level) => {
      const was = rootVerbosity;
      rootVerbosity = Math.max(0, level);
      return was;
    },
  };
  const registry = new CommandRegistry();
  const controlPath = join(dirs.run, CONTROL_SOCKET_NAME);
  const pidFile = join(dirs.run, PID_FILE_NAME);
  const storeFile = join(dirs.varlib, STORE_FILE_NAME);
  control = new ControlServer({ path: controlPath, registry, log, rootSession });
  try {
    await control.listen();
  } catch (err) {
    control = undefined;
    flushLog();
    fileDest?.end();
    throw err;
  }
  writeFileSync(pidFile, `${process.pid}\n`);

  let store: KvStore;
  try {
    // Its error names the file and the reason.
    store = SqliteStore.open(storeFile, { log: log.child({ module: 'store' }) });
  } catch (err) {
    await control.close();
    unlinkQuiet(pidFile);
    flushLog();
    fileDest?.end();
    throw err;
  }

  const bus = new EventBus();
  bus.onError = (err, event) => log.error({ err, event: String(event) }, 'event listener failed');
  /** The highest verbosity a console (root or remote) shows. */
  const consoleVerbosity = (): number => Math.max(rootVerbosity, control?.maxConsoleVerbosity() ?? -1);
  bus.on('Verbose', ({ level, text }) => {
    // A line above every console's verbosity is shown nowhere and not logged: Asterisk skips a
    // verbose message above ast_verb_sys_level (the highest console verbosity) altogether, so
    // at verbosity 0 its logs hold no per-step `Executing` lines (160 bytes each here).
    if (level > consoleVerbosity()) return;
    emitConsole(level, formatVerbose(level, text));
    log.info({ verbose: level }, text);
  });
  // `sip set debug on` / `xmpp set debug on`: chan_sip prints each message with ast_verbose at no level, so every
  // console shows it. Console only, never the JSON log: the messages carry Authorization headers.
  bus.on('SipTrace', ({ text }) => emitConsole(0, text));
  bus.on('XmppTrace', ({ text }) => emitConsole(0, text));
  const verbose = (level: number, text: string): void => bus.emit('Verbose', { level, text });

  const loaded: LoadedModule[] = [];
  const clock = new RealClock();
  const context: ServerContext = {
    dirs,
    store,
    bus,
    log,
    cli: registry,
    clock,
    getModule: <T extends HeraldModule>(name: string): T | undefined =>
      loaded.find((m) => m.name === name && m.module)?.module as T | undefined,
    // The server's own Verbose listener (above) is the first; any other wants every line.
    maxVerbosity: (): number => (bus.listenerCount('Verbose') > 1 ? Infinity : consoleVerbosity()),
  };

  const startedAt = clock.wallNow();
  let lastReloadAt = startedAt;
  let booted = false;
  let resolveBooted: () => void = () => {};
  const bootedPromise = new Promise<void>((resolve) => {
    resolveBooted = resolve;
  });
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => {
    resolveStopped = resolve;
  });

  let reloadChain: Promise<unknown> = Promise.resolve();
  const reload = (moduleName?: string): Promise<ReloadResult[]> => {
    const run = async (): Promise<ReloadResult[]> => {
      const targets = loaded.filter((m) => m.status === 'Running' && m.module && (!moduleName || m.name === moduleName));
      if (moduleName && targets.length === 0) return [{ ok: false, message: `The module '${moduleName}' is not running.` }];
      const results: ReloadResult[] = [];
      for (const t of targets) {
        const mod = t.module;
        if (!mod?.reload) continue;
        let r: ReloadResult;
        try {
          r = await mod.reload(context);
        } catch (err) {
          r = { ok: false, message: `${t.name}: reload failed: ${errorMessage(err)} — keeping the running configuration` };
        }
        results.push(r);
        bus.emit('Reloaded', { module: t.name, ok: r.ok, message: r.message });
        if (r.ok) log.info({ module: t.name }, r.message);
        else log.warn({ module: t.name }, r.message);
      }
      lastReloadAt = clock.wallNow();
      if (results.length === 0) results.push({ ok: true, message: 'Nothing to reload.' });
      return results;
    };
    const p = reloadChain.then(run, run);
    reloadChain = p.catch(() => undefined);
    return p;
  };

  let stopping: Promise<void> | undefined;
  const hooks = new ProcessHooks(log);
  let startFailed = false;
  const stop = (mode: StopMode = 'now'): Promise<void> => {
    if (stopping) return stopping;
    stopping = (async () => {
      verbose(1, `Beginning herald shutdown (${mode})....`);
      if (mode === 'gracefully') {
        for (const m of loaded) {
          if (m.module && m.status === 'Running' && isDrainable(m.module)) {
            try {
              await m.module.drain();
            } catch (err) {
              log.error({ err, module: m.name }, 'module drain failed');
            }
          }
        }
      }
      for (const m of [...loaded].reverse()) {
        if (!m.module || m.status === 'Failed' || m.status === 'Stopped') continue;
        m.status = 'Stopping';
        try {
          const limit = opts.moduleStopTimeoutMs ?? MODULE_STOP_TIMEOUT_MS;
          await withTimeout(m.module.stop(), limit, `module '${m.name}' did not stop within ${limit} ms`);
        } catch (err) {
          log.error({ err, module: m.name }, 'module stop failed');
        }
        m.status = 'Stopped';
      }
      await control?.close();
      control = undefined;
      try {
        await store.close();
      } catch (err) {
        log.error({ err }, 'closing the store failed');
      }
      unlinkQuiet(pidFile);
      hooks.remove();
      if (!startFailed) consoleWrite('herald cleanly ending (0).');
      log.info('herald stopped');
      flushLog();
      fileDest?.end();
      resolveStopped(0);
    })();
    return stopping;
  };

  const ctl: ServerControl = {
    dirs,
    storeFile,
    controlPath,
    pidFile,
    startedAt,
    lastReloadAt: () => lastReloadAt,
    rootSession,
    isBooted: () => booted,
    whenBooted: () => bootedPromise,
    modules: () => loaded.map((m) => ({ name: m.name, status: m.status, listening: listeningOn(m.module) })),
    // After the current response is written: the control socket flushes it before closing.
    requestStop: (mode) => {
      setImmediate(() => void stop(mode));
    },
    reload,
    nowMs: () => clock.wallNow(),
  };
  registerCoreCommands(registry, ctl);
  registerDatabaseCommands(registry, () => store);

  if (opts.processHooks !== false) {
    hooks.install({
      stop: (mode) => void stop(mode),
      reload: () => {
        void reload().then((results) => {
          for (const r of results) emitConsole(0, r.message);
        });
      },
    });
  }

  for (const [i, entry] of configured.entries()) {
    const slot: LoadedModule = { name: entry.name, module: undefined, status: 'Starting' };
    loaded.push(slot);
    try {
      verbose(2, `Loading module ${entry.name}`);
      const t0 = performance.now();
      slot.module = await preloads[i];
      const t1 = performance.now();
      await slot.module.start(context);
      slot.status = 'Running';
      // importMs: what was left of the import when its turn came (it began at start-up).
      log.info({ module: entry.name, importMs: round1(t1 - t0), startMs: round1(performance.now() - t1) }, 'module started');
    } catch (err) {
      slot.status = 'Failed';
      const message = `module '${entry.name}' failed to start: ${errorMessage(err)}`;
      log.error({ err, module: entry.name }, message);
      startFailed = true;
      await stop('now');
      throw new HeraldError('HERALD_ERR_MODULE_START', message, { cause: err });
    }
  }

  booted = true;
  resolveBooted();
  const startupMs = performance.now();
  const bootMs = opts.launchedAt === undefined ? undefined : startupMs - opts.launchedAt;
  const cpu = process.cpuUsage();
  // cpuMs: CPU time the process used so far, a figure that other load on the machine hardly moves.
  log.info({ startupMs: round1(startupMs), bootMs: bootMs === undefined ? undefined : round1(bootMs), cpuMs: round1((cpu.user + cpu.system) / 1000) }, 'fully booted');
  emitConsole(0, 'herald Ready.');

  return {
    dirs,
    context,
    registry,
    controlPath,
    pidFile,
    storeFile,
    execute: (line) => registry.execute(line, rootSession),
    reload,
    stop,
    stopped,
  };
}

/** A module that listens on the network says where (the SIP module's boundEndpoints()). */
interface ListeningModule {
  boundEndpoints(): Endpoint[];
}

function listeningOn(m: HeraldModule | undefined): string[] | undefined {
  if (!m || typeof (m as Partial<ListeningModule>).boundEndpoints !== 'function') return undefined;
  try {
    return (m as unknown as ListeningModule).boundEndpoints().map((e) =>
      `${e.proto.toLowerCase()}:${formatHostPort(e.address, e.port)}`);
  } catch {
    return undefined;
  }
}

/** Console lines on stdout; once stdout fails (a closed pipe), the console goes quiet instead of erroring in a loop. */
function stdoutConsole(): (line: string) => void {
  let broken = false;
  process.stdout.on('error', () => {
    broken = true;
  });
  return (line) => {
    if (!broken) process.stdout.write(`${line}\n`);
  };
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/** Signals and last-resort error handlers for a server that owns the process. */
class ProcessHooks {
  private readonly removers: Array<() => void> = [];
  constructor(private readonly log: Logger) {}

  install(actions: { stop(mode: StopMode): void; reload(): void }): void {
    let interrupts = 0;
    // Asterisk: SIGTERM/SIGINT shut down; a second interrupt does not wait any more.
    const onStop = (): void => {
      interrupts++;
      actions.stop(interrupts > 1 ? 'now' : 'gracefully');
    };
    const onHup = (): void => actions.reload();
    const onRejection = (reason: unknown): void => {
      this.log.error({ err: reason }, 'unhandled promise rejection');
    };
    const onException = (err: Error): void => {
      this.log.error({ err }, 'uncaught exception');
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) this.addSignal(signal, onStop);
    this.addSignal('SIGHUP', onHup);
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    this.removers.push(() => process.off('unhandledRejection', onRejection), () => process.off('uncaughtException', onException));
  }

  remove(): void {
    for (const r of this.removers.splice(0)) r();
  }

  private addSignal(signal: NodeJS.Signals, fn: () => void): void {
    process.on(signal, fn);
    this.removers.push(() => process.off(signal, fn));
  }
}
