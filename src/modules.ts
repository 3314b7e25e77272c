/**
 * The modules the server starts, in start order (stopped in reverse). Each entry says when it
 * is configured and how to load it; a module whose configuration file is absent is never
 * imported, so its dependencies cost nothing at start-up (e.g. no jabber.conf → no XMPP client).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Directories, HeraldModule } from './core/module.js';

export interface ModuleEntry {
  name: string;
  /** Whether this server should start the module (usually: its .conf file exists). */
  configured(dirs: Directories): boolean;
  load(): Promise<HeraldModule>;
}

/** `configured` for a module that runs when its .conf file is in the config directory. */
export function hasConf(file: string): (dirs: Directories) => boolean {
  return (dirs) => existsSync(join(dirs.config, file));
}

export const MODULES: ModuleEntry[] = [
  // Device state, presence state and hints: always on (Custom:/CustomPresence: need no config).
  {
    name: 'state',
    configured: () => true,
    load: async () => (await import('./state/module.js')).createStateModule(),
  },
  // The dialplan first: the SIP module looks it up (calls, SUBSCRIBE hints) once it runs.
  {
    name: 'pbx',
    configured: hasConf('extensions.conf'),
    load: async () => (await import('./pbx/module.js')).createDialplanModule(),
  },
  {
    name: 'sip',
    configured: hasConf('sip.conf'),
    load: async () => (await import('./registrar/module.js')).createSipModule(),
  },
  // Calls: the SIP channel driver (B2BUA), Dial, device state from calls, CDRs.
  {
    name: 'calls',
    configured: hasConf('sip.conf'),
    load: async () => (await import('./channels/sip/module.js')).createCallsModule(),
  },
  // SUBSCRIBE/NOTIFY for presence, dialog and message-summary, on the SIP stack; after the call
  // layer so its device-state provider (which knows about calls) wins over registration-only state.
  {
    name: 'presence',
    configured: hasConf('sip.conf'),
    load: async () => (await import('./presence/module.js')).createPresenceModule(),
  },
  // PUBLISH (RFC 3903): a phone's own presence becomes CustomPresence:<peer>.
  {
    name: 'presence-publish',
    configured: hasConf('sip.conf'),
    load: async () => (await import('./presence/publish/module.js')).createPublishModule(),
  },
  // XMPP accounts from xmpp.conf and/or jabber.conf; registers its applications into the dialplan.
  {
    name: 'xmpp',
    configured: (dirs) => hasConf('xmpp.conf')(dirs) || hasConf('jabber.conf')(dirs),
    load: async () => (await import('./xmpp/module.js')).createXmppModule(),
  },
];
