/**
 * An in-process herald for presence tests: the state, pbx, sip and presence modules (in the
 * order src/modules.ts will need) plus a small module that hands the dialplan's hints to the
 * state module (DialplanReloaded), which no module emits yet. The CLI goes through execute(),
 * like `herald -rx`. restart() stops and starts again on the same directory (same store).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startServer, type RunningServer } from '../../src/server.js';
import type { HeraldModule, ServerContext } from '../../src/core/module.js';
import type { ModuleEntry } from '../../src/modules.js';
import { createDialplanModule, type DialplanModule } from '../../src/pbx/module.js';
import { createSipModule, type SipModule } from '../../src/registrar/module.js';
import { createStateModule } from '../../src/state/module.js';
import { createPresenceModule } from '../../src/presence/module.js';

function hintsToState(): HeraldModule {
  return {
    name: 'test-hints',
    async start(ctx: ServerContext): Promise<void> {
      const pbx = ctx.getModule<DialplanModule>('pbx');
      if (pbx) ctx.bus.emit('DialplanReloaded', { hints: pbx.dialplan().hints() });
    },
    async stop(): Promise<void> {},
  };
}

function entries(): ModuleEntry[] {
  const list: Array<[string, () => HeraldModule]> = [
    ['state', createStateModule],
    ['pbx', createDialplanModule],
    ['test-hints', hintsToState],
    ['sip', createSipModule],
    ['presence', createPresenceModule],
  ];
  return list.map(([name, make]) => ({ name, configured: () => true, load: async () => make() }));
}

export interface PresenceServer {
  port: number;
  rx(cmd: string): Promise<string>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPresenceServer(files: Record<string, string>): Promise<PresenceServer> {
  const root = mkdtempSync(join(tmpdir(), 'herald-presence-'));
  const etc = join(root, 'etc');
  mkdirSync(etc, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(etc, name), text);
  const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });
  const boot = (): Promise<RunningServer> =>
    startServer({ configDir: etc, verbosity: 0, foreground: false, processHooks: false, logDestination: quiet(), modules: entries() });
  let server: RunningServer | null = await boot();
  const portOf = (s: RunningServer): number => {
    const sip = s.context.getModule<SipModule>('sip');
    const ep = sip?.boundEndpoints().find((e) => e.proto === 'UDP');
    if (!ep) throw new Error('SIP did not bind UDP');
    return ep.port;
  };
  const h: PresenceServer = {
    port: portOf(server),
    rx: async (cmd) => {
      if (!server) throw new Error('server stopped');
      return (await server.execute(cmd)).output;
    },
    restart: async () => {
      if (server) await server.stop();
      server = await boot();
      if (portOf(server) !== h.port) throw new Error('restart bound another port');
    },
    stop: async () => {
      const s = server;
      server = null;
      if (s) await s.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return h;
}
