/**
 * The session timer (RFC 4028) of one answered call, seen from the caller's dialog: the timer
 * itself (session-timer.ts), the refreshes herald answers or sends itself, and what a relayed
 * refresh's 2xx needs added. The rules are in session-timer.ts; this is their use on a call.
 */
import type { Dialog } from '../../sip/dialog/dialog.js';
import type { SipRequest, SipResponse } from '../../sip/message/index.js';
import type { CallsContext } from './context.js';
import { formatSessionExpires, parseSessionExpires, refreshAnswerHeaders, SessionTimer, type NegotiatedSession, type SessionExpires } from './session-timer.js';

/** What the session needs of its call. */
export interface SessionCall {
  /** The caller's dialog while the call is up and the caller has not hung up; else null. */
  liveDialog(): Dialog | null;
  /** End the call (BYE to both sides). */
  hangUp(why: string): void;
}

function valid(se: SessionExpires | null | 'bad'): SessionExpires | null {
  return se && se !== 'bad' ? se : null;
}

export class CallerSession {
  private readonly timer: SessionTimer;

  constructor(
    private readonly ctx: CallsContext,
    private readonly invite: SipRequest,
    private readonly negotiated: NegotiatedSession,
    private readonly call: SessionCall,
  ) {
    this.timer = new SessionTimer(
      ctx.clock,
      negotiated.interval,
      negotiated.heraldRefreshes,
      // §10: no refresh before the session expired → hang up (BYE to both sides).
      () => call.hangUp('session timer expired without a refresh'),
      () => this.sendRefresh(),
    );
  }

  stop(): void {
    this.timer.stop();
  }

  /**
   * A relayed re-INVITE/UPDATE (from either side) got a 2xx: the session was refreshed (§10
   * restarts the timer). Returns Session-Expires for the 2xx going back when the answering side
   * does not do timers.
   */
  relayedRefresh(req: SipRequest, res: SipResponse): Array<[string, string]> {
    const settled = valid(parseSessionExpires(res)) ?? valid(parseSessionExpires(req));
    this.timer.refreshed(settled?.delta ?? null);
    return refreshAnswerHeaders(req, res);
  }

  /**
   * The caller's bodiless refresh UPDATE (§7.4) of a timer herald keeps for a callee without
   * timers: answered here (the callee, which may not even take UPDATE, has nothing to do with it).
   * Headers for the 200, or null when the request is to be relayed.
   */
  answerCallerUpdate(req: SipRequest): Array<[string, string]> | null {
    if (req.method !== 'UPDATE' || req.body.length > 0 || !this.negotiated.forCallee) return null;
    const asked = valid(parseSessionExpires(req));
    this.timer.refreshed(asked?.delta ?? null);
    const headers = refreshAnswerHeaders(req, null);
    if (headers.length > 0) return headers;
    const refresher = this.negotiated.refresher;
    return [['Session-Expires', formatSessionExpires(this.timer.intervalSec, refresher)], ...(refresher === 'uac' ? [['Require', 'timer'] as [string, string]] : [])];
  }

  /**
   * The callee's bodiless refresh UPDATE when the caller's INVITE had an Allow without UPDATE: the
   * caller could only refuse it, so herald answers it. Headers for the 200, or null to relay it.
   */
  answerCalleeUpdate(req: SipRequest): Array<[string, string]> | null {
    if (req.method !== 'UPDATE' || req.body.length > 0) return null;
    const allow = this.invite.headers.getAll('Allow').map((m) => m.trim().toUpperCase());
    if (allow.length === 0 || allow.includes('UPDATE')) return null;
    const asked = valid(parseSessionExpires(req));
    this.timer.refreshed(asked?.delta ?? null);
    const refresher = asked?.refresher ?? 'uas';
    return [['Session-Expires', formatSessionExpires(this.timer.intervalSec, refresher)], ...(refresher === 'uac' ? [['Require', 'timer'] as [string, string]] : [])];
  }

  /**
   * herald is the refresher toward the caller (refresher=uas): a bodiless UPDATE (§7.4). 2xx →
   * the timer restarts; 481/408 (or no answer) mean the caller is gone → hang up; after other
   * failures the session expires unless a refresh still comes.
   */
  private sendRefresh(): void {
    const d = this.call.liveDialog();
    if (!d) return;
    const update = d.request('UPDATE', undefined, [
      ['Session-Expires', formatSessionExpires(this.timer.intervalSec, 'uas')],
      ['Supported', 'timer'],
    ]);
    const gone = (): void => this.call.hangUp('session refresh UPDATE failed');
    this.ctx.stack.request(update, d.dest, {
      onFinal: (res) => {
        if (res.status >= 200 && res.status < 300) this.timer.refreshed(valid(parseSessionExpires(res))?.delta ?? null);
        else if (res.status === 481 || res.status === 408) gone();
      },
      onTimeout: gone,
      onTransportError: gone,
    }, { connectionId: d.connectionId });
  }
}
