/**
 * What the simulator pretends the outside world does: how each dialed destination answers,
 * how voicemail ends, XMPP buddy statuses, and where the caller hangs up. The sim-only
 * applications read it; the server never registers them.
 */
export const DIAL_OUTCOMES = ['ANSWER', 'NOANSWER', 'BUSY', 'CANCEL', 'CHANUNAVAIL', 'CONGESTION'] as const;
export type DialOutcome = (typeof DIAL_OUTCOMES)[number];

export const VM_OUTCOMES = ['SUCCESS', 'USEREXIT', 'FAILED'] as const;
export type VmOutcome = (typeof VM_OUTCOMES)[number];

/** XMPP status codes 1..7: Online, Chatty, Away, XAway, DND, Offline, Not in roster. */
export const BUDDY_OFFLINE = 6;

export class SimWorld {
  /** Per destination `TECH/resource` (compared case-insensitively). */
  readonly dial = new Map<string, DialOutcome>();
  vmStatus: VmOutcome = 'SUCCESS';
  /** `account/jid` (lower case) → status 1..7. A later `--buddy ACCOUNT/JID=N` fills this. */
  readonly buddies = new Map<string, number>();
  /** Seconds a simulated callee rings before answering or the caller cancels. */
  ringSeconds = 5;
  /** Seconds an answered simulated call lasts. */
  talkSeconds = 60;
  /** Lines describing external actions (`would dial …`), printed in order with the log. */
  constructor(readonly say: (line: string) => void) {}

  dialOutcome(dest: string): DialOutcome {
    return this.dial.get(dest.toLowerCase()) ?? 'NOANSWER';
  }

  setBuddyStatus(account: string, jid: string, status: number): void {
    this.buddies.set(`${account}/${jid}`.toLowerCase(), status);
  }

  buddyStatus(account: string, jid: string): number {
    return this.buddies.get(`${account}/${jid}`.toLowerCase()) ?? BUDDY_OFFLINE;
  }
}
