// The start every bench script shares: the repository root, `--name value` options, the compiled
// tree herald is loaded from, and a port that is free for both TCP and UDP on 127.0.0.1.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const root = new URL('../..', import.meta.url).pathname;
export const argv = process.argv.slice(2);

/**
 * A reader of `--name value` options: the value after the first --name, else the fallback. An
 * empty value counts as missing unless emptyCounts (the expression and dialplan benches take it).
 */
export function options(args = argv, { emptyCounts = false } = {}) {
  return (name, fallback) => {
    const i = args.indexOf(name);
    const value = i >= 0 ? args[i + 1] : undefined;
    return value !== undefined && (emptyCounts || value !== '') ? value : fallback;
  };
}

/** The options of this process. */
export const opt = options();

/** The compiled tree named by --build, relative to the repository root (default dist). */
export function buildDir(read = opt) {
  return resolve(root, read('--build', 'dist'));
}

/** import() of a module of the compiled tree `build` by its path inside it. */
export function loaderFor(build) {
  return (path) => import(pathToFileURL(join(build, path)).href);
}

/** A port free on 127.0.0.1 for TCP (asked of the kernel) and then for UDP; 50 tries at most. */
export async function freePort() {
  for (let i = 0; i < 50; i++) {
    const port = await new Promise((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(null));
      srv.listen(0, '127.0.0.1', () => {
        const p = srv.address().port;
        srv.close(() => resolve(p));
      });
    });
    if (port === null) continue;
    const free = await new Promise((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => { s.close(); resolve(false); });
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port');
}
