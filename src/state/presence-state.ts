/**
 * Presence state (Asterisk's main/presencestate.c idea): the seven values plus INVALID, the
 * `state,subtype,message,options` text that CustomPresence stores, aggregation of providers
 * joined with `&`, and an engine with providers and a cache whose publications go on the bus.
 */
import type { EventBus, PresenceStateName } from '../core/bus.js';
import type { Logger } from '../core/log.js';
import { ProviderTable, splitDevice, type ProviderForm } from './device-state.js';

export type PresenceState = PresenceStateName;

/** INVALID: never set by users; signals an error or an unknown provider; prints as ''. */
export const PRESENCE_INVALID: PresenceState = '';

/** In Asterisk's enum order: NOT_SET 0 … DND 6 (INVALID is 7). */
export const PRESENCE_VALUES: readonly Exclude<PresenceState, ''>[] = [
  'not_set', 'unavailable', 'available', 'away', 'xa', 'chat', 'dnd',
];

/** ast_presence_state_val: case-insensitive; anything else is INVALID. */
export function parsePresenceValue(text: string): PresenceState {
  const lower = text.toLowerCase();
  return PRESENCE_VALUES.find((v) => v === lower) ?? PRESENCE_INVALID;
}

/** Aggregation rank (ast_presence_state_helper): INVALID < NOT_SET < AVAILABLE < UNAVAILABLE < CHAT < AWAY < XA < DND. */
const RANK: Record<PresenceState, number> = {
  '': 0,
  not_set: 1,
  available: 2,
  unavailable: 3,
  chat: 4,
  away: 5,
  xa: 6,
  dnd: 7,
};

export function presenceRank(state: PresenceState): number {
  return RANK[state];
}

export interface PresenceInfo {
  state: PresenceState;
  subtype: string;
  message: string;
}

export const NOT_SET: Readonly<PresenceInfo> = Object.freeze({ state: 'not_set', subtype: '', message: '' });
const INVALID_INFO: Readonly<PresenceInfo> = Object.freeze({ state: PRESENCE_INVALID, subtype: '', message: '' });

/** One parsed `state[,subtype[,message[,options]]]` text. */
export interface PresenceData {
  state: Exclude<PresenceState, ''>;
  /** The state word as typed (`Away`); the CLI echoes it. */
  stateToken: string;
  subtype: string;
  message: string;
  options: string;
}

export type PresenceParseResult =
  | { ok: true; data: PresenceData }
  /** `log` is the line Asterisk logs for this failure (none for a missing state). */
  | { ok: false; reason: 'missing-state' | 'unknown-state' | 'bad-options'; log: string | null };

/**
 * func_presencestate's parse_data: split on ',' into state, subtype, message, options; missing
 * trailing fields are ''; a fifth field is ignored; the state is required and must be valid; a
 * non-empty options field must contain 'e'.
 */
export function parsePresenceData(raw: string): PresenceParseResult {
  const fields = raw.split(',');
  const stateToken = fields[0] ?? '';
  if (stateToken === '') return { ok: false, reason: 'missing-state', log: null };
  const state = parsePresenceValue(stateToken);
  if (state === '') {
    return { ok: false, reason: 'unknown-state', log: `Unknown presence state value ${stateToken}` };
  }
  const options = fields[3] ?? '';
  if (options !== '' && !options.includes('e')) {
    // Asterisk's NOTICE has two spaces after "options".
    return { ok: false, reason: 'bad-options', log: `Invalid options  '${options}'` };
  }
  return { ok: true, data: { state, stateToken, subtype: fields[1] ?? '', message: fields[2] ?? '', options } };
}

/**
 * ast_base64decode into a C buffer: at most maxBytes bytes, and the value ends at the first NUL
 * (it is used as a C string afterwards).
 */
export function decodeBase64Field(text: string, maxBytes: number): string {
  let bytes = Buffer.from(text, 'base64').subarray(0, maxBytes);
  const nul = bytes.indexOf(0);
  if (nul >= 0) bytes = bytes.subarray(0, nul);
  return bytes.toString('utf8');
}

export function encodeBase64Field(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Asks a provider for the presence of one resource (the part after `Label:` or `Tech/`). */
export type PresenceProvider = (resource: string) => PresenceInfo;

export interface PresenceEngineOptions {
  bus: EventBus;
  log?: Logger;
}

export class PresenceEngine {
  private readonly bus: EventBus;
  private readonly log: Logger | undefined;
  private readonly providers = new ProviderTable<PresenceProvider>('presence provider');
  /** Last publication per provider string as published (Asterisk's stasis cache). */
  private readonly cache = new Map<string, PresenceInfo>();

  constructor(opts: PresenceEngineOptions) {
    this.bus = opts.bus;
    this.log = opts.log;
  }

  /** Register the provider behind `name:…` (form 'label', e.g. 'CustomPresence') or `name/…` (form 'tech'). */
  registerProvider(name: string, fn: PresenceProvider, form: ProviderForm = 'label'): () => void {
    return this.providers.add(name, fn, form);
  }

  /** Ask one provider directly. Unknown label or technology, or neither '/' nor ':': INVALID. */
  queryOne(provider: string): PresenceInfo {
    const parts = splitDevice(provider);
    if (!parts) {
      this.log?.warn(`No label found for presence state provider: ${provider}`);
      return { ...INVALID_INFO };
    }
    const fn = this.providers.get(parts.form, parts.name);
    if (!fn) {
      if (parts.form === 'label') this.log?.warn(`No provider found for label: ${parts.name}`);
      return { ...INVALID_INFO };
    }
    try {
      return fn(parts.resource);
    } catch (err) {
      this.log?.warn({ err, provider }, 'presence provider failed');
      return { ...INVALID_INFO };
    }
  }

  /** ast_presence_state_nocache: every `&`-joined provider asked directly, highest rank wins. */
  query(providers: string): PresenceInfo {
    return this.aggregate(providers, false);
  }

  /** ast_presence_state: like query(), but each provider's cached publication is used first. */
  get(providers: string): PresenceInfo {
    return this.aggregate(providers, true);
  }

  /**
   * Publish a presence state for one provider string (ast_presence_state_changed_literal). No
   * de-duplication: every call goes out. A not_set publication asks the provider again and
   * publishes what it answers.
   */
  publish(provider: string, info: PresenceInfo): void {
    const published = info.state === 'not_set' ? this.queryOne(provider) : info;
    const copy = { state: published.state, subtype: published.subtype, message: published.message };
    this.cache.set(provider, copy);
    this.bus.emit('PresenceStateChanged', { provider, ...copy });
  }

  /** The cache as PresenceStateList walks it. */
  cached(): Array<{ provider: string; info: PresenceInfo }> {
    return [...this.cache].map(([provider, info]) => ({ provider, info: { ...info } }));
  }

  private aggregate(providers: string, useCache: boolean): PresenceInfo {
    let best: Readonly<PresenceInfo> = INVALID_INFO;
    for (const label of providers.split('&')) {
      let next: PresenceInfo | undefined = useCache ? this.cache.get(label) : undefined;
      if (next === undefined || next.state === PRESENCE_INVALID) next = this.queryOne(label);
      // The first of equally ranked providers is kept.
      if (RANK[next.state] > RANK[best.state]) best = next;
    }
    return { ...best };
  }
}
