/** Shared set-up for the state tests: engines on a MemoryStore, a CLI registry, function calls. */
import { CommandRegistry } from '../../src/cli/registry.js';
import { EventBus, type HeraldEvents } from '../../src/core/bus.js';
import { RealClock } from '../../src/core/clock.js';
import { createLogger, type Logger } from '../../src/core/log.js';
import type { Dialplan } from '../../src/pbx/dialplan.js';
import type { HintEntry } from '../../src/pbx/model.js';
import type { DialplanFunction, PbxServices } from '../../src/pbx/types.js';
import { registerDatabaseCommands } from '../../src/store/cli.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { KvStore } from '../../src/store/types.js';
import { createStateServices, type StateServices } from '../../src/state/module.js';

export interface LogLine {
  level: number;
  msg: string;
}

/** A pino logger whose lines are kept for assertions (30 info, 40 warn, 50 error). */
export function capturingLogger(): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = createLogger({
    level: 'debug',
    destination: {
      write(s: string): void {
        const o = JSON.parse(s) as { level: number; msg?: string };
        lines.push({ level: o.level, msg: o.msg ?? '' });
      },
    },
  });
  return { log, lines };
}

export interface Harness {
  store: KvStore;
  bus: EventBus;
  state: StateServices;
  cli: CommandRegistry;
  logLines: LogLine[];
  log: Logger;
  events: Array<{ name: keyof HeraldEvents; event: unknown }>;
  functions: Map<string, DialplanFunction>;
  services: PbxServices;
  read(expr: string): string;
  write(expr: string, value: string): Promise<void>;
  run(line: string): Promise<{ output: string; ok: boolean }>;
}

const WATCHED: Array<keyof HeraldEvents> = ['DeviceStateChanged', 'PresenceStateChanged', 'ExtensionStateChanged'];

/** Split `NAME(args)` at the first '(' and the last ')'. */
function splitCall(expr: string): { name: string; args: string } {
  const open = expr.indexOf('(');
  return { name: expr.slice(0, open), args: expr.slice(open + 1, expr.lastIndexOf(')')) };
}

/** Build everything on `store` (a fresh MemoryStore by default) — a second call on the same store is a restart. */
export function makeHarness(store: KvStore = new MemoryStore()): Harness {
  const bus = new EventBus();
  const events: Harness['events'] = [];
  for (const name of WATCHED) bus.on(name, (event) => events.push({ name, event }));
  const { log, lines } = capturingLogger();
  const state = createStateServices(store, bus, log);
  const cli = new CommandRegistry();
  for (const cmd of state.cliCommands()) cli.register(cmd);
  registerDatabaseCommands(cli, () => store);
  const functions = new Map(state.functions().map((f) => [f.name, f]));
  const services: PbxServices = {
    store,
    bus,
    clock: new RealClock(),
    log,
    dialplan: (): Dialplan => {
      throw new Error('no dialplan in the state tests');
    },
    globals: new Map(),
    verbose: () => {},
  };
  const fn = (name: string): DialplanFunction => {
    const f = functions.get(name);
    if (!f) throw new Error(`no function ${name}`);
    return f;
  };
  return {
    store,
    bus,
    state,
    cli,
    logLines: lines,
    log,
    events,
    functions,
    services,
    read(expr) {
      const { name, args } = splitCall(expr);
      const f = fn(name);
      if (!f.read) throw new Error(`${name} cannot be read`);
      return f.read({ name, args, channel: null, services });
    },
    async write(expr, value) {
      const { name, args } = splitCall(expr);
      const f = fn(name);
      if (!f.write) throw new Error(`${name} cannot be written`);
      await f.write({ name, args, channel: null, services }, value);
    },
    run: (line) => cli.execute(line),
  };
}

/** A hint entry as the dialplan model gives it (legacy split at the last comma, text as written). */
export function hintEntry(context: string, exten: string, text: string): HintEntry {
  const comma = text.lastIndexOf(',');
  const hint = {
    devices: comma >= 0 ? text.slice(0, comma) : text,
    presence: comma >= 0 ? text.slice(comma + 1) : '',
    file: 'extensions.conf',
    line: 1,
    text,
  };
  return { context, exten, hint };
}

/** The three hints of the Asterisk 20 capture, in extensions.conf order. */
export function captureHints(): HintEntry[] {
  return [
    hintEntry('from-internal', '2000', 'SIP/2000,CustomPresence:2000'),
    hintEntry('from-internal', '6002', 'SIP/6002,CustomPresence:6002'),
    hintEntry('from-internal', 'foo', 'Custom:foo'),
  ];
}
