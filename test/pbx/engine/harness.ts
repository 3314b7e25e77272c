/**
 * A small PBX test bench: dialplan from text (real lexer + loader), real engine and apps, a
 * SimClock (the simulator's) that fires timers as soon as something waits (no real sleeping), and captured
 * verbose/log lines. Functions: the real built-ins plus LOCAL from Gosub.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { EventBus } from '../../../src/core/bus.js';
import { SimClock } from '../../../src/pbx/simulator/clock.js';
import { parseConfText } from '../../../src/config/lexer.js';
import { loadDialplan } from '../../../src/pbx/loader.js';
import type { Dialplan } from '../../../src/pbx/dialplan.js';
import { PbxEngine, type RunResult } from '../../../src/pbx/engine.js';
import { AppRegistry, builtinApplications, gosubFunctions } from '../../../src/pbx/apps/index.js';
import type { DialplanApplication, DialplanChannel, PbxServices } from '../../../src/pbx/types.js';
import { Channel } from '../../../src/channels/channel.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { builtinFunctions, FunctionRegistry } from '../../../src/pbx/funcs/index.js';

export interface Bench {
  dialplan: Dialplan;
  engine: PbxEngine;
  services: PbxServices;
  lines: string[];
  warnings: string[];
  chan: Channel;
  run(context: string, exten: string): Promise<RunResult>;
  executed(): string[];
}

export function makeBench(conf: string, opts: { extraApps?: DialplanApplication[]; maxSyncSteps?: number; handlers?: (c: DialplanChannel) => string[] } = {}): Bench {
  const dialplan = loadDialplan(parseConfText(conf, 'extensions.conf'));
  const lines: string[] = [];
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) {
        if (!l) continue;
        const o = JSON.parse(l) as { level: number; msg: string };
        if (o.level >= 40) warnings.push(o.msg);
        lines.push(`LOG${o.level}: ${o.msg}`);
      }
      cb();
    },
  });
  const services: PbxServices = {
    store: new MemoryStore(),
    bus: new EventBus(),
    clock: new SimClock(Date.UTC(2026, 0, 1, 12, 0, 0)),
    log: pino({ level: 'debug' }, sink),
    dialplan: () => dialplan,
    globals: new Map(dialplan.globals),
    verbose: (level, text) => lines.push(`V${level}: ${text}`),
  };
  const apps = new AppRegistry();
  for (const a of builtinApplications()) apps.register(a);
  for (const a of opts.extraApps ?? []) apps.register(a);
  const functions = new FunctionRegistry();
  for (const f of [...builtinFunctions((name) => functions.get(name)), ...gosubFunctions()]) functions.register(f);
  const engine = new PbxEngine({ services, apps, functions, maxSyncSteps: opts.maxSyncSteps, hangupHandlers: opts.handlers });
  const chan = new Channel({ name: 'SIM/100-00000001', uniqueid: '1767268800.0', callerId: { name: 'Alice', num: '2000' } });
  const bench: Bench = {
    dialplan,
    engine,
    services,
    lines,
    warnings,
    chan,
    async run(context, exten) {
      const r = await engine.run(chan, { context, exten, priority: 1 });
      // pino writes asynchronously through the stream; let it flush.
      await new Promise((res) => setImmediate(res));
      return r;
    },
    executed() {
      return lines.filter((l) => l.includes('Executing [')).map((l) => /Executing \[([^\]]+)\] (\w+)\("[^"]*", "(.*)"\) in new stack/.exec(l)!.slice(1, 4).join(' '));
    },
  };
  return bench;
}
