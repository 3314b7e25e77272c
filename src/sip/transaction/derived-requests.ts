/**
 * Requests the transaction layer builds from an INVITE: the ACK for a non-2xx final response
 * (RFC 3261 §17.1.1.3) and CANCEL (§9.1). Both carry only the INVITE's top Via, so they share
 * its branch.
 */
import { SipHeaders, SipRequest, type SipResponse } from '../message/index.js';

function topVia(invite: SipRequest): string {
  const v = invite.headers.getAll('Via')[0];
  return v ?? '';
}

function copyRoutes(invite: SipRequest, headers: SipHeaders): void {
  for (const r of invite.headers.getAll('Route')) headers.append('Route', r);
}

/**
 * §17.1.1.3: "The ACK request constructed by the client transaction MUST contain values for the
 * Call-ID, From, and Request-URI that are equal to the values of those header fields in the
 * request passed to the transport by the client transaction ... The To header field in the ACK
 * MUST equal the To header field in the response being acknowledged ... The ACK MUST contain a
 * single Via header field, and this MUST be equal to the top Via header field of the original
 * request ... The CSeq header field in the ACK MUST contain the same value for the sequence
 * number as was present in the original request, but the method parameter MUST be equal to
 * 'ACK'." Route headers of the INVITE are copied too.
 */
export function buildNon2xxAck(invite: SipRequest, res: SipResponse): SipRequest {
  const h = new SipHeaders();
  h.append('Via', topVia(invite));
  h.append('Max-Forwards', '70');
  h.append('From', invite.headers.get('From') ?? '');
  h.append('To', res.headers.get('To') ?? invite.headers.get('To') ?? '');
  h.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  h.append('CSeq', `${invite.cseq.seq} ACK`);
  copyRoutes(invite, h);
  return new SipRequest('ACK', invite.uri, h);
}

/**
 * §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header fields in the
 * CANCEL request MUST be identical to those in the request being cancelled, including tags. A
 * CANCEL constructed by a client MUST have only a single Via header field value matching the top
 * Via value in the request being cancelled." Route headers are copied as well.
 */
export function buildCancel(invite: SipRequest, reason?: string): SipRequest {
  const h = new SipHeaders();
  h.append('Via', topVia(invite));
  h.append('Max-Forwards', '70');
  h.append('From', invite.headers.get('From') ?? '');
  h.append('To', invite.headers.get('To') ?? '');
  h.append('Call-ID', invite.headers.get('Call-ID') ?? '');
  h.append('CSeq', `${invite.cseq.seq} CANCEL`);
  copyRoutes(invite, h);
  if (reason) h.append('Reason', reason);
  return new SipRequest('CANCEL', invite.uri, h);
}
