/**
 * Session timers (RFC 4028) on herald's calls, chan_sip's options (facts only):
 *   session-timers = accept (default: use them when the caller asks) | originate (also offer
 *   them to a caller that supports them without asking) | refuse (never);
 *   session-expires (default 1800 s), session-minse (default 90 s, the RFC's floor),
 *   session-refresher = uac | uas (who refreshes when the caller leaves it to us).
 * [general] values, overridden per peer (the caller's).
 *
 * What herald does as the caller's UAS:
 *  - §9 / §6: a Session-Expires below our minimum → 422 Session Interval Too Small with Min-SE;
 *  - the 200 carries Session-Expires with a refresher: the callee's own value and refresher when
 *    its 200 had one (the roles line up: the caller's refreshes reach the callee through herald and
 *    the callee's reach the caller), else herald answers for the callee with the caller's interval
 *    and refresher (uac unless the caller or session-refresher said otherwise); `Require: timer`
 *    when the refresher is the caller (§9: "the UAS MUST place a Require header field into the
 *    response with the value 'timer'");
 *  - refresh re-INVITEs/UPDATEs are relayed; a 2xx that comes back without Session-Expires gets
 *    one (the callee does not do timers, herald answers for it);
 *  - when herald itself is the refresher (refresher=uas and the callee does not refresh), it sends
 *    a bodiless UPDATE at half the interval (§7.4 recommends UPDATE without a body);
 *  - §10: "If no refresh ... is received before the session expires, the UAS SHOULD send a BYE"
 *    "at ... the session expiration minus the minimum of 32 seconds and one third of the session
 *    interval": herald hangs the call up, which sends BYE on both legs.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { SipMessage, SipRequest, SipResponse } from '../../sip/message/index.js';
import { listsOptionTag } from '../../sip/transaction/reliable-provisional.js';

export type SessionTimerMode = 'accept' | 'originate' | 'refuse';
export type Refresher = 'uac' | 'uas';

export interface SessionTimerSettings {
  mode: SessionTimerMode;
  /** Seconds. */
  expires: number;
  /** Seconds, at least 90 (RFC 4028 §5: Min-SE "MUST NOT be less than 90 seconds"). */
  minSe: number;
  /** Who refreshes when the caller supports timers and leaves the choice to us; null: the caller. */
  refresher: Refresher | null;
}

export const RFC_MIN_SE = 90;
const DEFAULT_EXPIRES = 1800;

function positiveInt(text: string | undefined): number | null {
  if (text === undefined || !/^\s*\d{1,9}\s*$/.test(text)) return null;
  return Number(text);
}

/** sip.conf [general] extras with the caller's peer's extras over them. */
export function sessionTimerSettings(general: ReadonlyMap<string, string>, peer?: ReadonlyMap<string, string> | null): SessionTimerSettings {
  const get = (key: string): string | undefined => peer?.get(key) ?? general.get(key);
  const modeText = (get('session-timers') ?? '').trim().toLowerCase();
  const mode: SessionTimerMode = modeText === 'originate' || modeText === 'refuse' ? modeText : 'accept';
  const minSe = Math.max(RFC_MIN_SE, positiveInt(get('session-minse')) ?? RFC_MIN_SE);
  const expires = Math.max(minSe, positiveInt(get('session-expires')) ?? DEFAULT_EXPIRES);
  const r = (get('session-refresher') ?? '').trim().toLowerCase();
  return { mode, expires, minSe, refresher: r === 'uac' || r === 'uas' ? r : null };
}

export interface SessionExpires {
  delta: number;
  refresher: Refresher | null;
}

/** `Session-Expires: 1800;refresher=uac` (compact `x` too); null when absent; 'bad' when malformed. */
export function parseSessionExpires(msg: SipMessage): SessionExpires | null | 'bad' {
  const text = msg.headers.get('Session-Expires');
  if (text === undefined) return null;
  const [head = '', ...params] = text.split(';');
  const delta = positiveInt(head);
  if (delta === null || delta === 0) return 'bad';
  let refresher: Refresher | null = null;
  for (const p of params) {
    const [k = '', v = ''] = p.split('=');
    if (k.trim().toLowerCase() !== 'refresher') continue;
    const value = v.trim().toLowerCase();
    if (value === 'uac' || value === 'uas') refresher = value;
  }
  return { delta, refresher };
}

export function formatSessionExpires(delta: number, refresher: Refresher): string {
  return `${delta};refresher=${refresher}`;
}

export function supportsTimer(msg: SipMessage): boolean {
  return listsOptionTag(msg.headers.getAll('Supported'), 'timer');
}

/** What the caller's INVITE asks: null when it may go on, else the refusal to send. */
export function inviteRefusal(invite: SipRequest, s: SessionTimerSettings): { status: number; reason: string; headers: Array<[string, string]> } | null {
  const requiresTimer = listsOptionTag(invite.headers.getAll('Require'), 'timer');
  if (s.mode === 'refuse') return requiresTimer ? { status: 420, reason: 'Bad Extension', headers: [['Unsupported', 'timer']] } : null;
  const se = parseSessionExpires(invite);
  if (se === 'bad') return { status: 400, reason: 'Bad Session-Expires', headers: [] };
  // §6: 422 "MUST contain a Min-SE header field with the minimum timer for that server".
  if (se && se.delta < s.minSe) return { status: 422, reason: 'Session Interval Too Small', headers: [['Min-SE', String(s.minSe)]] };
  return null;
}

/** Headers for the INVITE of a Dial leg: the caller's request passed on (Min-SE at least ours). */
export function legInviteHeaders(invite: SipRequest, s: SessionTimerSettings): Array<[string, string]> {
  if (s.mode === 'refuse') return [];
  const out: Array<[string, string]> = [];
  // Only a caller that can refresh may be made the refresher, so `timer` is offered only for it.
  if (supportsTimer(invite)) out.push(['Supported', 'timer']);
  const se = parseSessionExpires(invite);
  if (se && se !== 'bad') {
    out.push(['Session-Expires', se.refresher ? formatSessionExpires(se.delta, se.refresher) : String(se.delta)]);
    const theirMin = positiveInt(invite.headers.get('Min-SE')?.split(';')[0]) ?? 0;
    out.push(['Min-SE', String(Math.max(theirMin, s.minSe))]);
  }
  return out;
}

/**
 * A callee answered a leg's INVITE with 422 Session Interval Too Small. RFC 4028 §7.4: the UAC
 * may retry; "the Min-SE header field in the new request MUST contain the value from the Min-SE
 * header field of the 422 response" and Session-Expires must be at least that (chan_sip raises its
 * interval to the Min-SE and sends the INVITE again). herald does so when the callee's minimum is
 * above the interval the leg asked for and within the caller's `session-expires` (the longest
 * interval herald keeps for that caller). The retry's Session-Expires and Min-SE, else null.
 */
export function intervalAfter422(sent: SipRequest, res: SipResponse, s: SessionTimerSettings): { sessionExpires: string; minSe: string } | null {
  const theirMin = positiveInt(res.headers.get('Min-SE')?.split(';')[0]);
  const asked = parseSessionExpires(sent);
  if (theirMin === null || !asked || asked === 'bad' || theirMin <= asked.delta || theirMin > s.expires) return null;
  return { sessionExpires: asked.refresher ? formatSessionExpires(theirMin, asked.refresher) : String(theirMin), minSe: String(theirMin) };
}

export interface NegotiatedSession {
  /** Seconds. */
  interval: number;
  /** Who refreshes, in the caller's dialog's terms. */
  refresher: Refresher;
  /** herald refreshes toward the caller itself (UPDATE at interval/2). */
  heraldRefreshes: boolean;
  /**
   * herald keeps the timer for a callee that does not do timers: the caller's bodiless refresh
   * UPDATE is answered by herald (the callee, which may not even take UPDATE, has nothing to do).
   */
  forCallee: boolean;
  /** Headers for the 200 to the caller. */
  headers: Array<[string, string]>;
}

/**
 * The session timer of the 200 herald sends the caller; null when none is used. calleeOk is the
 * callee's 2xx (null when the dialplan answered itself).
 */
export function negotiate(invite: SipRequest, calleeOk: SipResponse | null, s: SessionTimerSettings): NegotiatedSession | null {
  if (s.mode === 'refuse') return null;
  const callerSe = parseSessionExpires(invite);
  const callerSupports = supportsTimer(invite);
  const calleeSe = calleeOk ? parseSessionExpires(calleeOk) : null;
  const headersFor = (interval: number, refresher: Refresher): Array<[string, string]> => {
    const h: Array<[string, string]> = [['Session-Expires', formatSessionExpires(interval, refresher)]];
    if (refresher === 'uac') h.push(['Require', 'timer']);
    return h;
  };
  if (calleeSe && calleeSe !== 'bad') {
    const refresher = calleeSe.refresher ?? (callerSupports ? 'uac' : 'uas');
    return { interval: calleeSe.delta, refresher, heraldRefreshes: false, forCallee: false, headers: headersFor(calleeSe.delta, refresher) };
  }
  const asked = callerSe && callerSe !== 'bad' ? callerSe : null;
  if (!asked && !(s.mode === 'originate' && callerSupports)) return null;
  const interval = Math.max(asked?.delta ?? s.expires, s.minSe);
  // §9: without the caller's support the refresher can only be the UAS (us).
  const refresher: Refresher = asked?.refresher ?? (callerSupports ? (s.refresher ?? 'uac') : 'uas');
  if (refresher === 'uas') {
    // herald refreshes with UPDATE; a caller that does not take UPDATE gets no session timer.
    const allow = invite.headers.getAll('Allow').map((m) => m.trim().toUpperCase());
    if (!allow.includes('UPDATE')) return null;
  }
  return { interval, refresher, heraldRefreshes: refresher === 'uas', forCallee: true, headers: headersFor(interval, refresher) };
}

/**
 * Headers to add to a refresh's 2xx relayed back to its sender when the answering side left
 * Session-Expires out (it does not do timers): the request's own interval and refresher.
 */
export function refreshAnswerHeaders(req: SipRequest, res: SipResponse | null): Array<[string, string]> {
  const asked = parseSessionExpires(req);
  if (!asked || asked === 'bad' || (res && parseSessionExpires(res) !== null)) return [];
  const refresher = asked.refresher ?? (supportsTimer(req) ? 'uac' : 'uas');
  const h: Array<[string, string]> = [['Session-Expires', formatSessionExpires(asked.delta, refresher)]];
  if (refresher === 'uac') h.push(['Require', 'timer']);
  return h;
}

/** §10: the BYE goes "the minimum of 32 seconds and one third of the session interval" early. */
export function expiryDelayMs(intervalSec: number): number {
  return (intervalSec - Math.min(32, intervalSec / 3)) * 1000;
}

/**
 * The running timer of one answered call: expiry (hang up) and, when herald is the refresher,
 * the refresh at half the interval. Restarted by every successful refresh; stop() clears both.
 */
export class SessionTimer {
  private expiry: TimerHandle | null = null;
  private refresh: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private interval: number,
    private readonly heraldRefreshes: boolean,
    private readonly onExpired: () => void,
    private readonly onRefreshDue: () => void,
  ) {
    this.arm();
  }

  get intervalSec(): number {
    return this.interval;
  }

  /** A refresh succeeded; intervalSec: the interval it settled on (null: unchanged). */
  refreshed(intervalSec: number | null): void {
    if (this.stopped) return;
    if (intervalSec !== null && intervalSec > 0) this.interval = intervalSec;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.clock.clear(this.expiry);
    this.clock.clear(this.refresh);
    this.expiry = null;
    this.refresh = null;
  }

  private arm(): void {
    this.clock.clear(this.expiry);
    this.clock.clear(this.refresh);
    this.refresh = null;
    this.expiry = this.clock.setTimer(expiryDelayMs(this.interval), () => {
      this.expiry = null;
      if (this.stopped) return;
      this.stop();
      this.onExpired();
    });
    if (this.heraldRefreshes) {
      this.refresh = this.clock.setTimer((this.interval * 1000) / 2, () => {
        this.refresh = null;
        if (!this.stopped) this.onRefreshDue();
      });
    }
  }
}
