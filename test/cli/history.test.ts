import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHistory, saveHistory } from '../../src/cli/history.js';

test('history file: oldest first on disk, newest first for readline, capped, mode 0600', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-hist-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, '.herald_history');
  assert.deepEqual(loadHistory(file), []);
  writeFileSync(file, 'one\ntwo\n\nthree\n');
  assert.deepEqual(loadHistory(file), ['three', 'two', 'one']);
  assert.deepEqual(loadHistory(file, 2), ['three', 'two']);
  saveHistory(file, ['newest', 'middle', 'oldest', 'dropped'], 3);
  assert.equal(readFileSync(file, 'utf8'), 'oldest\nmiddle\nnewest\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const many = Array.from({ length: 1500 }, (_, i) => `cmd ${1499 - i}`);
  saveHistory(file, many);
  const back = loadHistory(file);
  assert.equal(back.length, 1000);
  assert.equal(back[0], 'cmd 1499');
  assert.equal(back[999], 'cmd 500');
});
