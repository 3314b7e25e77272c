/**
 * Extension state → the words NOTIFY bodies use (reference §4.2 for PJSIP, §4.8 and observed
 * §10.8 for chan_sip).
 */
import {
  EXTENSION_BUSY,
  EXTENSION_INUSE,
  EXTENSION_ONHOLD,
  EXTENSION_RINGING,
  EXTENSION_UNAVAILABLE,
} from '../../state/extension-state.js';

/** OPEN / INUSE / CLOSED as both Asterisks call the tuple's local state. */
export type LocalState = 'open' | 'inuse' | 'closed';

export interface StateWords {
  /** dialog-info <state>. */
  dialogState: 'early' | 'confirmed' | 'terminated';
  local: LocalState;
  /** The PIDF presence-level <note>. */
  note: string;
  /** The extension is on a call or ringing (RPID on-the-phone). */
  onThePhone: boolean;
  /** dialog-info direction="recipient" (early only). */
  recipient: boolean;
  onHold: boolean;
}

const RINGINUSE = EXTENSION_INUSE | EXTENSION_RINGING;

/** PJSIP's table (ast_sip_presence_exten_state_to_str), herald's default. */
export function stateWords(state: number): StateWords {
  switch (state) {
    case EXTENSION_RINGING:
      return { dialogState: 'early', local: 'inuse', note: 'Ringing', onThePhone: true, recipient: true, onHold: false };
    case RINGINUSE:
      return { dialogState: 'confirmed', local: 'inuse', note: 'Ringing', onThePhone: true, recipient: false, onHold: false };
    case EXTENSION_INUSE:
    case EXTENSION_BUSY:
      return { dialogState: 'confirmed', local: 'inuse', note: 'On the phone', onThePhone: true, recipient: false, onHold: false };
    case EXTENSION_UNAVAILABLE:
      return { dialogState: 'terminated', local: 'closed', note: 'Unavailable', onThePhone: false, recipient: false, onHold: false };
    case EXTENSION_ONHOLD:
      return { dialogState: 'confirmed', local: 'inuse', note: 'On hold', onThePhone: true, recipient: false, onHold: true };
    default:
      return { dialogState: 'terminated', local: 'open', note: 'Ready', onThePhone: false, recipient: false, onHold: false };
  }
}

/** chan_sip's table: activity busy/away instead of on-the-phone, Busy and Hold closed. */
export interface ChanSipWords {
  dialogState: 'early' | 'confirmed' | 'terminated';
  local: LocalState;
  /** ep:activities child, null for none ("--"). */
  activity: 'busy' | 'away' | null;
  note: string;
}

export function chanSipWords(state: number, allDevicesUnavailable: boolean): ChanSipWords {
  let w: ChanSipWords;
  switch (state) {
    case EXTENSION_RINGING:
      w = { dialogState: 'early', local: 'inuse', activity: 'busy', note: 'Ringing' };
      break;
    case RINGINUSE:
      w = { dialogState: 'confirmed', local: 'inuse', activity: 'busy', note: 'Ringing' };
      break;
    case EXTENSION_INUSE:
      w = { dialogState: 'confirmed', local: 'inuse', activity: 'busy', note: 'On the phone' };
      break;
    case EXTENSION_BUSY:
      w = { dialogState: 'confirmed', local: 'closed', activity: 'busy', note: 'On the phone' };
      break;
    case EXTENSION_UNAVAILABLE:
      w = { dialogState: 'terminated', local: 'closed', activity: 'away', note: 'Unavailable' };
      break;
    case EXTENSION_ONHOLD:
      w = { dialogState: 'confirmed', local: 'closed', activity: 'busy', note: 'On hold' };
      break;
    default:
      w = { dialogState: 'terminated', local: 'open', activity: null, note: 'Ready' };
  }
  // chan_sip: when every hinted device is UNAVAILABLE the phone is "Not online".
  if (allDevicesUnavailable) w = { ...w, local: 'closed', activity: 'away', note: 'Not online' };
  return w;
}
