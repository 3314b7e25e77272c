#!/usr/bin/env node
// A minimal herald for the REGISTER bench: the SIP module alone, started on a ServerContext built
// here (SQLite store in the given directory, real clock, no console). Used by
// bench/sip-register.mjs when the full server (`bin/herald.js`) does not run SIP.
// Usage: node bench/sip-register-server.mjs <configDir> [--build dist] [--store sqlite|memory]
// Prints "READY <udp port>" once bound; stops on SIGTERM.
import { join, resolve } from 'node:path';
import { argv, buildDir, loaderFor, opt } from './lib/args.mjs';

const configDir = resolve(argv[0]);
const storeKind = opt('--store', 'sqlite');
const load = loaderFor(buildDir());

const { createSipModule } = await load('src/registrar/module.js');
const { EventBus } = await load('src/core/bus.js');
const { RealClock } = await load('src/core/clock.js');
const { createLogger } = await load('src/core/log.js');
const store = storeKind === 'memory'
  ? new (await load('src/store/memory-store.js')).MemoryStore()
  : (await load('src/store/sqlite-store.js')).SqliteStore.open(join(configDir, 'astdb.sqlite3'));

const commands = new Map();
const ctx = {
  dirs: { config: configDir, varlib: configDir, run: configDir, log: configDir, spool: configDir },
  store,
  bus: new EventBus(),
  log: createLogger({ level: 'warn' }),
  cli: { register: (c) => commands.set(c.words.join(' '), c), unregister: (w) => commands.delete(w.join(' ')) },
  clock: new RealClock(),
  getModule: () => undefined,
};
const mod = createSipModule();
await mod.start(ctx);
process.stdout.write(`READY ${mod.boundEndpoints()[0].port}\n`);
const stop = async () => {
  await mod.stop();
  await store.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
