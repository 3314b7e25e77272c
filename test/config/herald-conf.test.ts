import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDirectories, loadHeraldOptions } from '../../src/config/herald-conf.js';
import { ConfError } from '../../src/config/types.js';

function withConfigDir(fn: (root: string, conf: string) => void): void {
  const root = mkdtempSync(join(tmpdir(), 'herald-hconf-'));
  const conf = join(root, 'etc');
  mkdirSync(conf);
  try {
    fn(root, conf);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('without herald.conf everything goes to var/ beside the config directory', () => {
  withConfigDir((root, conf) => {
    assert.deepEqual(loadDirectories(conf), {
      config: conf,
      varlib: join(root, 'var', 'lib'),
      run: join(root, 'var', 'run'),
      log: join(root, 'var', 'log'),
      spool: join(root, 'var', 'spool'),
    });
    assert.deepEqual(loadHeraldOptions(conf), { warnings: [] });
  });
});

test('[directories] with => or =, absolute and relative (to the config directory) paths', () => {
  withConfigDir((root, conf) => {
    writeFileSync(join(conf, 'herald.conf'), '[directories]\nastvarlibdir => /srv/herald/lib\nastrundir = run\nastlogdir => ../logs ; comment\n');
    const dirs = loadDirectories(conf);
    assert.equal(dirs.varlib, '/srv/herald/lib');
    assert.equal(dirs.run, join(conf, 'run'));
    assert.equal(dirs.log, join(root, 'logs'));
    assert.equal(dirs.spool, join(root, 'var', 'spool'), 'missing keys keep the default');
  });
});

test('[options]: numbers read, bad or unknown values are warnings', () => {
  withConfigDir((_root, conf) => {
    writeFileSync(join(conf, 'herald.conf'), '[options]\nverbose = 3\ndebug=1\nmaxcalls = lots\ncolour = yes\n');
    const opts = loadHeraldOptions(conf);
    assert.equal(opts.verbose, 3);
    assert.equal(opts.debug, 1);
    assert.equal(opts.maxcalls, undefined);
    assert.deepEqual(opts.warnings.map((w) => w.line), [4, 5]);
  });
});

test('a malformed herald.conf is a ConfError', () => {
  withConfigDir((_root, conf) => {
    writeFileSync(join(conf, 'herald.conf'), 'astrundir = /x\n');
    assert.throws(() => loadDirectories(conf), ConfError);
  });
});
