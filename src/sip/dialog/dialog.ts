/**
 * A SIP dialog (RFC 3261 §12): the state both ends keep after a 2xx to INVITE, and how requests
 * inside it are built (§12.2.1.1).
 *  - UAS side (§12.1.1): route set = Record-Route as received, remote target = Contact of the
 *    INVITE, remote sequence = its CSeq, local URI = To (with our tag), remote URI = From.
 *  - UAC side (§12.1.2): route set = Record-Route of the 2xx reversed, remote target = Contact
 *    of the 2xx, local sequence = the INVITE's CSeq.
 * A request in the dialog: Request-URI = remote target (loose routing: Route = route set),
 * To = remote URI + remote tag, From = local URI + local tag, same Call-ID, "the CSeq number
 * MUST be incremented by one" for each new request (ACK and CANCEL reuse the INVITE's).
 */
import { SipHeaders, SipRequest, formatNameAddr, formatUri, type NameAddr, type SipResponse } from '../message/index.js';
import type { Endpoint } from '../transport/types.js';

export interface DialogInit {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From/To name-addr texts without tags. */
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number;
  /** Where requests in the dialog go (the peer's registered source, or the caller's source). */
  dest: Endpoint;
  connectionId: string | null;
  /** Our Contact header value. */
  localContact: string;
}

function withoutTag(na: NameAddr): string {
  const params = new Map(na.params);
  params.delete('tag');
  return formatNameAddr({ ...na, params });
}

/** The dialog key both directions agree on: Call-ID plus our tag plus theirs. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}

export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly localUri: string;
  readonly remoteUri: string;
  remoteTarget: string;
  readonly routeSet: string[];
  localSeq: number;
  remoteSeq: number;
  dest: Endpoint;
  connectionId: string | null;
  readonly localContact: string;
  /** An INVITE we sent in this dialog has no final response yet (§14.2 glare). */
  inviteOutPending = false;
  /** An INVITE received in this dialog has no final response from us yet (§14.2). */
  inviteInPending = false;

  constructor(init: DialogInit) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.localUri = init.localUri;
    this.remoteUri = init.remoteUri;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.dest = init.dest;
    this.connectionId = init.connectionId;
    this.localContact = init.localContact;
  }

  /** §12.1.1: the dialog a UAS creates when it answers `invite` with a 2xx carrying localTag. */
  static asUas(invite: SipRequest, localTag: string, dest: Endpoint, connectionId: string | null, localContact: string): Dialog {
    const contact = invite.contacts[0];
    return new Dialog({
      callId: invite.callId,
      localTag,
      remoteTag: invite.fromTag ?? '',
      localUri: withoutTag(invite.to),
      remoteUri: withoutTag(invite.from),
      remoteTarget: contact && !contact.wildcard ? formatUri(contact.uri) : invite.uri,
      routeSet: invite.headers.getAll('Record-Route'),
      localSeq: 0,
      remoteSeq: invite.cseq.seq,
      dest,
      connectionId,
      localContact,
    });
  }

  /** §12.1.2: the dialog a 2xx to our INVITE (as sent) creates. */
  static asUac(invite: SipRequest, res: SipResponse, dest: Endpoint, connectionId: string | null, localContact: string): Dialog {
    const contact = res.contacts[0];
    return new Dialog({
      callId: invite.callId,
      localTag: invite.fromTag ?? '',
      remoteTag: res.toTag ?? '',
      localUri: withoutTag(invite.from),
      remoteUri: withoutTag(res.to),
      remoteTarget: contact && !contact.wildcard ? formatUri(contact.uri) : invite.uri,
      routeSet: res.headers.getAll('Record-Route').reverse(),
      localSeq: invite.cseq.seq,
      remoteSeq: 0,
      dest,
      connectionId,
      localContact,
    });
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  /**
   * RFC 3261 §14.2, for a re-INVITE received in this dialog: "while an INVITE it had sent on that
   * dialog is in progress MUST return a 491 (Request Pending)"; a second INVITE "before it sends
   * the final response to a first INVITE ... MUST return a 500 (Server Internal Error) ... with a
   * Retry-After ... between 0 and 10 seconds". Null when the INVITE may go on.
   */
  inviteRefusal(random: () => number = Math.random): { status: number; reason: string; headers: Array<[string, string]> } | null {
    if (this.inviteOutPending) return { status: 491, reason: 'Request Pending', headers: [] };
    if (this.inviteInPending) {
      return { status: 500, reason: 'Server Internal Error', headers: [['Retry-After', String(Math.min(10, Math.floor(random() * 11)))]] };
    }
    return null;
  }

  /** A new request in the dialog (next CSeq); body with its type when given. */
  request(method: string, body?: { type: string; data: Buffer }, extra: Array<[string, string]> = []): SipRequest {
    this.localSeq++;
    return this.build(method, this.localSeq, body, extra);
  }

  /**
   * §13.2.2.4: the ACK for a 2xx: same CSeq number as the INVITE, method ACK, its own Via
   * (a new branch: "the ACK is a separate transaction"), sent without a transaction.
   */
  ack(inviteSeq: number, via: string): SipRequest {
    const req = this.build('ACK', inviteSeq);
    req.headers.prepend('Via', via);
    return req;
  }

  private build(method: string, seq: number, body?: { type: string; data: Buffer }, extra: Array<[string, string]> = []): SipRequest {
    const h = new SipHeaders();
    h.append('Max-Forwards', '70');
    h.append('From', `${this.localUri};tag=${this.localTag}`);
    h.append('To', `${this.remoteUri};tag=${this.remoteTag}`);
    h.append('Call-ID', this.callId);
    h.append('CSeq', `${seq} ${method}`);
    for (const r of this.routeSet) h.append('Route', r);
    // Target refresh requests carry our Contact (§12.2.1.1); so does REFER: it sets up the implicit
    // `refer` subscription, whose NOTIFYs come to that Contact.
    if (method === 'INVITE' || method === 'UPDATE' || method === 'REFER') h.append('Contact', this.localContact);
    for (const [n, v] of extra) h.append(n, v);
    if (body && body.data.length > 0) h.append('Content-Type', body.type);
    return new SipRequest(method, this.remoteTarget, h, body?.data);
  }
}
