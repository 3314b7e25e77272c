/**
 * Inputs of the NOTIFY body builders. Every builder is a pure function of its input: the
 * subscription server gathers the hint's state, the URIs of the dialog and the per-subscription
 * counters and hands them over here.
 */
import type { PresenceInfo } from '../../state/presence-state.js';

/** The media types herald can put in a NOTIFY. */
export type BodyType =
  | 'application/pidf+xml'
  | 'application/xpidf+xml'
  | 'application/cpim-pidf+xml'
  | 'application/dialog-info+xml'
  | 'application/simple-message-summary';

/**
 * `herald` (default): standard bodies — the presentity as PIDF entity, the hint's custom presence
 * as RPID for every phone, schema-valid element order. `asterisk` (sip.conf
 * `presence_compat=asterisk`): chan_sip's exact bodies (subscriber as entity, no RPID unless the
 * phone is a Digium one).
 */
export type PresenceCompat = 'herald' | 'asterisk';

/** Who is calling a ringing extension (dialog-info early state), when the call layer knows. */
export interface RingingCaller {
  number: string;
  name: string;
}

export interface ExtenStateBodyInput {
  /** The watched extension (tuple id / dialog id). */
  exten: string;
  /** ast_extension_state value: 0 Idle, 1 InUse, 2 Busy, 4 Unavailable, 8 Ringing, 9, 16 Hold. */
  state: number;
  /** The hint's aggregated presence. */
  presence: PresenceInfo;
  /** URI of the watched resource (the SUBSCRIBE's To URI). */
  presentityUri: string;
  /** URI of the subscriber (the SUBSCRIBE's From URI, without display name or tag). */
  watcherUri: string;
  /** The subscriber's User-Agent contains "digium" or "sangoma" (any case). */
  digium: boolean;
  compat: PresenceCompat;
  /** dialog-info `version`: 0 for the first body of a subscription, +1 for each new body. */
  version: number;
  /** chan_sip: every hinted device is UNAVAILABLE (the peer is not registered) → "Not online". */
  allDevicesUnavailable?: boolean;
  /** Who is ringing the extension, when known (early dialog-info). */
  ringingCaller?: RingingCaller | null;
}

export interface MessageSummaryInput {
  newMessages: number;
  oldMessages: number;
  urgentNew: number;
  urgentOld: number;
  /** Message-Account URI; omitted when null. */
  account: string | null;
  compat: PresenceCompat;
}
