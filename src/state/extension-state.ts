/**
 * Extension (hint) state values as Asterisk numbers them (include/asterisk/pbx.h), their CLI/AMI
 * text (ast_extension_state2str), their EXTENSION_STATE() strings, and the mapping from a
 * combined device state (ast_devstate_to_extenstate). Reference §3.3.
 */
import type { DeviceState } from './device-state.js';

export const EXTENSION_REMOVED = -2;
export const EXTENSION_DEACTIVATED = -1;
export const EXTENSION_NOT_INUSE = 0;
export const EXTENSION_INUSE = 1;
export const EXTENSION_BUSY = 2;
export const EXTENSION_UNAVAILABLE = 4;
export const EXTENSION_RINGING = 8;
export const EXTENSION_ONHOLD = 16;

/** ast_extension_state2str: Idle, InUse, …; anything else (incl. -1/-2) is Unknown. */
export function extensionStateText(state: number): string {
  switch (state) {
    case EXTENSION_NOT_INUSE: return 'Idle';
    case EXTENSION_INUSE: return 'InUse';
    case EXTENSION_BUSY: return 'Busy';
    case EXTENSION_UNAVAILABLE: return 'Unavailable';
    case EXTENSION_RINGING: return 'Ringing';
    case EXTENSION_INUSE | EXTENSION_RINGING: return 'InUse&Ringing';
    case EXTENSION_ONHOLD: return 'Hold';
    case EXTENSION_INUSE | EXTENSION_ONHOLD: return 'InUse&Hold';
    default: return 'Unknown';
  }
}

/** What EXTENSION_STATE() returns (func_extstate.c): NOT_INUSE, INUSE, …, HOLDINUSE, else UNKNOWN. */
export function extensionStateFunctionString(state: number): string {
  switch (state) {
    case EXTENSION_NOT_INUSE: return 'NOT_INUSE';
    case EXTENSION_INUSE: return 'INUSE';
    case EXTENSION_BUSY: return 'BUSY';
    case EXTENSION_UNAVAILABLE: return 'UNAVAILABLE';
    case EXTENSION_RINGING: return 'RINGING';
    case EXTENSION_INUSE | EXTENSION_RINGING: return 'RINGINUSE';
    case EXTENSION_INUSE | EXTENSION_ONHOLD: return 'HOLDINUSE';
    case EXTENSION_ONHOLD: return 'ONHOLD';
    default: return 'UNKNOWN';
  }
}

/**
 * ast_devstate_to_extenstate. A never-set device (UNKNOWN) counts as Idle; INVALID and
 * UNAVAILABLE are Unavailable; 17 (InUse&Hold) is never produced here.
 */
export function deviceToExtensionState(state: DeviceState): number {
  switch (state) {
    case 'ONHOLD': return EXTENSION_ONHOLD;
    case 'BUSY': return EXTENSION_BUSY;
    case 'UNKNOWN': return EXTENSION_NOT_INUSE;
    case 'UNAVAILABLE':
    case 'INVALID': return EXTENSION_UNAVAILABLE;
    case 'RINGINUSE': return EXTENSION_INUSE | EXTENSION_RINGING;
    case 'RINGING': return EXTENSION_RINGING;
    case 'INUSE': return EXTENSION_INUSE;
    case 'NOT_INUSE': return EXTENSION_NOT_INUSE;
  }
}
