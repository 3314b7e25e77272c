/**
 * Device state (Asterisk's main/devicestate.c idea): the nine states with their fixed numbers
 * and strings, aggregation of several devices, and an engine that resolves a device string
 * through registered providers and keeps a cache whose changes go out on the bus.
 */
import type { DeviceStateName, EventBus } from '../core/bus.js';
import type { Logger } from '../core/log.js';

export type DeviceState = DeviceStateName;

/** In Asterisk's numeric order (0..8); the number goes over the wire in distributed state. */
export const DEVICE_STATES: readonly DeviceState[] = [
  'UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD',
];

/** ast_devstate2str: the human text (`Not in use`, `Ring+Inuse`, …). */
const HUMAN_TEXT: Record<DeviceState, string> = {
  UNKNOWN: 'Unknown',
  NOT_INUSE: 'Not in use',
  INUSE: 'In use',
  BUSY: 'Busy',
  INVALID: 'Invalid',
  UNAVAILABLE: 'Unavailable',
  RINGING: 'Ringing',
  RINGINUSE: 'Ring+Inuse',
  ONHOLD: 'On Hold',
};

export function deviceStateNumber(state: DeviceState): number {
  return DEVICE_STATES.indexOf(state);
}

export function deviceStateFromNumber(n: number): DeviceState {
  return DEVICE_STATES[n] ?? 'UNKNOWN';
}

export function deviceStateHumanText(state: DeviceState): string {
  return HUMAN_TEXT[state];
}

/**
 * ast_devstate_val: case-insensitive; "any unrecognised string, including UNKNOWN, returns
 * UNKNOWN" — so UNKNOWN doubles as "not a valid state" for writers.
 */
export function parseDeviceState(text: string): DeviceState {
  const upper = text.toUpperCase();
  const found = DEVICE_STATES.find((s) => s === upper);
  return found ?? 'UNKNOWN';
}

/** ast_devstate_aggregate ranks: INVALID 0 < UNKNOWN 1 < UNAVAILABLE 2 < NOT_INUSE 3 < ONHOLD 4 < RINGING 5 < INUSE 6 < BUSY 7 < RINGINUSE 8. */
const AGGREGATE_RANK: Record<DeviceState, number> = {
  INVALID: 0,
  UNKNOWN: 1,
  UNAVAILABLE: 2,
  NOT_INUSE: 3,
  ONHOLD: 4,
  RINGING: 5,
  INUSE: 6,
  BUSY: 7,
  RINGINUSE: 8,
};

/**
 * Combined state of several devices (reference §3.2): start INVALID; RINGING sets a ringing
 * flag, INUSE/ONHOLD/BUSY set an in-use flag; both flags give RINGINUSE, otherwise the state
 * with the higher rank wins. An empty list stays INVALID.
 */
export function aggregateDeviceStates(states: Iterable<DeviceState>): DeviceState {
  let result: DeviceState = 'INVALID';
  let ringing = false;
  let inuse = false;
  for (const s of states) {
    if (s === 'RINGING') ringing = true;
    else if (s === 'INUSE' || s === 'ONHOLD' || s === 'BUSY') inuse = true;
    if (ringing && inuse) result = 'RINGINUSE';
    else if (AGGREGATE_RANK[s] > AGGREGATE_RANK[result]) result = s;
  }
  return result;
}

/** Asks a provider for the state of one resource (the part after `Tech/` or `Label:`). */
export type DeviceStateProvider = (resource: string) => DeviceState;

/**
 * How a provider is addressed: `tech` for channel drivers (`SIP/6002`), `label` for named
 * providers (`Custom:lamp1`). Asterisk picks the form by the first '/' or, failing that, ':'.
 */
export type ProviderForm = 'tech' | 'label';

export interface DeviceStateEngineOptions {
  bus: EventBus;
  log?: Logger;
}

/** Split `Tech/resource` or `Label:resource`; null when the string has neither. */
export function splitDevice(device: string): { form: ProviderForm; name: string; resource: string } | null {
  const slash = device.indexOf('/');
  if (slash >= 0) return { form: 'tech', name: device.slice(0, slash), resource: device.slice(slash + 1) };
  const colon = device.indexOf(':');
  if (colon >= 0) return { form: 'label', name: device.slice(0, colon), resource: device.slice(colon + 1) };
  return null;
}

/** Providers by form and name; Asterisk matches technologies and labels case-insensitively. */
export class ProviderTable<P> {
  private readonly byForm: Record<ProviderForm, Map<string, P>> = { tech: new Map(), label: new Map() };

  /** `what` names the kind of provider in the error for a name registered twice. */
  constructor(private readonly what: string) {}

  /** Add a provider; returns a function that removes it again. */
  add(name: string, fn: P, form: ProviderForm): () => void {
    const key = name.toLowerCase();
    const map = this.byForm[form];
    if (map.has(key)) throw new Error(`${this.what} ${name} (${form}) is already registered`);
    map.set(key, fn);
    return () => {
      if (map.get(key) === fn) map.delete(key);
    };
  }

  get(form: ProviderForm, name: string): P | undefined {
    return this.byForm[form].get(name.toLowerCase());
  }
}

export class DeviceStateEngine {
  private readonly bus: EventBus;
  private readonly log: Logger | undefined;
  private readonly providers = new ProviderTable<DeviceStateProvider>('device state provider');
  /** Published states by device string as given. */
  private readonly cache = new Map<string, DeviceState>();

  constructor(opts: DeviceStateEngineOptions) {
    this.bus = opts.bus;
    this.log = opts.log;
  }

  /**
   * Register the provider behind `name/…` (form 'tech', e.g. 'SIP') or `name:…` (form 'label',
   * e.g. 'Custom'). Returns a function that removes it again.
   */
  registerProvider(name: string, fn: DeviceStateProvider, form: ProviderForm = 'tech'): () => void {
    return this.providers.add(name, fn, form);
  }

  /**
   * Ask the provider directly, bypassing the cache (_ast_device_state without cache): an
   * unknown technology or label, or a string with neither '/' nor ':', is INVALID. Without a
   * channel registry, a technology answering UNKNOWN stays UNKNOWN (Asterisk's generic
   * fallback finds no channel either).
   */
  query(device: string): DeviceState {
    const parts = splitDevice(device);
    if (!parts) return 'INVALID';
    const fn = this.providers.get(parts.form, parts.name);
    if (!fn) return 'INVALID';
    try {
      return fn(parts.resource);
    } catch (err) {
      this.log?.warn({ err, device }, 'device state provider failed');
      return 'INVALID';
    }
  }

  /** The state as hints and DEVICE_STATE see it: the cache, unless it holds UNKNOWN; else the provider. */
  getState(device: string): DeviceState {
    const cached = this.cache.get(device);
    if (cached !== undefined && cached !== 'UNKNOWN') return cached;
    return this.query(device);
  }

  /**
   * Record a new state. Published (DeviceStateChanged) only when it differs from the cached
   * one: these states are cachable, and Asterisk does not republish an unchanged cachable
   * state. Returns whether it was published.
   */
  setState(device: string, state: DeviceState): boolean {
    if (this.cache.get(device) === state) return false;
    this.cache.set(device, state);
    this.bus.emit('DeviceStateChanged', { device, state });
    return true;
  }

  /** ast_devstate_changed(UNKNOWN, …): re-query the provider and record what it says. */
  refresh(device: string): DeviceState {
    const state = this.query(device);
    this.setState(device, state);
    return state;
  }

  /** The cache as Asterisk's DeviceStateList walks it. */
  cached(): Array<{ device: string; state: DeviceState }> {
    return [...this.cache].map(([device, state]) => ({ device, state }));
  }
}
