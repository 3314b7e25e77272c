/**
 * In-process server stack for the XMPP tests (state + pbx + xmpp modules on one context, a temp
 * config directory) and a person on the other end: a second @xmpp/client that logs in to the
 * test Prosody, approves subscription requests, sets its presence and collects messages.
 */
import { client, xml, type Client } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { Socket } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandRegistry } from '../../src/cli/registry.js';
import { EventBus } from '../../src/core/bus.js';
import { RealClock } from '../../src/core/clock.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import type { HeraldModule, ServerContext } from '../../src/core/module.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { KvStore } from '../../src/store/types.js';
import { createStateModule, type StateModule } from '../../src/state/module.js';
import { createDialplanModule, type DialplanModule } from '../../src/pbx/module.js';
import { Channel, ChannelIds } from '../../src/channels/channel.js';
import { createXmppModule, type XmppModule } from '../../src/xmpp/module.js';
import { trustForSocket } from '../../src/xmpp/tls-trust.js';
import type { ProsodyServer } from '../helpers/prosody.js';

export { waitFor } from '../helpers/wait.js';

export interface Stack {
  dir: string;
  ctx: ServerContext;
  cli: CommandRegistry;
  bus: EventBus;
  store: KvStore;
  pbx: DialplanModule;
  xmpp: XmppModule;
  /** Log lines (warn and above) seen so far. */
  logs: string[];
  rx(cmd: string): Promise<string>;
  /** Run one channel from context/exten to the end; resolves the channel for its variables. */
  run(context: string, exten: string, callerNum?: string): Promise<Channel>;
  stop(): Promise<void>;
}

function capturingLogger(lines: string[]): Logger {
  const base = silentLogger();
  const capture = (level: string) => (...args: unknown[]) => {
    const msg = args.map((a) => (typeof a === 'string' ? a : '')).join(' ').trim();
    lines.push(`${level}: ${msg}`);
  };
  return new Proxy(base, {
    get(target, prop, recv) {
      if (prop === 'warn' || prop === 'error' || prop === 'info') return capture(String(prop));
      if (prop === 'child') return () => capturingLogger(lines);
      return Reflect.get(target, prop, recv) as unknown;
    },
  });
}

export async function startStack(files: Record<string, string>, opts: { store?: KvStore; dir?: string } = {}): Promise<Stack> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'herald-xmpp-'));
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const store = opts.store ?? new MemoryStore();
  const cli = new CommandRegistry();
  const bus = new EventBus();
  const logs: string[] = [];
  const modules = new Map<string, HeraldModule>();
  const ctx: ServerContext = {
    dirs: { config: dir, varlib: dir, run: dir, log: dir, spool: dir },
    store,
    bus,
    log: capturingLogger(logs),
    cli,
    clock: new RealClock(),
    getModule: <T extends HeraldModule>(name: string) => modules.get(name) as T | undefined,
  };
  const state: StateModule = createStateModule();
  const pbx = createDialplanModule();
  const xmpp = createXmppModule({ backoff: { firstMs: 150, maxMs: 1000 } });
  for (const m of [state, pbx, xmpp] as HeraldModule[]) {
    modules.set(m.name, m);
    await m.start(ctx);
  }
  const ids = new ChannelIds();
  let stopped = false;
  return {
    dir,
    ctx,
    cli,
    bus,
    store,
    pbx,
    xmpp,
    logs,
    rx: async (cmd) => (await cli.execute(cmd)).output,
    run: async (context, exten, callerNum = '2000') => {
      const chan = new Channel({
        name: ids.nextName('Test', exten),
        uniqueid: ids.nextUniqueId(Date.now() / 1000),
        context,
        exten,
        priority: 1,
        callerId: { num: callerNum },
      });
      await pbx.runChannel(chan);
      return chan;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const m of [xmpp, pbx, state] as HeraldModule[]) await m.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Person {
  client: Client;
  jid: string;
  /** Chat messages received (newest last). */
  messages: Element[];
  /** Presence stanzas received (newest last). */
  presences: Element[];
  /** Resolves with the first presence (already received or coming) that matches. */
  waitPresence(pred: (el: Element) => boolean, timeoutMs?: number): Promise<Element>;
  waitMessage(pred: (body: string, el: Element) => boolean, timeoutMs?: number): Promise<Element>;
  presence(opts: { show?: string; priority?: number; status?: string; unavailable?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/** Log a person in (trusting the test server's certificate), fetch the roster, send presence. */
export async function startPerson(
  p: ProsodyServer,
  user: string,
  password: string,
  opts: { resource?: string; show?: string; priority?: number } = {},
): Promise<Person> {
  const c = client({ service: p.service, domain: p.domain, username: user, password, resource: opts.resource ?? 'phone' });
  c.reconnect.stop();
  c.on('error', () => {});
  c.on('status', (s: string) => {
    const sock = (c as unknown as { socket: Socket | null }).socket;
    if (s === 'connect' && sock) trustForSocket(sock, p.certPem);
  });
  const messages: Element[] = [];
  const presences: Element[] = [];
  const waiters = new Set<() => void>();
  c.on('stanza', (el: Element) => {
    if (el.is('presence') && el.attrs.type === 'subscribe') {
      void c.send(xml('presence', { to: el.attrs.from, type: 'subscribed' })).catch(() => {});
    } else if (el.is('presence')) {
      presences.push(el);
      for (const w of [...waiters]) w();
    } else if (el.is('message') && el.getChildText('body') !== null) {
      messages.push(el);
      for (const w of [...waiters]) w();
    }
  });
  const iqCallee = c.iqCallee as unknown as { set(ns: string, name: string, h: () => boolean): void };
  iqCallee.set('jabber:iq:roster', 'query', () => true);
  await c.start();
  const iqCaller = c.iqCaller as unknown as { request(el: Element): Promise<Element> };
  await iqCaller.request(xml('iq', { type: 'get' }, xml('query', { xmlns: 'jabber:iq:roster' })));
  const presence = async (o: { show?: string; priority?: number; status?: string; unavailable?: boolean }): Promise<void> => {
    const children: Element[] = [];
    if (o.show) children.push(xml('show', {}, o.show));
    if (o.status) children.push(xml('status', {}, o.status));
    if (o.priority !== undefined) children.push(xml('priority', {}, String(o.priority)));
    await c.send(xml('presence', o.unavailable ? { type: 'unavailable' } : {}, ...children));
  };
  await presence({ ...(opts.show ? { show: opts.show } : {}), ...(opts.priority !== undefined ? { priority: opts.priority } : {}) });
  return {
    client: c,
    jid: `${user}@${p.domain}`,
    messages,
    presences,
    waitPresence: (pred, timeoutMs = 10000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = presences.find(pred);
          if (hit) {
            done();
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching presence within ${timeoutMs} ms; got: ${presences.map((x) => x.toString()).join('\n')}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    presence,
    waitMessage: (pred, timeoutMs = 10000) =>
      new Promise((resolve, reject) => {
        let seen = 0;
        const check = (): void => {
          for (; seen < messages.length; seen++) {
            const m = messages[seen]!;
            if (pred(m.getChildText('body') ?? '', m)) {
              done();
              resolve(m);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching message within ${timeoutMs} ms; got: ${messages.map((m) => m.getChildText('body')).join(' | ')}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    stop: async () => {
      try {
        await Promise.race([c.stop(), new Promise((r) => setTimeout(r, 2000).unref())]);
      } catch {
        // already gone
      }
    },
  };
}

/** A jabber.conf for one account on the test Prosody (seed 000's shape, herald's service=/cafile=). */
export function jabberConf(p: ProsodyServer, opts: { user: string; secret: string; buddies: string[]; cafile?: string | null; extra?: string[] }): string {
  return [
    '[general]',
    'debug=no',
    'autoprune=no',
    'autoregister=yes',
    '',
    '[asterisk]',
    'type=client',
    'serverhost=127.0.0.1',
    `username=${opts.user}@${p.domain}/pbx`,
    `secret=${opts.secret}`,
    `port=${p.port}`,
    'usetls=yes',
    'usesasl=yes',
    ...opts.buddies.map((b) => `buddy=${b}`),
    "statusmessage=Asterisk XMPP bot. Don't talk to me, your messages would be lost forever.",
    'timeout=100',
    ...(opts.cafile === null ? [] : [`cafile=${opts.cafile ?? p.certFile}`]),
    ...(opts.extra ?? []),
    '',
  ].join('\n');
}
