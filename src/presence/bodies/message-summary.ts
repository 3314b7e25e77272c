/**
 * application/simple-message-summary (RFC 3842 §5.2), CRLF line ends:
 *   Messages-Waiting: yes|no
 *   Message-Account: <uri>          (when known)
 *   Voice-Message: new/old (urgent-new/urgent-old)
 * chan_sip (asterisk form) always writes the urgent part as (0/0).
 */
import type { MessageSummaryInput } from './types.js';

export function buildMessageSummary(input: MessageSummaryInput): string {
  const n = Math.max(0, Math.trunc(input.newMessages));
  const o = Math.max(0, Math.trunc(input.oldMessages));
  const un = input.compat === 'asterisk' ? 0 : Math.max(0, Math.trunc(input.urgentNew));
  const uo = input.compat === 'asterisk' ? 0 : Math.max(0, Math.trunc(input.urgentOld));
  let out = `Messages-Waiting: ${n > 0 ? 'yes' : 'no'}\r\n`;
  // A header value cannot hold CR/LF: an account with one is left out rather than injected.
  if (input.account !== null && !/[\r\n]/.test(input.account)) out += `Message-Account: ${input.account}\r\n`;
  out += `Voice-Message: ${n}/${o} (${un}/${uo})\r\n`;
  return out;
}
