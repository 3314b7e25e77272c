/**
 * qualify=yes|MS: an OPTIONS to each contact of the peer every qualifyfreq. As chan_sip does:
 * any response means the peer is there; no answer within twice the qualify limit means
 * UNREACHABLE (and the next try comes after 10 s instead of qualifyfreq); a round trip above the
 * limit (qualify=yes → 2000 ms) is LAGGED. PeerReachability is published when the status changes.
 */
import type { EventBus } from '../core/bus.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { newCallId, newTag, SipHeaders, SipRequest } from '../sip/message/index.js';
import type { SipStack } from '../sip/transaction/types.js';
import type { SipTransport } from '../sip/transport/types.js';
import type { ContactBinding } from './binding.js';
import type { LocationService } from './location.js';
import type { PeerRegistry } from './peers.js';
import { formatHostPort } from '../sip/transport/endpoint.js';

export type ReachabilityStatus = 'Reachable' | 'Lagged' | 'Unreachable' | 'Unknown';

/** chan_sip retries an unreachable peer sooner than qualifyfreq (DEFAULT_FREQ_NOTOK). */
const RETRY_UNREACHABLE_MS = 10_000;

export interface PeerReachability {
  status: ReachabilityStatus;
  /** Last round trip, ms (null: no answer yet / unreachable). */
  rttMs: number | null;
}

interface PeerQualifyState extends PeerReachability {
  timer: TimerHandle | null;
  /** Increments per round so late answers of an old round are ignored. */
  round: number;
}

export interface QualifyDeps {
  stack: SipStack;
  transport: SipTransport;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  peers: PeerRegistry;
  location: LocationService;
  userAgent: () => string;
}

export class Qualifier {
  private readonly state = new Map<string, PeerQualifyState>();
  private closed = false;

  constructor(private readonly deps: QualifyDeps) {}

  /** Status for `sip show peers`; undefined when the peer is not monitored. */
  status(peerKey: string): PeerReachability | undefined {
    const s = this.state.get(peerKey);
    return s ? { status: s.status, rttMs: s.rttMs } : undefined;
  }

  /**
   * Call when a peer's contacts or config changed: start, keep or stop its qualify cycle. A new
   * registration is qualified at once (chan_sip does); `spread` (restart, reload) starts it at a
   * random point within qualifyfreq so thousands of restored peers are not all poked together.
   */
  refresh(peerKey: string, opts: { spread?: boolean } = {}): void {
    if (this.closed) return;
    const peer = this.deps.peers.getByKey(peerKey);
    const contacts = this.deps.location.contacts(peerKey);
    const s = this.state.get(peerKey);
    if (!peer || !peer.qualify.enabled || contacts.length === 0) {
      if (s) {
        this.deps.clock.clear(s.timer);
        this.state.delete(peerKey);
      }
      return;
    }
    if (!s) {
      const fresh: PeerQualifyState = { status: 'Unknown', rttMs: null, timer: null, round: 0 };
      this.state.set(peerKey, fresh);
      const delay = opts.spread ? Math.floor(Math.random() * peer.qualifyFreqMs) : 0;
      fresh.timer = this.deps.clock.setTimer(delay, () => this.poke(peerKey));
    }
  }

  private schedule(peerKey: string, s: PeerQualifyState, ms: number): void {
    this.deps.clock.clear(s.timer);
    s.timer = this.deps.clock.setTimer(ms, () => this.poke(peerKey));
  }

  /** Send one round of OPTIONS to every contact of the peer. */
  private poke(peerKey: string): void {
    const s = this.state.get(peerKey);
    const peer = this.deps.peers.getByKey(peerKey);
    const contacts = this.deps.location.contacts(peerKey);
    if (!s || !peer || this.closed) return;
    s.timer = null;
    if (contacts.length === 0) return;
    const round = ++s.round;
    const maxMs = peer.qualify.maxMs;
    let pending = contacts.length;
    let best: number | null = null;
    const finish = (): void => {
      if (s.round !== round || this.state.get(peerKey) !== s) return;
      s.round++; // later answers of this round are ignored
      this.deps.clock.clear(noAnswer);
      const status: ReachabilityStatus = best === null ? 'Unreachable' : best > maxMs ? 'Lagged' : 'Reachable';
      this.setStatus(peer.name, s, status, best);
      this.schedule(peerKey, s, status === 'Unreachable' ? Math.min(RETRY_UNREACHABLE_MS, peer.qualifyFreqMs) : peer.qualifyFreqMs);
    };
    const noAnswer = this.deps.clock.setTimer(maxMs * 2, finish);
    const sent = this.deps.clock.now();
    for (const b of contacts) {
      this.sendOptions(peer.name, b, {
        answered: () => {
          if (s.round !== round) return;
          const rtt = Math.round(this.deps.clock.now() - sent);
          if (best === null || rtt < best) best = rtt;
          if (--pending === 0) finish();
        },
        failed: () => {
          if (s.round !== round) return;
          if (--pending === 0) finish();
        },
      });
    }
  }

  private sendOptions(peerName: string, b: ContactBinding, cb: { answered: () => void; failed: () => void }): void {
    const dest = b.source;
    const local = this.deps.transport.localEndpoint(dest.proto, dest);
    const headers = new SipHeaders([
      ['From', `"herald" <sip:herald@${formatHostPort(local.address, local.port)}>;tag=${newTag()}`],
      ['To', `<${b.uri}>`],
      ['Call-ID', newCallId(local.address)],
      ['CSeq', '102 OPTIONS'],
      ['Contact', `<sip:herald@${formatHostPort(local.address, local.port)}>`],
      ['User-Agent', this.deps.userAgent()],
      ['Accept', 'application/sdp'],
      ['Content-Length', '0'],
    ]);
    for (const p of b.path) headers.append('Route', p);
    try {
      const req = new SipRequest('OPTIONS', b.uri, headers);
      this.deps.stack.request(
        req,
        dest,
        {
          onFinal: () => cb.answered(),
          onTimeout: () => cb.failed(),
          onTransportError: () => cb.failed(),
        },
        { connectionId: b.connectionId },
      );
    } catch (err) {
      this.deps.log.warn({ err, peer: peerName }, 'qualify OPTIONS could not be sent');
      cb.failed();
    }
  }

  private setStatus(name: string, s: PeerQualifyState, status: ReachabilityStatus, rttMs: number | null): void {
    const changed = s.status !== status;
    s.status = status;
    s.rttMs = rttMs;
    if (!changed || status === 'Unknown') return;
    this.deps.bus.emit('PeerReachability', { peer: name, status, rttMs });
    const text =
      status === 'Reachable' ? `Peer '${name}' is now Reachable. (${rttMs}ms / ${this.limitOf(name)}ms)`
        : status === 'Lagged' ? `Peer '${name}' is now Lagged. (${rttMs}ms / ${this.limitOf(name)}ms)`
          : `Peer '${name}' is now UNREACHABLE!  Last qualify: ${rttMs ?? 0}`;
    this.deps.bus.emit('Verbose', { level: 1, text });
  }

  private limitOf(name: string): number {
    return this.deps.peers.get(name)?.qualify.maxMs ?? 2000;
  }

  close(): void {
    this.closed = true;
    for (const s of this.state.values()) this.deps.clock.clear(s.timer);
    this.state.clear();
  }
}
