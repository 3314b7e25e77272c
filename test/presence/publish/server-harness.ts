/**
 * An in-process herald with the state, sip and presence-publish modules (src/modules.ts does
 * not list the latter two yet), its CLI reachable through execute(). Optional extra modules
 * (the dialplan, the SUBSCRIBE server) go where the start order needs them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startServer, type RunningServer } from '../../../src/server.js';
import type { HeraldModule } from '../../../src/core/module.js';
import type { ModuleEntry } from '../../../src/modules.js';
import { createSipModule, type SipModule } from '../../../src/registrar/module.js';
import { createStateModule } from '../../../src/state/module.js';
import { createPublishModule } from '../../../src/presence/publish/module.js';

export interface PublishServer {
  server: RunningServer;
  sip: SipModule;
  /** UDP port the SIP module bound. */
  port: number;
  dir: string;
  rx(cmd: string): Promise<string>;
  stop(): Promise<void>;
}

function entry(load: () => HeraldModule): ModuleEntry {
  let mod: HeraldModule | undefined;
  return {
    name: '',
    configured: () => true,
    load: async () => (mod ??= load()),
  };
}

export interface ExtraModules {
  /** [name, factory] started after 'state', before 'sip' (the dialplan: hints reach the state module). */
  beforeSip?: Array<[string, () => HeraldModule]>;
  /** [name, factory] started after 'sip', before 'presence-publish' (the SUBSCRIBE server). */
  afterSip?: Array<[string, () => HeraldModule]>;
}

export function moduleEntries(extra: ExtraModules = {}): ModuleEntry[] {
  // The server finds modules by the entry's name, so it must be the module's own name.
  const named = ([name, load]: [string, () => HeraldModule]): ModuleEntry => ({ ...entry(load), name });
  return [
    { ...entry(createStateModule), name: 'state' },
    ...(extra.beforeSip ?? []).map(named),
    { ...entry(createSipModule), name: 'sip' },
    ...(extra.afterSip ?? []).map(named),
    { ...entry(createPublishModule), name: 'presence-publish' },
  ];
}

/** Start with this sip.conf (and optional extra files); the root dir is removed on stop. */
export async function startPublishServer(
  sipConf: string,
  extra: Record<string, string> = {},
  dir?: string,
  modules: ExtraModules = {},
): Promise<PublishServer> {
  const root = dir ?? mkdtempSync(join(tmpdir(), 'herald-pub-'));
  const etc = join(root, 'etc');
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, 'sip.conf'), sipConf);
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(etc, name), text);
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const server = await startServer({
    configDir: etc,
    verbosity: 0,
    foreground: false,
    processHooks: false,
    logDestination: quiet,
    modules: moduleEntries(modules),
  });
  const sip = server.context.getModule<SipModule>('sip');
  if (!sip) throw new Error('sip module missing');
  let stopped = false;
  return {
    server,
    sip,
    port: sip.boundEndpoints()[0].port,
    dir: root,
    rx: async (cmd) => (await server.execute(cmd)).output,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      if (dir === undefined) rmSync(root, { recursive: true, force: true });
    },
  };
}
