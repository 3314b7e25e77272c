/**
 * The dialplan subsystem inside the server: loads `${dirs.config}/extensions.conf` (missing →
 * empty dialplan and a notice), applies [globals], registers the applications and functions,
 * runs channels through the engine, and swaps the dialplan atomically on `dialplan reload`
 * (a broken file keeps the running dialplan and reports file:line).
 */
import { join } from 'node:path';
import type { HeraldModule, ReloadResult, ServerContext } from '../core/module.js';
import { ConfError } from '../config/types.js';
import { Channel, ChannelRegistry } from '../channels/channel.js';
import { Dialplan } from './dialplan.js';
import { loadDialplanFile } from './loader.js';
import { PbxEngine, type RunOptions, type RunResult } from './engine.js';
import { AppRegistry, builtinApplications, gosubFunctions } from './apps/index.js';
import { builtinFunctions, FunctionRegistry } from './funcs/index.js';
import { substitute } from './substitute.js';
import type { PbxServices } from './types.js';
import { registerDialplanCommands } from './cli.js';
import type { StateModule } from '../state/module.js';

export interface DialplanModule extends HeraldModule {
  /** The running dialplan. */
  dialplan(): Dialplan;
  readonly engine: PbxEngine;
  readonly channels: ChannelRegistry;
  readonly apps: AppRegistry;
  readonly functions: FunctionRegistry;
  readonly services: PbxServices;
  /** Run a channel (registered in `channels` while it runs) and remove it afterwards. */
  runChannel(chan: Channel, opts?: RunOptions): Promise<RunResult>;
}

type LoadOutcome = { ok: true; dialplan: Dialplan; note: string | null } | { ok: false; message: string };

function loadFrom(dir: string): LoadOutcome {
  const file = join(dir, 'extensions.conf');
  try {
    return { ok: true, dialplan: loadDialplanFile(file).dialplan, note: null };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { ok: true, dialplan: new Dialplan(), note: `${file} not found: starting with an empty dialplan` };
    }
    if (err instanceof ConfError) return { ok: false, message: err.message };
    return { ok: false, message: `${file}: ${(err as Error).message}` };
  }
}

/** Log each line the loader skipped (the console shows it as `WARNING[pid]: file:line: …`); returns them as text. */
function reportWarnings(ctx: ServerContext, dp: Dialplan): string[] {
  for (const w of dp.warnings) ctx.log.warn({ file: w.file, line: w.line }, w.message);
  return dp.warnings.map((w) => `WARNING: ${w.file}:${w.line}: ${w.message}`);
}

export function createDialplanModule(): DialplanModule {
  let current = new Dialplan();
  let ctxRef: ServerContext | null = null;
  const apps = new AppRegistry();
  const functions = new FunctionRegistry();
  const channels = new ChannelRegistry();
  let services: PbxServices | null = null;
  let engine: PbxEngine | null = null;

  function need<T>(v: T | null, what: string): T {
    if (v === null) throw new Error(`pbx module not started (${what})`);
    return v;
  }

  /** [globals]: clearglobalvars empties them first; each value is substituted in file order. */
  function applyGlobals(dp: Dialplan, svc: PbxServices): void {
    if (dp.general.clearglobalvars) svc.globals.clear();
    for (const [name, raw] of dp.globals) {
      const value = substitute(raw, null, svc, functions);
      svc.globals.set(name, value);
      svc.verbose(2, `Setting global variable '${name}' to '${value}'`);
    }
  }

  const mod: DialplanModule = {
    name: 'pbx',
    dialplan: () => current,
    get engine() {
      return need(engine, 'engine');
    },
    get services() {
      return need(services, 'services');
    },
    channels,
    apps,
    functions,

    async start(ctx) {
      ctxRef = ctx;
      services = {
        store: ctx.store,
        bus: ctx.bus,
        clock: ctx.clock,
        log: ctx.log,
        dialplan: () => current,
        globals: new Map(),
        verbose: (level, text) => ctx.bus.emit('Verbose', { level, text }),
      };
      for (const a of builtinApplications()) apps.register(a);
      for (const f of [...builtinFunctions((name) => functions.get(name)), ...gosubFunctions()]) functions.register(f);
      // PRESENCE_STATE, DEVICE_STATE, EXTENSION_STATE and HINT live with the state engines.
      const state = ctx.getModule<StateModule>('state');
      if (state) for (const f of state.functions()) functions.register(f);
      // Build `Executing […]` (verbose 3) lines only while something shows that level (contexts
      // without maxVerbosity: while anyone listens to Verbose events).
      const shows3 = ctx.maxVerbosity ? (): boolean => (ctx.maxVerbosity?.() ?? Infinity) >= 3 : (): boolean => ctx.bus.listenerCount('Verbose') > 0;
      engine = new PbxEngine({ services, apps, functions, traceSteps: shows3 });
      const r = loadFrom(ctx.dirs.config);
      if (r.ok) {
        current = r.dialplan;
        if (r.note) ctx.log.info(r.note);
        reportWarnings(ctx, current);
      } else {
        ctx.log.error(`${r.message} — starting with an empty dialplan`);
      }
      applyGlobals(current, services);
      ctx.bus.emit('DialplanReloaded', { hints: current.hints() });
      registerDialplanCommands(ctx.cli, mod, () => mod.reload!(ctx));
    },

    async reload(ctx): Promise<ReloadResult> {
      const svc = need(services, 'reload');
      const r = loadFrom(ctx.dirs.config);
      if (!r.ok) return { ok: false, message: `${r.message} — keeping the running dialplan` };
      current = r.dialplan;
      const warnings = reportWarnings(ctx, current);
      applyGlobals(current, svc);
      ctx.bus.emit('DialplanReloaded', { hints: current.hints() });
      return { ok: true, message: [...warnings, r.note ?? 'Dialplan reloaded.'].join('\n') };
    },

    async runChannel(chan, opts) {
      channels.add(chan);
      try {
        return await need(engine, 'runChannel').run(chan, opts);
      } finally {
        channels.remove(chan);
      }
    },

    async stop() {
      if (ctxRef) {
        for (const words of DIALPLAN_COMMAND_WORDS) ctxRef.cli.unregister(words);
      }
      for (const c of channels.list()) c.requestHangup(16);
    },
  };
  return mod;
}

export const DIALPLAN_COMMAND_WORDS: string[][] = [
  ['dialplan', 'show'],
  ['dialplan', 'reload'],
  ['dialplan', 'set', 'global'],
  ['core', 'show', 'applications'],
  ['core', 'show', 'application'],
  ['core', 'show', 'functions'],
  ['core', 'show', 'function'],
  ['core', 'show', 'globals'],
  ['core', 'show', 'channels'],
];
