/**
 * Blind transfer by REFER (RFC 3515) on an answered caller dialog: herald sends REFER with
 * Refer-To, the phone accepts it (202) and reports the new call's progress in NOTIFYs of the
 * implicit `refer` subscription, each body a message/sipfrag status line (§2.4.5). A 2xx fragment
 * means the transfer worked; a final failure fragment, a REFER refused with ≥300, no answer to
 * the REFER, or the subscription ending without a final fragment means it failed.
 */
import type { Dialog } from '../../sip/dialog/dialog.js';
import type { SipRequest } from '../../sip/message/index.js';
import type { ServerTransaction } from '../../sip/transaction/types.js';
import type { TransferOutcome } from '../../pbx/apps/transfer.js';
import type { TimerHandle } from '../../core/clock.js';
import type { CallsContext } from './context.js';

/** How long herald waits for the final NOTIFY after the 202 (the new call may ring a while). */
export const REFER_RESULT_TIMEOUT_MS = 180_000;

/** `<sip:dest@our-host>` for a bare destination; a destination with a host or scheme is kept. */
export function referTarget(destination: string, ourHost: string): string {
  if (/^sips?:/i.test(destination)) return `<${destination}>`;
  if (destination.includes('@')) return `<sip:${destination}>`;
  return `<sip:${destination}@${ourHost}>`;
}

/** The status code of a message/sipfrag status line ("SIP/2.0 200 OK"), null when it has none. */
export function sipfragStatus(body: Buffer): number | null {
  const m = /^\s*SIP\/2\.0\s+(\d{3})\b/.exec(body.toString('utf8'));
  return m ? Number(m[1]) : null;
}

function isReferEvent(req: SipRequest): boolean {
  const event = (req.headers.get('Event') ?? req.headers.get('o') ?? '').split(';')[0]?.trim().toLowerCase();
  return event === 'refer';
}

export class BlindTransfer {
  private done = false;
  private resolve: (o: TransferOutcome) => void = () => undefined;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly ctx: CallsContext,
    private readonly dialog: Dialog,
  ) {}

  /** Send the REFER; resolves once the outcome is known. */
  start(destination: string, referredBy: string): Promise<TransferOutcome> {
    const { ctx, dialog } = this;
    const result = new Promise<TransferOutcome>((resolve) => {
      this.resolve = resolve;
    });
    const req = dialog.request('REFER', undefined, [
      ['Refer-To', referTarget(destination, ctx.hostFor(dialog.dest))],
      ['Referred-By', referredBy],
    ]);
    ctx.stack.request(req, dialog.dest, {
      onFinal: (res) => {
        if (res.status >= 300) this.finish({ ok: false, protocol: res.status });
        else if (!this.done) {
          this.timer = ctx.clock.setTimer(REFER_RESULT_TIMEOUT_MS, () => this.finish({ ok: false, protocol: 0 }));
        }
      },
      onTimeout: () => this.finish({ ok: false, protocol: 408 }),
      onTransportError: () => this.finish({ ok: false, protocol: 503 }),
    }, { connectionId: dialog.connectionId });
    return result;
  }

  /** A NOTIFY in the dialog: true when it belonged to this transfer (and was answered). */
  onNotify(req: SipRequest, tx: ServerTransaction): boolean {
    if (!isReferEvent(req)) return false;
    tx.reply(200, 'OK');
    const status = req.body.length > 0 ? sipfragStatus(req.body) : null;
    if (status !== null && status >= 200) this.finish({ ok: status < 300, protocol: status });
    else if (/^\s*terminated/i.test(req.headers.get('Subscription-State') ?? '')) this.finish({ ok: false, protocol: status ?? 0 });
    return true;
  }

  /** The call ended first. */
  abandon(): void {
    this.finish({ ok: false, protocol: 0 });
  }

  private finish(outcome: TransferOutcome): void {
    if (this.done) return;
    this.done = true;
    this.ctx.clock.clear(this.timer);
    this.timer = null;
    this.resolve(outcome);
  }
}
