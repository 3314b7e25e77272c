/**
 * The SIP module ("sip"): reads sip.conf, binds the transports, runs the stack with the registrar,
 * OPTIONS answering and qualify, restores registrations from the store and registers the CLI.
 * Other modules find it with ctx.getModule<SipModule>('sip') and use its getters.
 */
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import type { HeraldModule, ReloadResult, ServerContext } from '../core/module.js';
import { ConfError } from '../config/types.js';
import { loadConfFile } from '../config/lexer.js';
import { loadSipConf, type SipConf, type SipGeneral, type SipPeerConfig } from '../sip/config/sip-conf.js';
import { DigestAuthenticator } from '../sip/auth/digest.js';
import { TransportLayer } from '../sip/transport/layer.js';
import type { Endpoint, TransportProto } from '../sip/transport/types.js';
import { createSipStack } from '../sip/stack.js';
import type { SipStack } from '../sip/transaction/types.js';
import type { SipRequest } from '../sip/message/index.js';
import type { RequestContext } from '../sip/transaction/types.js';
import type { CliCommand } from '../cli/types.js';
import type { ContactBinding } from './binding.js';
import { LocationService } from './location.js';
import { PeerRegistry } from './peers.js';
import { Qualifier, type PeerReachability } from './qualify.js';
import { Registrar } from './register.js';
import { sipCommands } from './cli.js';
import { StackHandle } from './stack-handle.js';
import { formatHostPort } from '../sip/transport/endpoint.js';

/** Content types herald can take in SIP bodies (OPTIONS Accept). */
const ACCEPT = 'application/sdp, application/pidf+xml, application/xpidf+xml, application/dialog-info+xml, application/simple-message-summary';
/** Option tags herald supports (also accepted in Require). */
const SUPPORTED = ['path'];

function formatTrace(dir: 'in' | 'out', raw: Buffer, peer: Endpoint): string {
  const host = formatHostPort(peer.address, peer.port);
  const text = raw.toString('utf8');
  // chan_sip's debug framing for received and transmitted messages.
  return dir === 'in'
    ? `\n<--- SIP read from ${peer.proto}:${host} --->\n${text}\n<------------->`
    : `\n<--- Transmitting (no NAT) to ${host} --->\n${text}\n<------------>`;
}

interface Running {
  transport: TransportLayer;
  /** The stack on this transport (closed on rebind/stop). */
  stack: SipStack;
  qualifier: Qualifier;
}

export class SipModule implements HeraldModule {
  readonly name = 'sip';
  private ctx: ServerContext | null = null;
  private conf: SipConf | null = null;
  private peers: PeerRegistry | null = null;
  private location: LocationService | null = null;
  private auth: DigestAuthenticator | null = null;
  private running: Running | null = null;
  /** What getStack() hands out: survives a rebind, keeps every module's handlers. */
  private stackHandle: StackHandle | null = null;
  private registrar: Registrar | null = null;
  private debug = false;
  private readonly nonceKey = randomBytes(32);
  private cliCommands: CliCommand[] = [];

  /** sip.conf path in the config directory. */
  private confPath(ctx: ServerContext): string {
    return join(ctx.dirs.config, 'sip.conf');
  }

  async start(ctx: ServerContext): Promise<void> {
    this.ctx = ctx;
    const path = this.confPath(ctx);
    if (!existsSync(path)) {
      ctx.log.info({ path }, 'no sip.conf: SIP is not started');
      ctx.bus.emit('Verbose', { level: 1, text: `No ${path}: SIP disabled` });
      return;
    }
    const conf = loadSipConf(loadConfFile(path));
    this.logWarnings(ctx, conf);
    this.conf = conf;
    this.stackHandle = null;
    this.peers = new PeerRegistry(conf);
    this.auth = this.makeAuth(conf.general, ctx);
    const location = new LocationService({ store: ctx.store, clock: ctx.clock, bus: ctx.bus, log: ctx.log, writeDelayMs: conf.general.registryWriteDelayMs });
    this.location = location;
    const peers = this.peers;
    // Registrations from the store first, so REGISTERs arriving after bind see them.
    const restored = await location.restore((stored) => {
      const p = peers.get(stored);
      return p && p.type !== 'user' && p.dynamic ? [p.name.toLowerCase(), p.name] : null;
    });
    this.registrar = new Registrar({
      peers,
      location,
      bus: ctx.bus,
      log: ctx.log,
      clock: ctx.clock,
      general: () => this.general(),
      auth: () => this.authenticator(),
    });
    try {
      this.running = await this.bind(conf.general, ctx);
    } catch (err) {
      await location.close();
      this.location = null;
      throw err;
    }
    location.onChange = (key) => this.running?.qualifier.refresh(key);
    for (const key of location.registeredPeers()) this.running.qualifier.refresh(key, { spread: true });
    this.cliCommands = sipCommands(this.cliSource());
    for (const c of this.cliCommands) ctx.cli.register(c);
    const where = this.running.transport.boundEndpoints().map((e) => `${e.proto}:${e.address}:${e.port}`).join(', ');
    ctx.log.info({ peers: peers.size(), restored, bound: where }, 'SIP started');
    ctx.bus.emit('Verbose', { level: 2, text: `SIP listening on ${where}; ${peers.listPeers().length} peers, ${restored} registrations restored` });
  }

  private makeAuth(g: SipGeneral, ctx: ServerContext): DigestAuthenticator {
    return new DigestAuthenticator({
      realm: g.realm,
      algorithms: g.authAlgorithms,
      nonceLifetimeMs: g.nonceLifetimeSec * 1000,
      now: () => ctx.clock.wallNow(),
      secret: this.nonceKey,
    });
  }

  private logWarnings(ctx: ServerContext, conf: SipConf): void {
    for (const w of conf.warnings) {
      ctx.log.warn({ file: w.file, line: w.line }, w.message);
      ctx.bus.emit('Verbose', { level: 1, text: `WARNING: ${basename(w.file)}:${w.line}: ${w.message}` });
    }
  }

  /** Bind transports per [general] and build the stack on them. */
  private async bind(g: SipGeneral, ctx: ServerContext): Promise<Running> {
    const transport = await TransportLayer.create({
      udp: [g.udpBind],
      tcp: g.tcpEnable ? [g.tcpBind] : [],
      limits: { maxMessageBytes: g.maxMessageBytes, maxConnections: g.tcpMaxConnections, tcpIdleTimeoutMs: g.tcpIdleTimeoutMs },
      log: ctx.log,
      clock: ctx.clock,
    });
    transport.onTrace((dir, raw, peer) => {
      if (this.debug) ctx.bus.emit('SipTrace', { text: formatTrace(dir, raw, peer) });
    });
    const stack = createSipStack({
      transport,
      clock: ctx.clock,
      log: ctx.log,
      userAgent: g.userAgent,
      timers: { T1: g.timerT1 },
      supportedExtensions: SUPPORTED,
    });
    let handle = this.stackHandle;
    if (handle) {
      handle.attach(stack);
    } else {
      handle = new StackHandle(stack);
      this.stackHandle = handle;
      const registrar = this.registrar;
      if (registrar) handle.handle('REGISTER', registrar.handle);
      const h = handle;
      handle.handle('OPTIONS', (req, rctx) => this.answerOptions(req, rctx, h));
    }
    const location = this.location;
    const peers = this.peers;
    if (!location || !peers) throw new Error('SIP module bound before its state exists');
    const qualifier = new Qualifier({
      stack: handle,
      transport,
      clock: ctx.clock,
      bus: ctx.bus,
      log: ctx.log,
      peers,
      location,
      userAgent: () => this.general().userAgent,
    });
    return { transport, stack, qualifier };
  }

  /**
   * OPTIONS to herald itself: 200 with what we can do. chan_sip answers OPTIONS itself too; it
   * looks the Request-URI user up in the dialplan (404 when absent) — herald's registrar has no
   * dialplan view, so every OPTIONS gets 200 (a keep-alive/ping answer).
   */
  private answerOptions(_req: SipRequest, ctx: RequestContext, stack: SipStack): void {
    ctx.tx?.reply(200, 'OK', [
      ['Allow', stack.allowedMethods().join(', ')],
      ['Accept', ACCEPT],
      ['Accept-Language', 'en'],
      ['Supported', SUPPORTED.join(', ')],
      ['Content-Length', '0'],
    ]);
  }

  async reload(ctx: ServerContext): Promise<ReloadResult> {
    this.ctx = ctx;
    const path = this.confPath(ctx);
    if (!this.running || !this.peers || !this.location || !this.conf) {
      if (!existsSync(path)) return { ok: true, message: 'No sip.conf: SIP stays disabled' };
      try {
        await this.start(ctx);
        return { ok: true, message: `sip.conf loaded (${this.peers?.listPeers().length ?? 0} peers)` };
      } catch (err) {
        return { ok: false, message: this.describe(err) };
      }
    }
    let conf: SipConf;
    try {
      conf = loadSipConf(loadConfFile(path));
    } catch (err) {
      return { ok: false, message: `${this.describe(err)} — keeping the running configuration` };
    }
    const old = this.conf.general;
    const g = conf.general;
    const rebind =
      old.udpBind.address !== g.udpBind.address || old.udpBind.port !== g.udpBind.port || old.tcpEnable !== g.tcpEnable ||
      (g.tcpEnable && (old.tcpBind.address !== g.tcpBind.address || old.tcpBind.port !== g.tcpBind.port)) ||
      old.userAgent !== g.userAgent || old.timerT1 !== g.timerT1 || old.maxMessageBytes !== g.maxMessageBytes;
    if (rebind) {
      // Bind the new sockets before letting the old ones go; if binding fails, nothing changes.
      const prev = this.running;
      const prevConf = this.conf;
      this.conf = conf;
      try {
        this.running = await this.bind(g, ctx);
      } catch (err) {
        this.conf = prevConf;
        this.stackHandle?.attach(prev.stack);
        return { ok: false, message: `sip.conf: cannot bind ${g.udpBind.address}:${g.udpBind.port}: ${this.describe(err)} — keeping the running configuration` };
      }
      prev.qualifier.close();
      await prev.stack.close();
    }
    this.logWarnings(ctx, conf);
    this.conf = conf;
    if (old.realm !== g.realm || old.nonceLifetimeSec !== g.nonceLifetimeSec || old.authAlgorithms.join() !== g.authAlgorithms.join()) {
      this.auth = this.makeAuth(g, ctx);
    }
    this.location.setWriteDelay(g.registryWriteDelayMs);
    const removed = this.peers.replace(conf);
    const drops: Array<Promise<void>> = removed.map((key) => this.location?.drop(key) ?? Promise.resolve());
    for (const key of this.location.registeredPeers()) {
      const p = this.peers.getByKey(key);
      if (!p || p.type === 'user' || !p.dynamic) drops.push(this.location.drop(key));
    }
    await Promise.all(drops);
    for (const key of this.location.registeredPeers()) this.running.qualifier.refresh(key, { spread: rebind });
    const n = this.peers.listPeers().length;
    ctx.log.info({ peers: n, removed: removed.length, rebound: rebind }, 'sip.conf reloaded');
    return { ok: true, message: `sip.conf reloaded (${n} peers${removed.length ? `, ${removed.length} removed` : ''})` };
  }

  private describe(err: unknown): string {
    if (err instanceof ConfError) {
      const prefix = `${err.file}:${err.line}: `;
      const msg = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
      return `${basename(err.file)}:${err.line}: ${msg}`;
    }
    return err instanceof Error ? err.message : String(err);
  }

  async stop(): Promise<void> {
    const ctx = this.ctx;
    if (ctx) for (const c of this.cliCommands) ctx.cli.unregister(c.words);
    this.cliCommands = [];
    const running = this.running;
    this.running = null;
    if (running) {
      running.qualifier.close();
      await running.stack.close();
    }
    await this.location?.close();
  }

  // ---- getters for other subsystems ------------------------------------------------------------

  /** The running [general] settings; throws when SIP is not configured (check isRunning()). */
  general(): SipGeneral {
    if (!this.conf) throw new Error('SIP is not configured');
    return this.conf.general;
  }

  private authenticator(): DigestAuthenticator {
    if (!this.auth) throw new Error('SIP is not configured');
    return this.auth;
  }

  /** True once sip.conf was loaded and the transports are bound. */
  isRunning(): boolean {
    return this.running !== null;
  }

  /** A configured peer/friend/user by name (case-insensitive, as chan_sip). */
  getPeer(name: string): SipPeerConfig | undefined {
    return this.peers?.get(name);
  }

  /** Peers and friends, sorted by name. */
  listPeers(): SipPeerConfig[] {
    return this.peers?.listPeers() ?? [];
  }

  /** Current contacts of a peer (most recently updated last); [] when not registered. */
  contactsOf(name: string): readonly ContactBinding[] {
    return this.location?.contacts(name.toLowerCase()) ?? [];
  }

  /** qualify state of a peer; undefined when it is not monitored or has no contact. */
  reachabilityOf(name: string): PeerReachability | undefined {
    return this.running?.qualifier.status(name.toLowerCase());
  }

  /** The SIP stack (null before start / without sip.conf), for channels and presence. */
  getStack(): SipStack | null {
    return this.running ? this.stackHandle : null;
  }

  /** Addresses actually bound (real ports when sip.conf asked for port 0). */
  boundEndpoints(): Endpoint[] {
    return this.running?.transport.boundEndpoints() ?? [];
  }

  /** Our address toward dest for Via/Contact/From (the bound one, or the concrete one when bound to 0.0.0.0). */
  localEndpoint(proto: TransportProto, dest?: Endpoint): Endpoint {
    if (!this.running) throw new Error('SIP is not running');
    return this.running.transport.localEndpoint(proto, dest);
  }

  /** Drop every contact of a peer (CLI `sip unregister`); resolves false when it had none. */
  async unregister(name: string): Promise<boolean> {
    const key = name.toLowerCase();
    const location = this.location;
    if (!location || location.contacts(key).length === 0) return false;
    const peerName = this.peers?.getByKey(key)?.name ?? name;
    await location.drop(key);
    this.ctx?.bus.emit('PeerRegistration', { peer: peerName, contacts: 0, reason: 'unregister' });
    return true;
  }

  /** `sip set debug on|off`. */
  setDebug(on: boolean): void {
    this.debug = on;
  }

  private cliSource(): Parameters<typeof sipCommands>[0] {
    return {
      general: () => this.general(),
      listPeers: () => this.listPeers(),
      peer: (name) => this.getPeer(name),
      contacts: (name) => this.contactsOf(name),
      reachability: (name) => this.reachabilityOf(name),
      wallNow: () => this.ctx?.clock.wallNow() ?? Date.now(),
      setDebug: (on) => this.setDebug(on),
      unregister: (name) => this.unregister(name),
      reload: async () => {
        if (!this.ctx) return { ok: false, message: 'SIP is not started' };
        return this.reload(this.ctx);
      },
    };
  }
}

/** The SIP module for the server's module list. */
export function createSipModule(): SipModule {
  return new SipModule();
}
