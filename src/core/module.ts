/**
 * Lifecycle of a subsystem inside the server (Asterisk's module idea, typed): the server builds
 * a ServerContext, starts modules in order, reloads them on `reload`, stops them in reverse.
 */
import type { EventBus } from './bus.js';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import type { KvStore } from '../store/types.js';
import type { CliRegistry } from '../cli/types.js';

export interface Directories {
  /** The configuration directory (-C). */
  config: string;
  /** astvarlibdir: the store lives here. */
  varlib: string;
  /** astrundir: control socket, pid file. */
  run: string;
  /** astlogdir */
  log: string;
  /** astspooldir */
  spool: string;
}

export interface ServerContext {
  dirs: Directories;
  store: KvStore;
  bus: EventBus;
  log: Logger;
  cli: CliRegistry;
  clock: Clock;
  /** Modules look each other up by name (e.g. the registrar finds the dialplan). */
  getModule<T extends HeraldModule>(name: string): T | undefined;
  /**
   * The highest verbosity anything shows Verbose events at: the root console and the remote
   * consoles, or Infinity while another listener than the server's own is subscribed (a test, a
   * bench, AMI). Asterisk likewise skips a verbose message above its highest console verbosity
   * (ast_verb_sys_level) before formatting it, so callers may skip building such lines. Absent
   * (contexts built by tests): treat as Infinity.
   */
  maxVerbosity?(): number;
}

export interface ReloadResult {
  ok: boolean;
  /** What to print: "sip.conf reloaded (3 peers)" or "sip.conf:12: bad line … — keeping the running configuration". */
  message: string;
}

export interface HeraldModule {
  readonly name: string;
  start(ctx: ServerContext): Promise<void>;
  /** Re-read configuration; on error keep the running one and say why. */
  reload?(ctx: ServerContext): Promise<ReloadResult>;
  stop(): Promise<void>;
}
