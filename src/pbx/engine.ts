/**
 * The PBX loop (asterisk-dialplan-xmpp.md §4, Asterisk's __ast_pbx_run):
 *  - find (context, exten, priority) with the dialplan's lookup rule, substitute the app data
 *    (only when it has `${`/`$[`), log `Executing [...]`, run the app;
 *  - 'continue' → priority + 1; 'jumped' → stay where the app put the channel; 'hangup' → stop;
 *  - no such priority: the extension exists → autofallthrough (`Auto fallthrough …`, BUSY → Busy(10),
 *    CONGESTION/CHANUNAVAIL → Congestion(10), else hang up); it does not → `i`, then `e`, else hang up;
 *  - at the end the `h` extension runs (herald rule: in the macro context where the hangup happened
 *    if it has `h`, otherwise the channel's context), then the hangup handlers, most recent first.
 * Applications run synchronously unless they return a Promise; only then does the loop await.
 * A dialplan that spins without ever waiting is stopped after `maxSyncSteps` priorities.
 */
import { indicateAndWait } from './apps/busy.js';
import { waitOnChannel } from './apps/channel-wait.js';
import { gosubStack, startGosub } from './apps/gosub.js';
import type { AppRegistry } from './apps/registry.js';
import { hangupHandlers } from './funcs/channel.js';
import { setEvalSubstituter } from './funcs/substituter.js';
import { needsSubstitution, substitute, type FunctionLookup } from './substitute.js';
import type { AppResult, DialplanApplication, DialplanChannel, PbxServices } from './types.js';
import type { DialplanPriority } from './model.js';

export interface EngineOptions {
  services: PbxServices;
  apps: AppRegistry;
  functions: FunctionLookup;
  /** Priorities run without any app that waited before the loop guard hangs up (default 100000). */
  maxSyncSteps?: number;
  /** Yield to the event loop after this many synchronous priorities (default 1000). */
  yieldEvery?: number;
  /** Whether `Executing [...]` lines are built (skip them when nobody shows verbose 3). Default on. */
  traceSteps?: () => boolean;
  /**
   * Hangup handler locations pushed on a channel, most recent last (default: the stack that
   * CHANNEL(hangup_handler_push) keeps).
   */
  hangupHandlers?: (chan: DialplanChannel) => string[];
}

export interface RunOptions {
  context?: string;
  exten?: string;
  priority?: number;
}

export type EndReason = 'hangup' | 'fallthrough' | 'invalid' | 'loop-limit';

export interface RunResult {
  reason: EndReason;
  /** Priorities executed, `h` and hangup handlers included. */
  steps: number;
  hangupCause: number;
}

/** Options for a (sub-)loop: the main loop, `h`, a macro body, a hangup handler. */
export interface LoopOptions {
  /** Keep running although the channel is hung up (`h`, hangup handlers, macros called from `h`). */
  inHangup: boolean;
  /** Checked after every step; true ends the loop with kind 'stopped'. */
  stopWhen?: (chan: DialplanChannel) => boolean;
}

export type LoopEnd =
  | { kind: 'hangup'; nonZero: boolean }
  | { kind: 'notfound' }
  | { kind: 'stopped' }
  | { kind: 'limit' };

interface RunState {
  syncSteps: number;
  totalSteps: number;
  sinceYield: number;
  limitHit: boolean;
  inHangup: boolean;
  exitMacroContext: string | null;
}

const engines = new WeakMap<PbxServices, PbxEngine>();

/** The engine that owns these services (applications reach it through AppCall.services). */
export function engineOf(services: PbxServices): PbxEngine {
  const e = engines.get(services);
  if (!e) throw new Error('no PbxEngine for these services');
  return e;
}

const HANGUP: AppResult = { kind: 'hangup' };
/** autofallthrough=no: how long the channel waits for digits before `t` (Asterisk's 10 s response timeout). */
const RESPONSE_TIMEOUT_MS = 10_000;

export class PbxEngine {
  readonly services: PbxServices;
  readonly apps: AppRegistry;
  readonly functions: FunctionLookup;
  private readonly maxSyncSteps: number;
  private readonly yieldEvery: number;
  private readonly traceSteps: () => boolean;
  private readonly hangupHandlerSource: (chan: DialplanChannel) => string[];
  private readonly states = new WeakMap<DialplanChannel, RunState>();
  /** Resolved application per dialplan priority (the text never changes for a loaded priority). */
  private readonly appCache = new WeakMap<DialplanPriority, DialplanApplication | null>();

  constructor(opts: EngineOptions) {
    this.services = opts.services;
    this.apps = opts.apps;
    this.functions = opts.functions;
    this.maxSyncSteps = opts.maxSyncSteps ?? 100_000;
    this.yieldEvery = opts.yieldEvery ?? 1000;
    this.traceSteps = opts.traceSteps ?? (() => true);
    this.hangupHandlerSource = opts.hangupHandlers ?? hangupHandlers;
    engines.set(opts.services, this);
    // EVAL, CUT, FIELDQTY … substitute through the engine (one substituter per process: the
    // most recently created engine's).
    setEvalSubstituter((text, chan) => this.substitute(text, chan));
  }

  /** Substitute `${}`/`$[]` for a channel with this engine's functions. */
  substitute(text: string, chan: DialplanChannel | null): string {
    return substitute(text, chan, this.services, this.functions);
  }

  warn(text: string): void {
    this.services.log.warn(text);
  }

  verbose(level: number, text: string): void {
    this.services.verbose(level, text);
  }

  private state(chan: DialplanChannel): RunState {
    let s = this.states.get(chan);
    if (!s) {
      s = { syncSteps: 0, totalSteps: 0, sinceYield: 0, limitHit: false, inHangup: false, exitMacroContext: null };
      this.states.set(chan, s);
    }
    return s;
  }

  /** True while the channel runs its `h` extension or hangup handlers. */
  inHangupRun(chan: DialplanChannel): boolean {
    return this.states.get(chan)?.inHangup ?? false;
  }

  /**
   * A macro ended by a hangup: remember its context for the `h` run unless a deeper macro already
   * did (herald's rule, from Asterisk 1.4's EXIT_MACRO_CONTEXT; see docs/dialplan-decisions.md).
   * Returns true when this context was taken (the macro then leaves ARGn/MACRO_* as they are).
   */
  claimMacroHangup(chan: DialplanChannel, macroContext: string): boolean {
    const s = this.state(chan);
    if (s.exitMacroContext !== null) return true;
    if (!this.existsAt(macroContext, 'h', 1, chan)) return false;
    s.exitMacroContext = macroContext;
    return true;
  }

  existsAt(context: string, exten: string, priority: number, chan: DialplanChannel): boolean {
    return this.services.dialplan().findPriority(context, exten, priority, chan.callerId.num) !== null;
  }

  /** Run a channel through the dialplan until it hangs up; then `h` and hangup handlers. */
  async run(chan: DialplanChannel, opts: RunOptions = {}): Promise<RunResult> {
    if (opts.context !== undefined) chan.context = opts.context;
    if (opts.exten !== undefined) chan.exten = opts.exten;
    if (opts.priority !== undefined) chan.priority = opts.priority;
    const st = this.state(chan);
    if (!chan.exten) chan.exten = 's';
    if (!this.existsAt(chan.context, chan.exten, chan.priority, chan)) {
      this.verbose(2, `Starting ${chan.name} at ${chan.context},${chan.exten},${chan.priority} failed so falling back to exten 's'`);
      chan.exten = 's';
      chan.priority = 1;
      if (!this.existsAt(chan.context, 's', 1, chan)) {
        this.verbose(2, `Starting ${chan.name} at ${chan.context},${chan.exten},${chan.priority} still failed so falling back to context 'default'`);
        chan.context = 'default';
      }
    }
    let reason: EndReason = 'hangup';
    for (;;) {
      const end = await this.loop(chan, { inHangup: false });
      if (end.kind === 'limit') {
        reason = 'loop-limit';
        break;
      }
      if (end.kind === 'hangup') {
        if (end.nonZero) {
          this.verbose(2, `Spawn extension (${chan.context}, ${chan.exten}, ${chan.priority}) exited non-zero on '${chan.name}'`);
        }
        reason = 'hangup';
        break;
      }
      if (end.kind === 'stopped') break;
      // Not found: does the extension exist at all?
      if (!this.existsAt(chan.context, chan.exten, 1, chan)) {
        if (this.existsAt(chan.context, 'i', 1, chan)) {
          this.verbose(3, `Channel '${chan.name}' sent to invalid extension: context,exten,priority=${chan.context},${chan.exten},${chan.priority}`);
          chan.setVar('INVALID_EXTEN', chan.exten);
          chan.exten = 'i';
          chan.priority = 1;
          continue;
        }
        if (this.existsAt(chan.context, 'e', 1, chan)) {
          this.raiseException(chan, 'INVALID');
          continue;
        }
        this.warn(`Channel '${chan.name}' sent to invalid extension but no invalid handler: context,exten,priority=${chan.context},${chan.exten},${chan.priority}`);
        reason = 'invalid';
        break;
      }
      reason = 'fallthrough';
      if (this.services.dialplan().general.autofallthrough) {
        const status = chan.getVar('DIALSTATUS') || 'UNKNOWN';
        this.verbose(2, `Auto fallthrough, channel '${chan.name}' status is '${status}'`);
        const upper = status.toUpperCase();
        if (upper === 'BUSY') await indicateAndWait(chan, this.services, 'busy', 10_000);
        else if (upper === 'CONGESTION' || upper === 'CHANUNAVAIL') await indicateAndWait(chan, this.services, 'congestion', 10_000);
        break;
      }
      // autofallthrough=no: wait for digits (none can come here), then `t`, `e`, or hang up.
      // herald has no digit collection yet, so running off the end of `t` itself hangs up
      // instead of entering `t` again forever.
      if (chan.exten === 't' || chan.exten === 'e') break;
      const waited = await waitOnChannel(chan, this.services, RESPONSE_TIMEOUT_MS);
      if (waited === 'hangup') break;
      if (this.existsAt(chan.context, 't', 1, chan)) {
        this.verbose(3, `Timeout on ${chan.name}`);
        chan.exten = 't';
        chan.priority = 1;
        continue;
      }
      if (this.existsAt(chan.context, 'e', 1, chan)) {
        this.raiseException(chan, 'RESPONSETIMEOUT');
        continue;
      }
      this.verbose(3, `Timeout, but no rule 't' or 'e' in context '${chan.context}'`);
      break;
    }
    this.markHungUp(chan);
    await this.runHangupExtension(chan);
    // Most channels have no handlers: skip the async walk (and its promise) for them.
    if (this.hangupHandlerSource(chan).length > 0) await this.runHangupHandlers(chan);
    const result: RunResult = { reason, steps: st.totalSteps, hangupCause: chan.hangupCause };
    this.states.delete(chan);
    return result;
  }

  /** Enter the `e` extension with a reason (EXCEPTION(reason) reads it back). */
  raiseException(chan: DialplanChannel, reason: string): void {
    chan.setVar('EXCEPTION_REASON', reason);
    chan.exten = 'e';
    chan.priority = 1;
  }

  private markHungUp(chan: DialplanChannel): void {
    const c = chan as DialplanChannel & { requestHangup?: (cause?: number) => void };
    if (typeof c.requestHangup === 'function') c.requestHangup();
  }

  private async runHangupExtension(chan: DialplanChannel): Promise<void> {
    const st = this.state(chan);
    const context = st.exitMacroContext ?? chan.context;
    if (!this.existsAt(context, 'h', 1, chan)) return;
    st.inHangup = true;
    st.syncSteps = 0;
    chan.context = context;
    chan.exten = 'h';
    chan.priority = 1;
    const end = await this.loop(chan, { inHangup: true });
    if (end.kind === 'hangup' && end.nonZero) {
      this.verbose(2, `Spawn extension (${chan.context}, ${chan.exten}, ${chan.priority}) exited non-zero on '${chan.name}'`);
    }
  }

  /**
   * Run the channel's hangup handlers (CHANNEL(hangup_handler_push)), most recently pushed first:
   * run() does so after `h`; a Dial leg, which has no dialplan run of its own, when it is hung up.
   */
  async runHangupHandlers(chan: DialplanChannel): Promise<void> {
    const st = this.state(chan);
    st.inHangup = true;
    const pending = this.hangupHandlerSource(chan);
    // Most recently pushed first; each one is a Gosub that ends with Return().
    for (let guard = 0; pending.length > 0 && guard < 1000; guard++) {
      const location = pending.pop()!;
      st.syncSteps = 0;
      const depth = gosubStack(chan).length;
      const started = startGosub(chan, this.services, location, { returnTo: null });
      if (!started.ok) {
        this.warn(started.error);
        continue;
      }
      const end = await this.loop(chan, { inHangup: true, stopWhen: (c) => gosubStack(c).length <= depth });
      if (end.kind === 'hangup' && end.nonZero) {
        this.verbose(2, `Spawn extension (${chan.context}, ${chan.exten}, ${chan.priority}) exited non-zero on '${chan.name}'`);
      }
      gosubStack(chan).length = depth;
    }
  }

  /** Look up an application (case-insensitive). */
  findApp(name: string): DialplanApplication | undefined {
    return this.apps.get(name);
  }

  /** Run one application by name with already substituted data (ExecIf, the loop itself). */
  exec(chan: DialplanChannel, app: DialplanApplication, name: string, data: string): AppResult | Promise<AppResult> {
    const c = chan as DialplanChannel & { currentApp?: string; currentData?: string };
    if (c.currentApp !== undefined) {
      c.currentApp = app.name;
      c.currentData = data;
    }
    try {
      return app.exec({ name, data, channel: chan, services: this.services });
    } catch (err) {
      this.warn(`${app.name}: ${err instanceof Error ? err.message : String(err)} on '${chan.name}'`);
      return HANGUP;
    }
  }

  /**
   * Run priorities from the channel's current location until one is missing, the channel hangs
   * up, or stopWhen says so. Used by run(), `h`, Macro bodies and hangup handlers.
   */
  async loop(chan: DialplanChannel, opts: LoopOptions): Promise<LoopEnd> {
    const st = this.state(chan);
    const dp = this.services.dialplan;
    const inHangup = opts.inHangup;
    const stopWhen = opts.stopWhen;
    const trace = this.traceSteps();
    for (;;) {
      if (!inHangup && chan.hungUp) return { kind: 'hangup', nonZero: false };
      const found = dp().findPriority(chan.context, chan.exten, chan.priority, chan.callerId.num);
      if (!found) return { kind: 'notfound' };
      const prio = found.priority;
      let app = this.appCache.get(prio);
      if (app === undefined) {
        app = this.apps.get(prio.app) ?? null;
        if (app) this.appCache.set(prio, app);
      }
      const data = needsSubstitution(prio.appData) ? this.substitute(prio.appData, chan) : prio.appData;
      st.totalSteps++;
      if (!app) {
        this.warn(`No application '${prio.app}' for extension (${chan.context}, ${chan.exten}, ${chan.priority})`);
        return { kind: 'hangup', nonZero: true };
      }
      if (trace) {
        this.verbose(3, `Executing [${chan.exten}@${chan.context}:${chan.priority}] ${app.name}("${chan.name}", "${data}") in new stack`);
      }
      let res = this.exec(chan, app, prio.app, data);
      if (typeof (res as Promise<AppResult>).then === 'function') {
        try {
          res = await res;
        } catch (err) {
          this.warn(`${app.name}: ${err instanceof Error ? err.message : String(err)} on '${chan.name}'`);
          res = HANGUP;
        }
        st.syncSteps = 0;
        st.sinceYield = 0;
      } else if (++st.syncSteps > this.maxSyncSteps) {
        if (!st.limitHit) {
          st.limitHit = true;
          this.warn(
            `Dialplan loop guard: ${this.maxSyncSteps} priorities without waiting on '${chan.name}' at (${chan.context}, ${chan.exten}, ${chan.priority}); hanging up`,
          );
        }
        return { kind: 'limit' };
      } else if (++st.sinceYield >= this.yieldEvery) {
        st.sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
      }
      const r = res as AppResult;
      if (r.kind === 'continue') chan.priority++;
      else if (r.kind === 'hangup') {
        if (r.cause !== undefined && chan.hangupCause === 0) chan.hangupCause = r.cause;
        return { kind: 'hangup', nonZero: true };
      }
      if (stopWhen && stopWhen(chan)) return { kind: 'stopped' };
    }
  }
}
