/**
 * `herald -C DIR dialplan run CONTEXT EXTEN [options]`: run a simulated channel
 * `SIM/<exten>-00000001` through DIR/extensions.conf with the real loader, engine and
 * applications, plus sim-only drivers for the outside world (Dial, VoiceMail, JabberSend,
 * JabberStatus, Playback, Read). Prints the verbose log as Asterisk's console would, every
 * external action, and the channel's variables at the end. Simulated time never sleeps.
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { EventBus } from '../../core/bus.js';
import { ConfError } from '../../config/types.js';
import { MemoryStore } from '../../store/memory-store.js';
import { createStateServices } from '../../state/module.js';
import { Channel, ChannelIds } from '../../channels/channel.js';
import { loadDialplanFile } from '../loader.js';
import type { Dialplan } from '../dialplan.js';
import { PbxEngine } from '../engine.js';
import { AppRegistry, builtinApplications, gosubFunctions } from '../apps/index.js';
import { builtinFunctions, FunctionRegistry } from '../funcs/index.js';
import { substitute } from '../substitute.js';
import type { DialplanApplication, DialplanChannel, PbxServices } from '../types.js';
import { SimClock } from './clock.js';
import { simDialApp } from './dial.js';
import { simJabberSendApp, simJabberStatusApp } from './jabber.js';
import { simPlaybackApp, simReadApp } from './media.js';
import { simVoiceMailApp } from './voicemail.js';
import { DIAL_OUTCOMES, SimWorld, VM_OUTCOMES, type DialOutcome, type VmOutcome } from './world.js';

export const SIMULATOR_USAGE = [
  'Usage: dialplan run CONTEXT EXTEN [--callerid \'"Name" <num>\'] [--set VAR=value ...]',
  '         [--dial TECH/RES=ANSWER|NOANSWER|BUSY|CANCEL|CHANUNAVAIL|CONGESTION ...]',
  '         [--hangup-at [[CONTEXT,]EXTEN,]PRIORITY] [--vmstatus SUCCESS|USEREXIT|FAILED]',
  '         [--buddy ACCOUNT/JID=1..7 ...] [--presence CustomPresence:NAME=STATE[,subtype[,message]] ...]',
  '         [--devstate Custom:NAME=STATE ...]',
  '       Runs a simulated call through CONFDIR/extensions.conf and prints what the dialplan does.',
  '       Nobody is really called: --dial says how each dialed destination answers (default',
  '       NOANSWER when its timeout runs out), --vmstatus how voicemail ends (default SUCCESS),',
  '       --hangup-at where the caller hangs up, --buddy the XMPP status JabberStatus sees (1 Online,',
  '       2 Chatty, 3 Away, 4 XAway, 5 DND, 6 Offline (default), 7 Not in roster), --presence and',
  '       --devstate the custom states the call starts with (changes the dialplan makes are printed).',
  '       Time is simulated; nothing is stored.',
].join('\n');

/** Console prefixes of Asterisk's verbose levels. */
const VERBOSE_PREFIX = ['', '', '  == ', '    -- ', '       > '];

export interface SimOptions {
  context: string;
  exten: string;
  callerName: string;
  callerNum: string;
  set: Array<[string, string]>;
  world: (w: SimWorld) => void;
  hangupAt: string | null;
  /** [provider, value] for CustomPresence:/Custom: states set before the call starts. */
  presence: Array<[string, string]>;
  devstate: Array<[string, string]>;
}

class UsageError extends Error {}

/** `"Name" <num>`, `Name <num>`, `<num>` or a bare number. */
export function parseCallerIdText(text: string): { name: string; num: string } {
  const m = /^\s*(?:"((?:[^"\\]|\\.)*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(text);
  if (m) return { name: (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'), num: m[3]!.trim() };
  return { name: '', num: text.trim() };
}

export function parseSimArgs(argv: string[]): SimOptions {
  const args = [...argv];
  if (args[0] === 'dialplan' && args[1] === 'run') args.splice(0, 2);
  const positional: string[] = [];
  const dial: Array<[string, DialOutcome]> = [];
  const set: Array<[string, string]> = [];
  const buddies: Array<[string, string, number]> = [];
  let vm: VmOutcome | null = null;
  let callerName = '';
  let callerNum = '';
  let hangupAt: string | null = null;
  const presence: Array<[string, string]> = [];
  const devstate: Array<[string, string]> = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--callerid') ({ name: callerName, num: callerNum } = parseCallerIdText(value()));
    else if (a === '--set') {
      const v = value();
      const eq = v.indexOf('=');
      if (eq <= 0) throw new UsageError(`--set wants VAR=value, not '${v}'`);
      set.push([v.slice(0, eq), v.slice(eq + 1)]);
    } else if (a === '--dial') {
      const v = value();
      const eq = v.lastIndexOf('=');
      const outcome = v.slice(eq + 1).toUpperCase();
      if (eq <= 0 || !(DIAL_OUTCOMES as readonly string[]).includes(outcome)) {
        throw new UsageError(`--dial wants TECH/RES=${DIAL_OUTCOMES.join('|')}, not '${v}'`);
      }
      dial.push([v.slice(0, eq), outcome as DialOutcome]);
    } else if (a === '--vmstatus') {
      const v = value().toUpperCase();
      if (!(VM_OUTCOMES as readonly string[]).includes(v)) throw new UsageError(`--vmstatus wants ${VM_OUTCOMES.join('|')}, not '${v}'`);
      vm = v as VmOutcome;
    } else if (a === '--buddy') {
      const v = value();
      const m = /^([^/=]+)\/([^=]+@[^=]+)=([1-7])$/.exec(v);
      if (!m) throw new UsageError(`--buddy wants ACCOUNT/JID=1..7, not '${v}'`);
      buddies.push([m[1]!, m[2]!, Number(m[3])]);
    } else if (a === '--presence' || a === '--devstate') {
      const v = value();
      const eq = v.indexOf('=');
      if (eq <= 0) throw new UsageError(`${a} wants PROVIDER=STATE, not '${v}'`);
      (a === '--presence' ? presence : devstate).push([v.slice(0, eq), v.slice(eq + 1)]);
    } else if (a === '--hangup-at') {
      hangupAt = value();
      if (!/^\S+$/.test(hangupAt)) throw new UsageError(`bad --hangup-at '${hangupAt}'`);
    } else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 2) throw new UsageError('CONTEXT and EXTEN are required');
  return {
    context: positional[0]!,
    exten: positional[1]!,
    callerName,
    callerNum,
    set,
    hangupAt,
    presence,
    devstate,
    world: (w) => {
      for (const [d, o] of dial) w.dial.set(d.toLowerCase(), o);
      if (vm) w.vmStatus = vm;
      for (const [account, jid, status] of buddies) w.setBuddyStatus(account, jid, status);
    },
  };
}

/** Resolve --hangup-at `[[context,]exten,]priority` against the start location. */
function hangupLocation(spec: string, context: string, exten: string): { context: string; exten: string; priority: number } | null {
  const f = spec.split(',');
  const pri = Number(f[f.length - 1]);
  if (!Number.isInteger(pri) || pri < 1) return null;
  if (f.length === 1) return { context, exten, priority: pri };
  if (f.length === 2) return { context, exten: f[0]!, priority: pri };
  return { context: f[0]!, exten: f[1]!, priority: pri };
}

/** Wrap every application so the caller hangs up when --hangup-at's location is reached. */
function withHangupAt(app: DialplanApplication, at: { context: string; exten: string; priority: number }, say: (l: string) => void): DialplanApplication {
  return {
    ...app,
    exec(call) {
      const c = call.channel;
      if (!c.hungUp && c.context === at.context && c.exten === at.exten && c.priority === at.priority) {
        say(`caller hangs up at ${c.exten}@${c.context}:${c.priority}`);
        (c as DialplanChannel & { requestHangup?: (cause?: number) => void }).requestHangup?.(16);
        return { kind: 'hangup', cause: 16 };
      }
      return app.exec(call);
    },
  };
}

/**
 * Run the simulator. argv: the words after `dialplan run` (a leading `dialplan run` is skipped).
 * Returns the process exit code: 0 after a run, 1 for a usage or configuration error.
 */
export async function runSimulator(argv: string[], configDir: string, out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  let opts: SimOptions;
  try {
    opts = parseSimArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      out(`dialplan run: ${err.message}`);
      out(SIMULATOR_USAGE);
      return 1;
    }
    throw err;
  }
  const file = join(configDir, 'extensions.conf');
  let dialplan: Dialplan;
  try {
    dialplan = loadDialplanFile(file).dialplan;
  } catch (err) {
    if (err instanceof ConfError) {
      out(`ERROR: ${err.message}`);
      return 1;
    }
    const code = (err as NodeJS.ErrnoException).code;
    out(`ERROR: cannot read ${file}: ${code ?? (err as Error).message}`);
    return 1;
  }
  for (const w of dialplan.warnings) out(`WARNING: ${w.file}:${w.line}: ${w.message}`);

  const logSink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) {
        if (!l) continue;
        try {
          const o = JSON.parse(l) as { level: number; msg: string };
          const tag = o.level >= 50 ? 'ERROR' : o.level >= 40 ? 'WARNING' : o.level >= 30 ? 'NOTICE' : 'DEBUG';
          if (o.level >= 30) out(`${tag}: ${o.msg}`);
        } catch {
          out(l);
        }
      }
      cb();
    },
  });
  const clock = new SimClock();
  const world = new SimWorld(out);
  opts.world(world);
  const store = new MemoryStore();
  const bus = new EventBus();
  const log = pino({ level: 'info', base: undefined }, logSink);
  // Presence, device state and hints run for real on a throw-away store, so PRESENCE_STATE,
  // DEVICE_STATE, EXTENSION_STATE and HINT behave as in the server.
  const state = createStateServices(store, bus, log);
  state.hints.setHints(dialplan.hints());
  try {
    for (const [provider, value] of opts.presence) await state.customPresence.write(provider, value);
    for (const [device, value] of opts.devstate) await state.customDevstate.write(device, value);
  } catch (err) {
    out(`dialplan run: ${(err as Error).message}`);
    return 1;
  }
  bus.on('PresenceStateChanged', (e) => out(`presence of ${e.provider} is now ${e.state}${e.subtype ? `,${e.subtype}` : ''}${e.message ? `,${e.message}` : ''}`));
  bus.on('DeviceStateChanged', (e) => out(`device state of ${e.device} is now ${e.state}`));
  const services: PbxServices = {
    store,
    bus,
    clock,
    log,
    dialplan: () => dialplan,
    globals: new Map(),
    verbose: (level, text) => out(`${VERBOSE_PREFIX[Math.min(4, Math.max(0, level))]}${text}`),
  };
  const functions = new FunctionRegistry();
  for (const f of [...builtinFunctions((name) => functions.get(name)), ...gosubFunctions(), ...state.functions()]) functions.register(f);
  // [globals] values are substituted against the globals defined before them.
  for (const [name, value] of dialplan.globals) services.globals.set(name, substitute(value, null, services, functions));

  const ids = new ChannelIds();
  const apps = new AppRegistry();
  const simApps = [
    simDialApp(
      world,
      (dest) => ids.nextName(dest.split('/')[0] ?? 'SIP', dest.slice(dest.indexOf('/') + 1)),
      () => ids.nextUniqueId(clock.wallNow() / 1000),
    ),
    simVoiceMailApp(world),
    simJabberSendApp(world),
    simJabberStatusApp(world),
    simPlaybackApp(world),
    simReadApp(world),
  ];
  const at = opts.hangupAt ? hangupLocation(opts.hangupAt, opts.context, opts.exten) : null;
  if (opts.hangupAt && !at) {
    out(`dialplan run: bad --hangup-at '${opts.hangupAt}'`);
    return 1;
  }
  for (const a of [...builtinApplications(), ...simApps]) apps.register(at ? withHangupAt(a, at, out) : a);

  const engine = new PbxEngine({ services, apps, functions });
  const chan = new Channel({
    name: ids.nextName('SIM', opts.exten),
    uniqueid: ids.nextUniqueId(clock.wallNow() / 1000),
    context: opts.context,
    exten: opts.exten,
    priority: 1,
    callerId: { name: opts.callerName, num: opts.callerNum },
    state: 'Ring',
    createdAt: Math.floor(clock.wallNow() / 1000),
  });
  for (const [name, value] of opts.set) chan.setVar(name, value);
  out(`Simulating ${chan.name} at ${opts.exten}@${opts.context} (caller "${opts.callerName}" <${opts.callerNum}>)`);
  const result = await engine.run(chan);
  await new Promise((r) => setImmediate(r));
  out(`== Simulation ended: ${result.reason}, ${result.steps} priorities, hangup cause ${chan.hangupCause}, ${Math.round(clock.now() / 1000)} s simulated`);
  out('Channel variables:');
  for (const [name, value] of chan.listVars()) out(`  ${name}=${value}`);
  state.close();
  return 0;
}
