/** A tiny DialplanChannel and PbxServices for the function tests. */
import { EventBus } from '../../../src/core/bus.js';
import { FakeClock } from '../../../src/core/clock.js';
import { silentLogger } from '../../../src/core/log.js';
import { Dialplan } from '../../../src/pbx/dialplan.js';
import type { CallerId, DialplanChannel, DialplanFunction, FunctionCall, PbxServices } from '../../../src/pbx/types.js';
import { MemoryStore } from '../../../src/store/memory-store.js';

function bare(name: string): string {
  return name.startsWith('__') ? name.slice(2) : name.startsWith('_') ? name.slice(1) : name;
}

export class FakeChannel implements DialplanChannel {
  linkedid: string;
  context = 'default';
  exten = 's';
  priority = 1;
  callerId: CallerId = { name: '', num: '', ani: '', dnid: '', rdnis: '', pres: 'allowed_not_screened' };
  state = 'Up';
  hangupCause = 0;
  hungUp = false;
  readonly createdAt = 0;
  private readonly vars = new Map<string, { name: string; value: string }>();

  constructor(
    readonly name = 'SIP/2000-00000001',
    readonly uniqueid = '1767225600.0',
  ) {
    this.linkedid = uniqueid;
  }

  getVar(name: string): string | undefined {
    return this.vars.get(name)?.value;
  }

  setVar(name: string, value: string | undefined): void {
    this.vars.delete(bare(name));
    if (value !== undefined) this.vars.set(bare(name), { name, value });
  }

  listVars(): Array<[string, string]> {
    return [...this.vars.values()].map((v) => [v.name, v.value]);
  }
}

export interface TestServices extends PbxServices {
  store: MemoryStore;
  clock: FakeClock;
  verboseLines: string[];
}

export function makeServices(wallStart = Date.UTC(2026, 0, 1)): TestServices {
  const verboseLines: string[] = [];
  const dialplan = new Dialplan();
  return {
    store: new MemoryStore(),
    bus: new EventBus(),
    clock: new FakeClock(wallStart),
    log: silentLogger(),
    dialplan: () => dialplan,
    globals: new Map(),
    verbose: (level, text) => void verboseLines.push(`${level}:${text}`),
    verboseLines,
  };
}

export interface Ctx {
  channel: DialplanChannel | null;
  services: PbxServices;
}

export function ctx(channel: DialplanChannel | null = new FakeChannel(), services: PbxServices = makeServices()): Ctx {
  return { channel, services };
}

function callOf(fn: DialplanFunction, args: string, c: Ctx): FunctionCall {
  return { name: fn.name, args, channel: c.channel, services: c.services };
}

export function read(fn: DialplanFunction, args: string, c: Ctx): string {
  if (!fn.read) throw new Error(`${fn.name} cannot be read`);
  return fn.read(callOf(fn, args, c));
}

export async function write(fn: DialplanFunction, args: string, value: string, c: Ctx): Promise<void> {
  if (!fn.write) throw new Error(`${fn.name} cannot be written`);
  await fn.write(callOf(fn, args, c), value);
}
