/**
 * Dialplan hints (Asterisk's hint engine in main/pbx.c): each hint watches its devices (split on
 * `&`) and its presence providers (the part after the comma), keeps the last extension state and
 * presence, notifies its watchers (SIP subscriptions) and publishes ExtensionStateChanged.
 *
 * Notification rules (reference §3.4):
 * - device change: the state is recomputed; per-hint watchers are called when it changed OR
 *   when it includes RINGING (a second call ringing the same phone re-notifies); the bus event
 *   (AMI's global watchers) only when it changed.
 * - presence change: hints whose presence text contains the provider (case-insensitively) ask
 *   for their aggregated presence again; an update goes out only if state, subtype or message
 *   differ.
 * - dialplan reload: hints that stay keep their watchers and state; removed hints call their
 *   watchers once with -2 (extension removed) and drop them; new hints start fresh.
 */
import { HeraldError } from '../core/errors.js';
import type { EventBus, HeraldEvents } from '../core/bus.js';
import type { Logger } from '../core/log.js';
import type { HintEntry } from '../pbx/model.js';
import { aggregateDeviceStates, type DeviceStateEngine } from './device-state.js';
import {
  EXTENSION_REMOVED,
  EXTENSION_RINGING,
  EXTENSION_UNAVAILABLE,
  EXTENSION_DEACTIVATED,
  deviceToExtensionState,
  extensionStateText,
} from './extension-state.js';
import { NOT_SET, type PresenceEngine, type PresenceInfo } from './presence-state.js';

export type ExtensionStateUpdate = HeraldEvents['ExtensionStateChanged'];
export type HintWatcher = (update: ExtensionStateUpdate) => void;

/** What `core show hints`, AMI and SIP need to know about one hint. */
export interface HintSnapshot {
  context: string;
  exten: string;
  /** The hint text as written (`SIP/6002,CustomPresence:6002`, `,CustomPresence:lamp1`). */
  hint: string;
  devices: string[];
  /** Presence providers joined with `&`, '' when the hint has none. */
  presenceProviders: string;
  state: number;
  stateText: string;
  presence: PresenceInfo;
  watchers: number;
}

/** watch() on an extension that has no hint (SIP answers such a SUBSCRIBE with 404). */
export class HintNotFoundError extends HeraldError {
  constructor(context: string, exten: string) {
    super('NO_HINT', `Extension '${exten}' does not exist in context '${context}' or has no associated hint`, {
      sipStatus: 404,
    });
    this.name = 'HintNotFoundError';
  }
}

interface HintRecord {
  context: string;
  exten: string;
  hint: string;
  devices: string[];
  presenceProviders: string;
  state: number;
  presence: PresenceInfo;
  watchers: Set<HintWatcher>;
  /** Asterisk's iteration order: hash bucket of the extension name, then insertion. */
  bucket: number;
  order: number;
}

/** Asterisk keeps hints in a 563-bucket hash container keyed by the extension name (case-insensitive). */
const HINT_BUCKETS = 563;

/** ast_str_case_hash: h = h*33 XOR lower(byte), from 5381, as a 32-bit int made non-negative. */
export function hintBucket(exten: string): number {
  let h = 5381;
  for (const byte of Buffer.from(exten, 'utf8')) {
    const lower = byte >= 0x41 && byte <= 0x5a ? byte + 0x20 : byte;
    h = (Math.imul(h, 33) ^ lower) >>> 0;
  }
  return Math.abs(h | 0) % HINT_BUCKETS;
}

function hintKey(context: string, exten: string): string {
  return `${context}\u0000${exten}`;
}

/** The hint text: the model's text as written when it has one, else devices[,presence]. */
function hintText(entry: HintEntry): string {
  const h = entry.hint as HintEntry['hint'] & { text?: unknown };
  if (typeof h.text === 'string') return h.text;
  return h.presence !== '' ? `${h.devices},${h.presence}` : h.devices;
}

function samePresence(a: PresenceInfo, b: PresenceInfo): boolean {
  return a.state === b.state && a.subtype === b.subtype && a.message === b.message;
}

export interface HintEngineOptions {
  bus: EventBus;
  devices: DeviceStateEngine;
  presence: PresenceEngine;
  log?: Logger;
}

export class HintEngine {
  private readonly bus: EventBus;
  private readonly devices: DeviceStateEngine;
  private readonly presence: PresenceEngine;
  private readonly log: Logger | undefined;
  private readonly hints = new Map<string, HintRecord>();
  /** Lower-cased device name → hints that list it (Asterisk matches devices case-insensitively). */
  private byDevice = new Map<string, Set<HintRecord>>();
  private unsubscribers: Array<() => void> = [];

  constructor(opts: HintEngineOptions) {
    this.bus = opts.bus;
    this.devices = opts.devices;
    this.presence = opts.presence;
    this.log = opts.log;
  }

  /** Follow DeviceStateChanged, PresenceStateChanged and DialplanReloaded on the bus. */
  start(): void {
    if (this.unsubscribers.length > 0) return;
    this.unsubscribers = [
      this.bus.on('DeviceStateChanged', (e) => this.onDeviceChanged(e.device)),
      this.bus.on('PresenceStateChanged', (e) => this.onPresenceChanged(e.provider)),
      this.bus.on('DialplanReloaded', (e) => this.setHints(e.hints)),
    ];
  }

  stop(): void {
    for (const off of this.unsubscribers) off();
    this.unsubscribers = [];
  }

  /** Replace the hint set with the dialplan's (after load and every reload). */
  setHints(entries: readonly HintEntry[]): void {
    const seen = new Set<string>();
    let order = 0;
    const kept: HintRecord[] = [];
    for (const entry of entries) {
      const key = hintKey(entry.context, entry.exten);
      if (seen.has(key)) continue;
      seen.add(key);
      const devices = entry.hint.devices.split('&').filter((d) => d !== '');
      const text = hintText(entry);
      const existing = this.hints.get(key);
      if (existing) {
        existing.hint = text;
        existing.devices = devices;
        existing.presenceProviders = entry.hint.presence;
        existing.order = order++;
        kept.push(existing);
        continue;
      }
      const rec: HintRecord = {
        context: entry.context,
        exten: entry.exten,
        hint: text,
        devices,
        presenceProviders: entry.hint.presence,
        state: 0,
        presence: { ...NOT_SET },
        watchers: new Set(),
        bucket: hintBucket(entry.exten),
        order: order++,
      };
      rec.state = this.computeState(rec);
      rec.presence = this.computePresence(rec);
      this.hints.set(key, rec);
    }
    for (const [key, rec] of [...this.hints]) {
      if (!seen.has(key)) {
        this.hints.delete(key);
        this.removeHint(rec);
      }
    }
    this.rebuildDeviceIndex();
    // A hint that stays may now list other devices or providers.
    for (const rec of kept) {
      this.updateDeviceState(rec);
      this.updatePresence(rec);
    }
  }

  /** Recompute every hint (e.g. after a device provider was registered), with the usual rules. */
  refreshAll(): void {
    for (const rec of this.hints.values()) {
      this.updateDeviceState(rec);
      this.updatePresence(rec);
    }
  }

  find(context: string, exten: string): HintSnapshot | undefined {
    const rec = this.hints.get(hintKey(context, exten));
    return rec ? this.snapshot(rec) : undefined;
  }

  /** Whether the hint exists (find() without building a snapshot: every SUBSCRIBE asks). */
  has(context: string, exten: string): boolean {
    return this.hints.has(hintKey(context, exten));
  }

  /** Every hint in Asterisk's listing order. */
  list(): HintSnapshot[] {
    return this.ordered().map((rec) => this.snapshot(rec));
  }

  /**
   * Watch one hint: `cb` gets every update for it (see the rules above) until the returned
   * function is called or the hint is removed (then a last update with state -2).
   */
  watch(context: string, exten: string, cb: HintWatcher): () => void {
    const rec = this.hints.get(hintKey(context, exten));
    if (!rec) throw new HintNotFoundError(context, exten);
    // Wrap so the same callback can watch twice and each handle removes only its own entry.
    const entry: HintWatcher = (u) => cb(u);
    rec.watchers.add(entry);
    return () => {
      rec.watchers.delete(entry);
    };
  }

  /** ast_extension_state: computed now from the devices; -1 when there is no such hint. */
  extensionState(context: string, exten: string): number {
    const rec = this.hints.get(hintKey(context, exten));
    return rec ? this.computeState(rec) : EXTENSION_DEACTIVATED;
  }

  /** The hint text, '' when there is none (AMI's `Hint:` header). */
  hintText(context: string, exten: string): string {
    return this.hints.get(hintKey(context, exten))?.hint ?? '';
  }

  private ordered(): HintRecord[] {
    return [...this.hints.values()].sort((a, b) => a.bucket - b.bucket || a.order - b.order);
  }

  private snapshot(rec: HintRecord): HintSnapshot {
    return {
      context: rec.context,
      exten: rec.exten,
      hint: rec.hint,
      devices: [...rec.devices],
      presenceProviders: rec.presenceProviders,
      state: rec.state,
      stateText: extensionStateText(rec.state),
      presence: { ...rec.presence },
      watchers: rec.watchers.size,
    };
  }

  private rebuildDeviceIndex(): void {
    const index = new Map<string, Set<HintRecord>>();
    for (const rec of this.hints.values()) {
      for (const d of rec.devices) {
        const k = d.toLowerCase();
        let set = index.get(k);
        if (!set) index.set(k, (set = new Set()));
        set.add(rec);
      }
    }
    this.byDevice = index;
  }

  /** No devices (presence-only hint): Unavailable; else the combined device state mapped. */
  private computeState(rec: HintRecord): number {
    if (rec.devices.length === 0) return EXTENSION_UNAVAILABLE;
    return deviceToExtensionState(aggregateDeviceStates(rec.devices.map((d) => this.devices.getState(d))));
  }

  private computePresence(rec: HintRecord): PresenceInfo {
    if (rec.presenceProviders === '') return { ...NOT_SET };
    return this.presence.get(rec.presenceProviders);
  }

  private onDeviceChanged(device: string): void {
    const recs = this.byDevice.get(device.toLowerCase());
    if (!recs) return;
    for (const rec of [...recs]) this.updateDeviceState(rec);
  }

  private onPresenceChanged(provider: string): void {
    const needle = provider.toLowerCase();
    for (const rec of this.hints.values()) {
      if (rec.presenceProviders !== '' && rec.presenceProviders.toLowerCase().includes(needle)) this.updatePresence(rec);
    }
  }

  private updateDeviceState(rec: HintRecord): void {
    const state = this.computeState(rec);
    const changed = state !== rec.state;
    if (!changed && (state & EXTENSION_RINGING) === 0) return;
    rec.state = state;
    const update = this.update(rec, 'device');
    this.callWatchers(rec, update);
    if (changed) this.bus.emit('ExtensionStateChanged', update);
  }

  private updatePresence(rec: HintRecord): void {
    const presence = this.computePresence(rec);
    if (samePresence(presence, rec.presence)) return;
    rec.presence = presence;
    const update = this.update(rec, 'presence');
    this.callWatchers(rec, update);
    this.bus.emit('ExtensionStateChanged', update);
  }

  private removeHint(rec: HintRecord): void {
    rec.state = EXTENSION_REMOVED;
    const update = this.update(rec, 'removed');
    this.callWatchers(rec, update);
    rec.watchers.clear();
    this.bus.emit('ExtensionStateChanged', update);
  }

  private update(rec: HintRecord, reason: ExtensionStateUpdate['reason']): ExtensionStateUpdate {
    return {
      context: rec.context,
      exten: rec.exten,
      hint: rec.hint,
      state: rec.state,
      stateText: extensionStateText(rec.state),
      presence: rec.presence.state,
      presenceSubtype: rec.presence.subtype,
      presenceMessage: rec.presence.message,
      reason,
    };
  }

  private callWatchers(rec: HintRecord, update: ExtensionStateUpdate): void {
    for (const w of [...rec.watchers]) {
      try {
        w({ ...update });
      } catch (err) {
        this.log?.warn({ err, context: rec.context, exten: rec.exten }, 'hint watcher failed');
      }
    }
  }
}
