/**
 * What dialplan applications and functions see. The engine (src/pbx/engine.ts) owns the run
 * loop; applications (src/pbx/apps/<name>.ts) and functions (src/pbx/funcs/<name>.ts) register
 * into the registries below by name (case-insensitive, like Asterisk).
 */
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { KvStore } from '../store/types.js';
import type { Dialplan } from './dialplan.js';

export interface CallerId {
  name: string;
  num: string;
  /** ANI and DNID as Asterisk keeps them (CALLERID(ani), CALLERID(dnid)). */
  ani: string;
  dnid: string;
  rdnis: string;
  /** Number presentation, e.g. "allowed_not_screened". */
  pres: string;
}

/**
 * The channel as the dialplan sees it. Variable names: channel variables are looked up
 * case-insensitively?  No — see asterisk-dialplan-xmpp.md §2.4 for the exact rule; the
 * implementation in src/channels/channel.ts follows it.
 */
export interface DialplanChannel {
  readonly name: string;
  readonly uniqueid: string;
  linkedid: string;
  context: string;
  exten: string;
  priority: number;
  callerId: CallerId;
  /** Asterisk channel state names: Down, Rsrvd, OffHook, Dialing, Ring, Ringing, Up, Busy … */
  state: string;
  hangupCause: number;
  /** True once hangup was requested (caller hung up, Hangup() …). */
  readonly hungUp: boolean;
  /** Channel variables (without inheritance prefixes stored as given). */
  getVar(name: string): string | undefined;
  setVar(name: string, value: string | undefined): void;
  /** All variables, in insertion order (for the simulator's final dump and `core show channel`). */
  listVars(): Array<[string, string]>;
  /** Seconds since the channel was created (CDR duration etc.). */
  readonly createdAt: number;
}

/** Services every application and function can use. */
export interface PbxServices {
  store: KvStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** The running dialplan (swapped atomically on reload). */
  dialplan(): Dialplan;
  /** Global variables ([globals] + Set(GLOBAL(x)) ). */
  globals: Map<string, string>;
  /** `Verbose` output at a level (1..5): the console shows it when -v is high enough. */
  verbose(level: number, text: string): void;
}

export interface FunctionCall {
  /** Function name as written, e.g. "CALLERID". */
  name: string;
  /** Raw argument text inside the parentheses, already ${}-substituted. */
  args: string;
  channel: DialplanChannel | null;
  services: PbxServices;
}

export interface DialplanFunction {
  /** Canonical upper-case name, e.g. "CALLERID". */
  name: string;
  /** One line for `core show functions`. */
  synopsis: string;
  /** Syntax line, e.g. "CUT(varname,char-delim,range-spec)". */
  syntax: string;
  /** Longer text for `core show function NAME`, our own words. */
  description: string;
  /** Returns the value; throw FunctionError for a warning + empty result (Asterisk prints a WARNING). */
  read?(call: FunctionCall): string;
  /** `Set(FUNC(args)=value)`. */
  write?(call: FunctionCall, value: string): void | Promise<void>;
}

/** A function failed the way Asterisk reports with a WARNING and an empty result. */
export class FunctionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FunctionError';
  }
}

/** How execution goes on after an application returns. */
export type AppResult =
  | { kind: 'continue' }
  /** The app changed context/exten/priority itself (Goto): do not increment the priority. */
  | { kind: 'jumped' }
  /** Hang the channel up (Hangup(), Busy() timeout, an unknown application …). */
  | { kind: 'hangup'; cause?: number };

export interface AppCall {
  /** Application name as written in the dialplan. */
  name: string;
  /** Substituted argument string (the app splits it with the shared splitter). */
  data: string;
  channel: DialplanChannel;
  services: PbxServices;
}

export interface DialplanApplication {
  /** Canonical name, e.g. "GotoIf". */
  name: string;
  synopsis: string;
  syntax: string;
  description: string;
  exec(call: AppCall): AppResult | Promise<AppResult>;
}
