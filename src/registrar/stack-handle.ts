/**
 * The SipStack other modules hold (from SipModule.getStack()). It forwards to the stack that is
 * running now and remembers every handle() so that, when `sip reload` rebinds to new addresses
 * and a new stack replaces the old one, SUBSCRIBE/PUBLISH/INVITE handlers registered by other
 * modules carry over without them noticing.
 */
import type { SipRequest, SipResponse } from '../sip/message/index.js';
import type { ClientTransaction, ClientTransactionHandlers, MethodHandler, SipStack, TimerConfig } from '../sip/transaction/types.js';
import type { Endpoint } from '../sip/transport/types.js';

export class StackHandle implements SipStack {
  private readonly handlers = new Map<string, MethodHandler>();

  constructor(private current: SipStack) {}

  /** Switch to a new stack: every handler registered so far is registered on it. */
  attach(next: SipStack): void {
    for (const [method, handler] of this.handlers) next.handle(method, handler);
    this.current = next;
  }

  get timers(): TimerConfig {
    return this.current.timers;
  }

  handle(method: string, handler: MethodHandler): void {
    this.handlers.set(method.toUpperCase(), handler);
    this.current.handle(method, handler);
  }

  allowedMethods(): string[] {
    return this.current.allowedMethods();
  }

  request(req: SipRequest, dest: Endpoint, handlers: ClientTransactionHandlers, opts?: { connectionId?: string | null }): ClientTransaction {
    return this.current.request(req, dest, handlers, opts);
  }

  sendStateless(msg: SipRequest | SipResponse, dest: Endpoint, opts?: { connectionId?: string | null }): void {
    this.current.sendStateless(msg, dest, opts);
  }

  stats(): { serverTransactions: number; clientTransactions: number } {
    return this.current.stats();
  }

  /** Closes the stack running now (the module does this on stop). */
  close(): Promise<void> {
    return this.current.close();
  }
}
