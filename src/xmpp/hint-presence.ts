/**
 * `status_from_hint=EXTEN@CONTEXT`: the account's own XMPP presence follows a dialplan hint
 * (herald's addition). The phone decides first: in use or busy → dnd "On the phone", ringing →
 * dnd "Ringing", on hold → dnd "On hold", unavailable → xa "Phone unavailable". An idle phone
 * shows the hint's presence part when it says something (away, xa, dnd, chat, unavailable,
 * available, with its message), otherwise the account's configured status and statusmessage.
 */
import type { PresenceStateName } from '../core/bus.js';
import type { ShowValue } from './config.js';

export interface HintView {
  /** ast_extension_state bits: 1 InUse, 2 Busy, 4 Unavailable, 8 Ringing, 16 OnHold; 0 Idle; <0 gone. */
  state: number;
  presence: PresenceStateName;
  presenceMessage: string;
}

const PRESENCE_SHOW: Partial<Record<PresenceStateName, { show: ShowValue; text: string }>> = {
  available: { show: 1, text: 'Available' },
  chat: { show: 2, text: 'Free for chat' },
  away: { show: 3, text: 'Away' },
  xa: { show: 4, text: 'Extended away' },
  dnd: { show: 5, text: 'Do not disturb' },
  unavailable: { show: 4, text: 'Unavailable' },
};

export function presenceFromHint(h: HintView, configured: { show: ShowValue; text: string }): { show: ShowValue; text: string } {
  if (h.state < 0) return configured;
  if (h.state & 8) return { show: 5, text: 'Ringing' };
  if (h.state & 3) return { show: 5, text: 'On the phone' };
  if (h.state & 16) return { show: 5, text: 'On hold' };
  if (h.state & 4) return { show: 4, text: 'Phone unavailable' };
  const p = PRESENCE_SHOW[h.presence];
  if (p) return { show: p.show, text: h.presenceMessage !== '' ? h.presenceMessage : p.text };
  return configured;
}
