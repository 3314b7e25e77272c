/** Public surface of the transaction layer (the stack itself is src/sip/stack.ts). */
export type { ClientTransaction, ClientTransactionHandlers, MethodHandler, RequestContext, ServerTransaction, SipStack, TimerConfig } from './types.js';
export { DEFAULT_TIMERS, timerValues, type TimerValues } from './timers.js';
export { buildCancel, buildNon2xxAck } from './derived-requests.js';
