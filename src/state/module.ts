/**
 * The state module: device state, presence state and dialplan hints on the server's store and
 * bus. It replays the stored Custom: and CustomPresence: states at start, registers the
 * `devstate`, `presencestate` and `core show hint(s)` commands, and hands the dialplan module
 * its functions (PRESENCE_STATE, DEVICE_STATE, EXTENSION_STATE, HINT).
 *
 * Hints follow the dialplan through the bus: whoever loads or reloads the dialplan emits
 * `DialplanReloaded { hints: dialplan.hints() }` (or calls `hints.setHints(...)` directly).
 */
import type { CliCommand } from '../cli/types.js';
import type { EventBus } from '../core/bus.js';
import type { Logger } from '../core/log.js';
import type { HeraldModule, ServerContext } from '../core/module.js';
import type { DialplanFunction } from '../pbx/types.js';
import type { KvStore } from '../store/types.js';
import { CustomDevstate } from './custom-devstate.js';
import { CustomPresence } from './custom-presence.js';
import { DeviceStateEngine } from './device-state.js';
import { extensionStateFunction, hintFunction } from './hint-functions.js';
import { HintEngine } from './hints.js';
import { hintCliCommands } from './hints-cli.js';
import { PresenceEngine } from './presence-state.js';

/** Everything the state subsystem is made of, usable without a server (tests, tools). */
export interface StateServices {
  devices: DeviceStateEngine;
  presence: PresenceEngine;
  hints: HintEngine;
  customDevstate: CustomDevstate;
  customPresence: CustomPresence;
  /** PRESENCE_STATE, DEVICE_STATE, EXTENSION_STATE, HINT. */
  functions(): DialplanFunction[];
  /** presencestate list/change, devstate list/change, core show hints, core show hint. */
  cliCommands(): CliCommand[];
  /** Stop following the bus and drop the providers. */
  close(): void;
}

/**
 * Build the engines on a store and bus, register the Custom/CustomPresence providers, start
 * following the bus and replay what the store holds (replayed states are published).
 */
export function createStateServices(store: KvStore, bus: EventBus, log?: Logger): StateServices {
  const devices = new DeviceStateEngine({ bus, log });
  const presence = new PresenceEngine({ bus, log });
  const hints = new HintEngine({ bus, devices, presence, log });
  const customDevstate = new CustomDevstate(store, devices);
  const customPresence = new CustomPresence(store, presence, log);
  const removers = [customDevstate.register(), customPresence.register()];
  hints.start();
  customDevstate.replay();
  customPresence.replay();
  return {
    devices,
    presence,
    hints,
    customDevstate,
    customPresence,
    functions: () => [
      customPresence.presenceStateFunction(),
      customDevstate.deviceStateFunction(),
      extensionStateFunction(hints),
      hintFunction(hints),
    ],
    cliCommands: () => [...customPresence.cliCommands(), ...customDevstate.cliCommands(), ...hintCliCommands(hints)],
    close: () => {
      hints.stop();
      for (const remove of removers) remove();
    },
  };
}

export interface StateModule extends HeraldModule {
  readonly name: 'state';
  /** Set once started. */
  readonly devices: DeviceStateEngine;
  readonly presence: PresenceEngine;
  readonly hints: HintEngine;
  functions(): DialplanFunction[];
}

export function createStateModule(): StateModule {
  let services: StateServices | undefined;
  let registered: CliCommand[] = [];
  let ctxRef: ServerContext | undefined;
  const need = (): StateServices => {
    if (!services) throw new Error('the state module is not started');
    return services;
  };
  return {
    name: 'state',
    get devices() {
      return need().devices;
    },
    get presence() {
      return need().presence;
    },
    get hints() {
      return need().hints;
    },
    functions: () => need().functions(),
    async start(ctx: ServerContext): Promise<void> {
      ctxRef = ctx;
      services = createStateServices(ctx.store, ctx.bus, ctx.log);
      registered = services.cliCommands();
      for (const cmd of registered) ctx.cli.register(cmd);
    },
    async stop(): Promise<void> {
      for (const cmd of registered) ctxRef?.cli.unregister(cmd.words);
      registered = [];
      services?.close();
      services = undefined;
    },
  };
}
