/**
 * The SIP stack: RFC 3261 transactions over a SipTransport plus UAS request dispatch.
 *
 * Inbound requests: RFC 3581 rport/received are filled into the top Via on receipt (so the
 * transaction layer and the registrar see the real source), the request is validated (§8.2),
 * matched against server transactions (§17.2.3; retransmissions are absorbed), CANCEL is handled
 * here (§9.2), new requests get a server transaction and go to the handler registered for their
 * method. Inbound responses go to the client transaction they match (§17.1.3); strays are dropped.
 *
 * Max-Forwards: herald is a UAS / B2BUA and never proxies, so a request addressed to it with
 * Max-Forwards 0 is processed like any other (§8.2 has no Max-Forwards check for a UAS; the 483
 * rule of §16.3 applies to proxies). Whoever originates a new leg sets a fresh Max-Forwards.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import {
  createErrorResponse,
  createResponse,
  formatVia,
  newBranch,
  newTag,
  parseMessage,
  serializeMessage,
  SipParseError,
  validateRequest,
  validateResponseParties,
  validateResponseRouting,
  SipRequest,
  type SipMessage,
  type SipResponse,
} from './message/index.js';
import { CompletedServerRecord, ResponseSlabs, type CompletedServerTable } from './transaction/completed.js';
import { DeadlineQueue } from './transaction/deadline-queue.js';
import type { TransactionEnv } from './transaction/env.js';
import { ExpiryFifo } from './transaction/expiry-fifo.js';
import { InviteClientTransaction } from './transaction/ict.js';
import { InviteServerTransaction } from './transaction/ist.js';
import { clientKeyForRequest, clientKeyForResponse, mergeKey, serverKey, serverKeyFor } from './transaction/keys.js';
import { NonInviteClientTransaction } from './transaction/nict.js';
import { NonInviteServerTransaction } from './transaction/nist.js';
import { handlerImplements } from './transaction/option-tags.js';
import type { ServerTransactionBase, ServerTransactionInit } from './transaction/server-base.js';
import { DEFAULT_TIMERS, timerValues } from './transaction/timers.js';
import type {
  ClientTransaction,
  ClientTransactionHandlers,
  MethodHandler,
  SipStack,
  TimerConfig,
} from './transaction/types.js';
import { addressFamily } from './transport/sink.js';
import type { Endpoint, InboundMessage, SendOptions, SipTransport } from './transport/types.js';

export interface SipStackOptions {
  transport: SipTransport;
  clock: Clock;
  log: Logger;
  timers?: Partial<TimerConfig>;
  /** Sent as User-Agent in our requests and Server in our responses when set. */
  userAgent?: string;
  /** Max-Forwards put on requests we originate that carry none (default 70, §8.1.1.6). */
  maxForwardsLimit?: number;
  /** Option tags we accept in Require (§8.2.2.3); anything else gets 420 Bad Extension. */
  supportedExtensions?: string[];
}

type ClientTx = InviteClientTransaction | NonInviteClientTransaction;

/**
 * What the clients table holds for a non-INVITE client transaction in Completed: §17.1.2.2
 * "The client transaction MUST ... buffer any additional response retransmissions" until Timer K;
 * absorbing them takes nothing but the key.
 */
const ABSORBING = Symbol('completed non-INVITE client transaction');

/** Send options for a send without a preferred connection (UDP): one object for all of them. */
const NO_CONNECTION: SendOptions = Object.freeze({ connectionId: null });

function sendOptions(connectionId: string | null): SendOptions {
  return connectionId === null ? NO_CONNECTION : { connectionId };
}

/**
 * Requests whose responses' From, To and Contact no transaction user reads (presence's NOTIFY
 * outcome reads the status and Retry-After, qualify's OPTIONS and the channels' BYE nothing, the
 * channels' relay the status, reason and body): those headers are not parsed for them, so a
 * malformed one no longer drops such a response. Every other method's response is checked in full
 * before its transaction sees it (§8.1.3.3), since its users build dialogs from them (§12.1.2).
 */
const PARTIES_UNREAD: ReadonlySet<string> = new Set(['NOTIFY', 'OPTIONS', 'BYE']);

/** Methods in the order Allow lists them. */
const METHOD_ORDER = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE', 'PRACK'];

export function createSipStack(opts: SipStackOptions): SipStack {
  return new SipStackImpl(opts);
}

class SipStackImpl implements SipStack, CompletedServerTable {
  readonly timers: TimerConfig;
  private readonly transport: SipTransport;
  private readonly log: Logger;
  private readonly env: TransactionEnv;
  private readonly userAgent: string | undefined;
  private readonly maxForwards: number;
  private readonly supported: Set<string>;
  private readonly handlers = new Map<string, MethodHandler>();
  private readonly servers = new Map<string, ServerTransactionBase | CompletedServerRecord>();
  private readonly merged = new Map<string, ServerTransactionBase | CompletedServerRecord>();
  private readonly clients = new Map<string, ClientTx | typeof ABSORBING>();
  /** Keys of completed non-INVITE client transactions on UDP, until Timer K. */
  private readonly timerK: ExpiryFifo<string>;
  /** The bytes of the responses kept for Timer J. */
  private readonly kept = new ResponseSlabs();
  /** allowedMethods() until the next handle(): every INVITE and 200 of a call carries Allow. */
  private allowed: string[] | null = null;
  private closed = false;

  constructor(opts: SipStackOptions) {
    this.transport = opts.transport;
    this.log = opts.log;
    this.timers = { ...DEFAULT_TIMERS, ...opts.timers };
    this.userAgent = opts.userAgent;
    this.maxForwards = opts.maxForwardsLimit ?? 70;
    this.supported = new Set((opts.supportedExtensions ?? []).map((x) => x.toLowerCase()));
    const unreliable = timerValues(this.timers, false);
    this.timerK = new ExpiryFifo(opts.clock, unreliable.K, (key) => {
      if (this.clients.get(key) === ABSORBING) this.clients.delete(key);
    });
    this.env = {
      clock: opts.clock,
      log: opts.log,
      timers: this.timers,
      send: (msg, dest, connectionId, onError) => this.transmit(msg, dest, connectionId, onError),
      complete: (tx, res, onError) => this.completeServer(tx, res, onError),
      longWaits: new DeadlineQueue(opts.clock, 64 * this.timers.T1),
    };
    this.transport.onMessage((m) => this.onInbound(m));
    this.transport.onBadMessage((raw, source, _local, connectionId, err) => this.onBadMessage(raw, source, connectionId, err));
  }

  handle(method: string, handler: MethodHandler): void {
    this.handlers.set(method.toUpperCase(), handler);
    this.allowed = null;
  }

  allowedMethods(): string[] {
    this.allowed ??= this.sortedMethods();
    return this.allowed.slice();
  }

  private sortedMethods(): string[] {
    const set = new Set(this.handlers.keys());
    // ACK and CANCEL come with INVITE: the stack handles CANCEL itself, ACK belongs to the INVITE.
    if (set.has('INVITE')) {
      set.add('ACK');
      set.add('CANCEL');
    }
    const rank = (m: string): number => {
      const i = METHOD_ORDER.indexOf(m);
      return i < 0 ? METHOD_ORDER.length : i;
    };
    return [...set].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }

  /**
   * Sends a copy of req (the caller's object is left as it was, so it can be reused for an
   * authenticated retry); the copy, with our Via and Max-Forwards, is tx.request.
   */
  request(req: SipRequest, dest: Endpoint, handlers: ClientTransactionHandlers, opts?: { connectionId?: string | null }): ClientTransaction {
    if (req.method === 'ACK') throw new TypeError('ACK has no client transaction; use sendStateless');
    const out = new SipRequest(req.method, req.uri, req.headers.clone(), req.body);
    const local = this.transport.localEndpoint(dest.proto, dest);
    const branch = newBranch();
    // The User-Agent transmit() would append goes in now, so the Via prepend below leaves the
    // header arrays exact-size for as long as the transaction keeps the request (same wire order).
    if (this.userAgent && !out.headers.has('User-Agent')) out.headers.append('User-Agent', this.userAgent);
    // §8.1.1.7 top Via with a fresh branch; RFC 3581 §3: "rport" asks for the source port back.
    // Written directly (what formatVia makes of it), without a Via object and its params Map.
    const host = local.address.indexOf(':') >= 0 ? `[${local.address}]` : local.address;
    out.headers.prepend('Via', `SIP/2.0/${dest.proto} ${host}:${local.port};branch=${branch};rport`);
    if (!out.headers.has('Max-Forwards')) out.headers.set('Max-Forwards', String(this.maxForwards));
    return this.startClient(out, branch, dest, opts?.connectionId ?? null, handlers);
  }

  sendStateless(msg: SipRequest | SipResponse, dest: Endpoint, opts?: { connectionId?: string | null }): void {
    this.transmit(msg, dest, opts?.connectionId ?? null, (err) => this.log.debug({ err, dest }, 'stateless SIP send failed'));
  }

  stats(): { serverTransactions: number; clientTransactions: number } {
    return { serverTransactions: this.servers.size, clientTransactions: this.clients.size };
  }

  /** Ends every transaction (timers cleared, no TU callbacks) and closes the transport. */
  async close(): Promise<void> {
    this.closed = true;
    for (const tx of [...this.servers.values()]) if (!(tx instanceof CompletedServerRecord)) tx.terminate();
    for (const tx of [...this.clients.values()]) if (tx !== ABSORBING) tx.terminate();
    this.servers.clear();
    this.merged.clear();
    this.clients.clear();
    this.env.longWaits.clear();
    this.timerK.clear();
    await this.transport.close();
  }

  // ---- sending -------------------------------------------------------------------------------

  private transmit(msg: SipMessage, dest: Endpoint, connectionId: string | null, onError: (err: Error) => void): void {
    this.addUserAgent(msg);
    this.transport.send(msg, dest, sendOptions(connectionId), onError);
  }

  private addUserAgent(msg: SipMessage): void {
    if (this.userAgent) {
      const name = msg.kind === 'request' ? 'User-Agent' : 'Server';
      if (!msg.headers.has(name)) msg.headers.append(name, this.userAgent);
    }
  }

  /** Bytes already serialized; a transport without sendBytes (a test double) gets them parsed. */
  private sendBytes(bytes: Buffer, dest: Endpoint, connectionId: string | null, onError: (err: Error) => void): void {
    const transport = this.transport;
    if (transport.sendBytes !== undefined) {
      transport.sendBytes(bytes, dest, sendOptions(connectionId), onError);
      return;
    }
    let msg: SipMessage;
    try {
      msg = parseMessage(bytes);
    } catch (err) {
      onError(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    transport.send(msg, dest, sendOptions(connectionId), onError);
  }

  /** TransactionEnv.complete: send the final response and keep only its bytes until Timer J. */
  private completeServer(tx: ServerTransactionBase, res: SipResponse, onError: (err: Error) => void): void {
    this.addUserAgent(res);
    let serialized: Buffer;
    try {
      serialized = serializeMessage(res);
    } catch (err) {
      onError(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const dest = tx.responseDest;
    const filedForMerge = tx.mergeKey !== null && this.merged.get(tx.mergeKey) === tx;
    const rec = this.kept.record(this, tx.id, filedForMerge ? tx.mergeKey : null, serialized, dest.address, dest.port);
    // The kept copy is the one sent, so every retransmission is the very same bytes.
    this.sendBytes(rec.bytes, dest, tx.connectionId, onError);
    // A send error that ended the transaction (or the stack closing) leaves nothing to keep.
    if (this.servers.get(tx.id) !== tx) return;
    this.servers.set(tx.id, rec);
    if (filedForMerge) this.merged.set(tx.mergeKey as string, rec);
    // Timer J is 64*T1 on UDP: the record waits in the stack's queue of such waits.
    this.env.longWaits.addSeq(rec);
  }

  /** Timer J: the completed transaction leaves the tables. */
  completedEnded(rec: CompletedServerRecord): void {
    if (this.servers.get(rec.id) === rec) this.servers.delete(rec.id);
    if (rec.mergeKey !== null && this.merged.get(rec.mergeKey) === rec) this.merged.delete(rec.mergeKey);
  }

  private startClient(req: SipRequest, branch: string, dest: Endpoint, connectionId: string | null, handlers: ClientTransactionHandlers): ClientTx {
    const key = clientKeyForRequest(branch, req.method);
    const tx: ClientTx =
      req.method === 'INVITE'
        ? new InviteClientTransaction(key, req, dest, connectionId, handlers, this.env, (cancel, d, c) => this.sendCancel(cancel, branch, d, c), this.clientEnded)
        : new NonInviteClientTransaction(key, req, dest, connectionId, handlers, this.env, this.clientEnded);
    const previous = this.clients.get(key);
    if (previous !== undefined && previous !== ABSORBING) previous.terminate();
    this.clients.set(key, tx);
    tx.start();
    return tx;
  }

  /** One function for every client transaction (a closure each would live as long as it). */
  private readonly clientEnded = (tx: ClientTx, absorbing = false): void => {
    if (this.clients.get(tx.id) !== tx) return;
    if (absorbing && !this.closed) {
      this.clients.set(tx.id, ABSORBING);
      this.timerK.push(tx.id);
    } else {
      this.clients.delete(tx.id);
    }
  };

  private sendCancel(cancel: SipRequest, branch: string, dest: Endpoint, connectionId: string | null): void {
    this.startClient(cancel, branch, dest, connectionId, {
      onFinal: (res) => this.log.debug({ status: res.status }, 'CANCEL answered'),
    });
  }

  // ---- receiving -----------------------------------------------------------------------------

  private onInbound(m: InboundMessage): void {
    if (this.closed) return;
    try {
      if (m.msg.kind === 'response') this.onResponse(m.msg);
      else this.onRequest(m.msg, m);
    } catch (err) {
      this.log.warn({ err, source: m.source }, 'SIP message handling failed');
    }
  }

  private onResponse(res: SipResponse): void {
    // §8.1.3.3: malformed mandatory headers, or "more than one Via header field value" in a
    // response to a request we sent (we never proxy): discard. Via, CSeq and Call-ID first (the
    // response is matched by them); From, To and Contact below, only for methods whose users read them.
    const invalid = validateResponseRouting(res);
    if (invalid || res.vias.length !== 1) {
      this.log.debug({ status: res.status, reason: invalid?.reason }, 'invalid SIP response dropped');
      return;
    }
    let key: string | null;
    try {
      key = clientKeyForResponse(res);
    } catch (err) {
      this.log.debug({ err }, 'malformed SIP response dropped');
      return;
    }
    const tx = key ? this.clients.get(key) : undefined;
    // §18.1.2 / §17.1.3: a response matching no client transaction is discarded.
    if (tx === undefined) {
      this.log.debug({ status: res.status }, 'stray SIP response dropped');
      return;
    }
    if (tx === ABSORBING) return; // §17.1.2.2: a retransmitted final, absorbed in Completed
    if (!PARTIES_UNREAD.has(res.cseq.method)) {
      const malformed = validateResponseParties(res);
      if (malformed) {
        this.log.debug({ status: res.status, reason: malformed.reason }, 'invalid SIP response dropped');
        return;
      }
    }
    tx.receiveResponse(res);
  }

  private onRequest(req: SipRequest, inbound: InboundMessage): void {
    // §8.2: mandatory headers well-formed, supported URI scheme, CSeq method = request method.
    const problem = validateRequest(req);
    if (problem) {
      this.log.debug({ source: inbound.source, status: problem.status, reason: problem.reason }, 'invalid SIP request');
      if (req.method !== 'ACK') this.replyStateless(req, inbound, problem.status, problem.reason);
      return;
    }
    applyRport(req, inbound.source);
    const key = serverKeyFor(req);
    const existing = this.servers.get(key);
    if (req.method === 'ACK') {
      if (existing instanceof InviteServerTransaction && existing.receiveAck(req)) return;
      this.dispatchAck(req, inbound);
      return;
    }
    if (existing instanceof CompletedServerRecord) {
      // §17.2.2: in Completed the final response is passed to the transport again, as it went out.
      const dest: Endpoint = { proto: 'UDP', address: existing.address, port: existing.port };
      this.sendBytes(existing.bytes, dest, null, (err) => this.log.debug({ err, tx: existing.id }, 'SIP response retransmission failed'));
      return;
    }
    if (existing) {
      existing.receiveRequest(req);
      return;
    }
    if (req.method === 'CANCEL') {
      this.onCancel(req, inbound, key);
      return;
    }
    this.onNewRequest(req, inbound, key);
  }

  private onNewRequest(req: SipRequest, inbound: InboundMessage, key: string): void {
    // §8.2.2.2 checks requests without a To tag against the transactions of such requests (a
    // merged copy carries the same To as the original): only those are filed under a merge key.
    const mk = req.toTag === null ? mergeKey(req) : null;
    const tx = this.createServer(req, inbound, key, mk);
    try {
      this.dispatch(req, inbound, tx, mk);
    } finally {
      tx.dispatched();
    }
  }

  private dispatch(req: SipRequest, inbound: InboundMessage, tx: ServerTransactionBase, mk: string | null): void {
    const handler = this.handlers.get(req.method);
    // §8.2.1: "If a UAS does not recognize or does not implement the method ... 501".
    if (!handler) {
      tx.reply(501, 'Not Implemented', [['Allow', this.allowedMethods().join(', ')]]);
      return;
    }
    // §8.2.2.2 merged requests: same From tag, Call-ID and CSeq as a transaction in progress but
    // not matching it (another branch, e.g. a forked copy) → 482.
    if (mk !== null) {
      const other = this.merged.get(mk);
      if (other && other !== tx) {
        tx.reply(482, 'Loop Detected');
        return;
      }
      this.merged.set(mk, tx);
    }
    // §8.2.2.3: unsupported Require option tags → 420 listing them in Unsupported.
    if (req.headers.has('Require')) {
      const unsupported = req.headers
        .getAll('Require')
        .map((x) => x.trim())
        .filter((x) => x.length > 0 && !this.supported.has(x.toLowerCase()) && !handlerImplements(handler, x));
      if (unsupported.length > 0) {
        tx.reply(420, 'Bad Extension', [['Unsupported', unsupported.join(', ')]]);
        return;
      }
    }
    try {
      handler(req, { inbound, tx });
    } catch (err) {
      this.log.warn({ err, method: req.method }, 'SIP request handler threw');
      if (!tx.hasFinalResponse) tx.reply(500, 'Server Internal Error');
    }
  }

  /**
   * §9.2: the CANCEL is matched like a request of the INVITE's transaction; "If the UAS did not
   * find a matching transaction ... it SHOULD respond to the CANCEL with a 481"; otherwise the
   * CANCEL is answered 200 (with the INVITE response's To tag) and the INVITE transaction is told.
   */
  private onCancel(cancel: SipRequest, inbound: InboundMessage, key: string): void {
    const cancelTx = this.createServer(cancel, inbound, key, null);
    try {
      const invite = this.servers.get(serverKey(cancel, 'INVITE'));
      if (!(invite instanceof InviteServerTransaction)) {
        cancelTx.reply(481, 'Call/Transaction Does Not Exist');
        return;
      }
      cancelTx.respond(createResponse(cancel, 200, 'OK', { toTag: invite.toTag }));
      invite.cancelled(cancel);
    } finally {
      cancelTx.dispatched();
    }
  }

  private dispatchAck(ack: SipRequest, inbound: InboundMessage): void {
    const handler = this.handlers.get('ACK');
    if (!handler) {
      this.log.debug({ callId: ack.callId }, 'stray ACK dropped');
      return;
    }
    try {
      handler(ack, { inbound, tx: null });
    } catch (err) {
      this.log.warn({ err }, 'SIP ACK handler threw');
    }
  }

  /** One function for every server transaction (a closure each would live as long as it). */
  private readonly serverEnded = (tx: ServerTransactionBase): void => {
    if (this.servers.get(tx.id) === tx) this.servers.delete(tx.id);
    if (tx.mergeKey !== null && this.merged.get(tx.mergeKey) === tx) this.merged.delete(tx.mergeKey);
  };

  private createServer(req: SipRequest, inbound: InboundMessage, key: string, mk: string | null): ServerTransactionBase {
    const init: ServerTransactionInit = {
      id: key,
      mergeKey: mk,
      request: req,
      source: inbound.source,
      connectionId: inbound.connectionId,
      responseDest: responseDestination(req, inbound.source),
      env: this.env,
      onEnd: this.serverEnded,
    };
    const tx = req.method === 'INVITE' ? new InviteServerTransaction(init) : new NonInviteServerTransaction(init);
    this.servers.set(key, tx);
    if (tx instanceof InviteServerTransaction) tx.start();
    return tx;
  }

  // ---- malformed input -----------------------------------------------------------------------

  private replyStateless(req: SipRequest, inbound: InboundMessage, status: number, reason: string): void {
    let res: SipResponse;
    let dest: Endpoint;
    try {
      res = createResponse(req, status, reason, { toTag: req.toTag ?? newTag() });
      dest = responseDestinationSafe(req, inbound.source);
    } catch (err) {
      this.log.debug({ err }, 'no response possible for invalid request');
      return;
    }
    this.sendStateless(res, dest, { connectionId: inbound.connectionId });
  }

  /**
   * A framed message that did not parse: answer it with the parser's status when enough headers
   * (Via, From, To, Call-ID, CSeq) were read to form a response (§8.2.6); drop it otherwise.
   * Responses and ACKs are never answered.
   */
  private onBadMessage(raw: Buffer, source: Endpoint, connectionId: string | null, err: Error): void {
    if (this.closed || !(err instanceof SipParseError)) return;
    if (err.partial?.kind === 'response' || looksLikeResponse(raw)) return;
    const cseq = err.partial?.headers.find(([n]) => n.toLowerCase() === 'cseq')?.[1] ?? '';
    if (/\bACK\s*$/i.test(cseq)) return;
    try {
      const res = createErrorResponse(err, { toTag: newTag() });
      if (!res) return;
      this.sendStateless(res, responseDestinationSafe(res, source), { connectionId });
    } catch (e) {
      this.log.debug({ err: e }, 'no response possible for malformed request');
    }
  }
}

// ---- helpers --------------------------------------------------------------------------------

/** True when the bytes start (after CRLFs) with a Status-Line. */
function looksLikeResponse(raw: Buffer): boolean {
  let i = 0;
  while (i < raw.length && (raw[i] === 0x0d || raw[i] === 0x0a)) i++;
  return raw.toString('latin1', i, i + 4).toUpperCase() === 'SIP/';
}

/**
 * RFC 3261 §18.2.1: "the server transport MUST add a 'received' parameter" when the Via host
 * differs from the source address; RFC 3581 §4: with "rport" present the server "MUST set the
 * value of the parameter to the source port of the request" and add received even when equal.
 */
function applyRport(req: SipRequest, source: Endpoint): void {
  const top = req.vias[0];
  if (!top) return;
  const hasRport = top.params.has('rport');
  const fillRport = hasRport && top.params.get('rport') === null;
  const addReceived = (hasRport || top.host.toLowerCase() !== source.address.toLowerCase()) && top.params.get('received') !== source.address;
  // Nothing to fill in (a peer without rport at the address it names): no copy of the Via.
  if (!fillRport && !addReceived) return;
  const params = new Map(top.params);
  if (fillRport) params.set('rport', String(source.port));
  if (addReceived) params.set('received', source.address);
  const via = { ...top, params };
  const text = formatVia(via);
  // In place when the top Via has its own line (the usual case): the From, To, CSeq … parsed by
  // validateRequest stay cached instead of being parsed again by every later reader.
  if (req.replaceTopVia(text, via)) return;
  const all = req.headers.getAll('Via');
  all[0] = text;
  req.headers.set('Via', all);
  req.invalidate();
}

/**
 * §18.2.2 with RFC 3581 §4: with rport, responses go to the source address and port of the
 * request; otherwise to the received address (or the sent-by host) at the sent-by port (default
 * 5060). Reliable transports prefer the request's connection (the transport handles that).
 */
function responseDestination(req: SipMessage, source: Endpoint): Endpoint {
  const via = req.vias[0];
  if (!via) return source;
  const received = via.params.get('received') ?? null;
  let address: string;
  let port: number;
  if (via.params.has('rport')) {
    const rport = Number(via.params.get('rport') ?? source.port);
    address = received ?? source.address;
    port = Number.isInteger(rport) && rport > 0 ? rport : source.port;
  } else {
    address = received ?? (addressFamily(via.host) !== 0 ? via.host : source.address);
    port = via.port ?? 5060;
  }
  // The usual case, responses going back where the request came from: the source object itself
  // (a completed transaction keeps its destination for 32 s).
  return address === source.address && port === source.port ? source : { proto: source.proto, address, port };
}

function responseDestinationSafe(req: SipMessage, source: Endpoint): Endpoint {
  try {
    return responseDestination(req, source);
  } catch {
    return source;
  }
}
