/**
 * SIP status ↔ Asterisk hangup cause, as chan_sip maps them (facts from chan_sip.c
 * hangup_sip2cause / hangup_cause2sip). app_dial's tally of failures lives with Dial.
 */

/** Hangup cause numbers used here (include/asterisk/causes.h). */
export const CAUSE = {
  UNALLOCATED: 1,
  NO_ROUTE_DESTINATION: 3,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  NUMBER_CHANGED: 22,
  ANSWERED_ELSEWHERE: 26,
  DESTINATION_OUT_OF_ORDER: 27,
  INVALID_NUMBER_FORMAT: 28,
  FACILITY_REJECTED: 29,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  NORMAL_TEMPORARY_FAILURE: 41,
  SWITCH_CONGESTION: 42,
  BEARERCAPABILITY_NOTAVAIL: 58,
  CHAN_NOT_IMPLEMENTED: 66,
  RECOVERY_ON_TIMER_EXPIRE: 102,
  INTERWORKING: 127,
} as const;

/** A final failure response from a called leg → the cause its channel hangs up with. */
export function sipStatusToCause(status: number): number {
  switch (status) {
    case 401:
    case 403:
    case 407:
    case 603:
      return CAUSE.CALL_REJECTED;
    case 404:
    case 485:
    case 604:
      return CAUSE.UNALLOCATED;
    case 408:
      return CAUSE.NO_USER_RESPONSE;
    case 409:
      return CAUSE.NORMAL_TEMPORARY_FAILURE;
    case 410:
      return CAUSE.NUMBER_CHANGED;
    case 420:
      return CAUSE.NO_ROUTE_DESTINATION;
    case 480:
    case 483:
      return CAUSE.NO_ANSWER;
    case 484:
      return CAUSE.INVALID_NUMBER_FORMAT;
    case 486:
    case 600:
      return CAUSE.USER_BUSY;
    case 488:
    case 606:
      return CAUSE.BEARERCAPABILITY_NOTAVAIL;
    case 500:
      return CAUSE.NETWORK_OUT_OF_ORDER;
    case 501:
      return CAUSE.FACILITY_REJECTED;
    case 502:
      return CAUSE.DESTINATION_OUT_OF_ORDER;
    case 503:
      return CAUSE.NORMAL_CIRCUIT_CONGESTION;
    case 504:
      return CAUSE.RECOVERY_ON_TIMER_EXPIRE;
    default:
      if (status >= 400 && status < 500) return CAUSE.INTERWORKING;
      if (status >= 500 && status < 600) return CAUSE.NORMAL_CIRCUIT_CONGESTION;
      return CAUSE.NORMAL_CLEARING;
  }
}

/**
 * The final response an unanswered inbound call gets when its channel hangs up with this cause;
 * causes chan_sip has no entry for give "603 Declined".
 */
export function causeToSipStatus(cause: number): [number, string] {
  switch (cause) {
    case CAUSE.UNALLOCATED:
    case CAUSE.NO_ROUTE_DESTINATION:
      return [404, 'Not Found'];
    case CAUSE.NORMAL_CIRCUIT_CONGESTION:
    case CAUSE.SWITCH_CONGESTION:
      return [503, 'Service Unavailable'];
    case CAUSE.NO_USER_RESPONSE:
      return [408, 'Request Timeout'];
    case CAUSE.NO_ANSWER:
    case CAUSE.SUBSCRIBER_ABSENT:
    case CAUSE.NORMAL_UNSPECIFIED:
      return [480, 'Temporarily Unavailable'];
    case CAUSE.CALL_REJECTED:
      return [403, 'Forbidden'];
    case CAUSE.NUMBER_CHANGED:
      return [410, 'Gone'];
    case CAUSE.INVALID_NUMBER_FORMAT:
      return [484, 'Address Incomplete'];
    case CAUSE.USER_BUSY:
      return [486, 'Busy Here'];
    case CAUSE.NETWORK_OUT_OF_ORDER:
      return [500, 'Server Internal Error'];
    case CAUSE.FACILITY_REJECTED:
    case CAUSE.CHAN_NOT_IMPLEMENTED:
      return [501, 'Not Implemented'];
    case CAUSE.DESTINATION_OUT_OF_ORDER:
      return [502, 'Bad Gateway'];
    case CAUSE.BEARERCAPABILITY_NOTAVAIL:
      return [488, 'Not Acceptable Here'];
    case CAUSE.INTERWORKING:
      return [500, 'Network error'];
    default:
      return [603, 'Declined'];
  }
}
