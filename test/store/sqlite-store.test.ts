import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { HeraldError } from '../../src/core/errors.js';
import type { KvStore } from '../../src/store/types.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'herald-store-'));
}

function rawRow(path: string, key: string): string | undefined {
  const db = new Database(path, { readonly: true });
  try {
    const row = db.prepare<[string], { value: string }>('SELECT value FROM astdb WHERE key = ?').get(key);
    return row?.value;
  } finally {
    db.close();
  }
}

async function semantics(store: KvStore): Promise<void> {
  await store.put('SIP/Registry', '6002', '127.0.0.1:5093:3600:6002:sip:6002@127.0.0.1:5093');
  await store.put('SIP', 'top', 'x');
  await store.put('SIPX', 'other', 'y');
  await store.put('CustomPresence', '6002', 'UNAVAILABLE');
  assert.equal(store.get('SIP/Registry', '6002'), '127.0.0.1:5093:3600:6002:sip:6002@127.0.0.1:5093');
  assert.equal(store.get('SIP', 'Registry/6002'), '127.0.0.1:5093:3600:6002:sip:6002@127.0.0.1:5093', 'same full key');
  assert.equal(store.get('SIP', 'missing'), undefined);
  assert.equal(store.get('sip', 'top'), undefined, 'keys are case-sensitive');

  // Prefix on a path boundary: SIP lists /SIP/... but not /SIPX/...
  assert.deepEqual(store.entries('SIP').map((e) => e.key), ['/SIP/Registry/6002', '/SIP/top']);
  assert.deepEqual(store.entries('SIP/Registry').map((e) => e.key), ['/SIP/Registry/6002']);
  assert.deepEqual(store.entries('/SIP/Registry').map((e) => e.key), ['/SIP/Registry/6002']);
  assert.deepEqual(store.entries('SIPX').map((e) => e.key), ['/SIPX/other']);
  assert.deepEqual(store.entries('SI'), []);
  assert.deepEqual(store.entries().map((e) => e.key), ['/CustomPresence/6002', '/SIP/Registry/6002', '/SIP/top', '/SIPX/other']);

  await store.put('SIP', 'top', 'replaced');
  assert.equal(store.get('SIP', 'top'), 'replaced');

  assert.equal(await store.del('SIP', 'top'), true);
  assert.equal(await store.del('SIP', 'top'), false);
  assert.equal(store.get('SIP', 'top'), undefined);

  await store.put('SIP/Registry', '6003', 'z');
  await store.put('SIP/RegistryX', '1', 'keep');
  assert.equal(await store.deltree('SIP', 'Registry'), 2);
  assert.deepEqual(store.entries('SIP').map((e) => e.key), ['/SIP/RegistryX/1']);
  assert.equal(await store.deltree('SIP'), 1);
  assert.equal(await store.deltree('SIP'), 0);
  assert.deepEqual(store.entries().map((e) => e.key), ['/CustomPresence/6002', '/SIPX/other']);
}

test('MemoryStore: put/get/del/deltree/entries semantics', async () => {
  const store = new MemoryStore();
  await semantics(store);
  await store.close();
  await assert.rejects(store.put('a', 'b', 'c'), HeraldError);
});

test('SqliteStore: put/get/del/deltree/entries semantics, and the same on disk after reopen', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'astdb.sqlite3');
    const store = SqliteStore.open(path);
    await semantics(store);
    await store.close();
    const again = SqliteStore.open(path);
    assert.deepEqual(again.entries(), [
      { key: '/CustomPresence/6002', value: 'UNAVAILABLE' },
      { key: '/SIPX/other', value: 'y' },
    ]);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SqliteStore: a write is acknowledged only once committed (a second connection sees it)', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'astdb.sqlite3');
    const store = SqliteStore.open(path);
    const p = store.put('CustomPresence', '6002', 'AWAY');
    assert.equal(store.get('CustomPresence', '6002'), 'AWAY', 'the read cache updates at once');
    assert.equal(rawRow(path, '/CustomPresence/6002'), undefined, 'not yet committed in this turn');
    await p;
    assert.equal(rawRow(path, '/CustomPresence/6002'), 'AWAY');
    const d = store.del('CustomPresence', '6002');
    assert.equal(store.get('CustomPresence', '6002'), undefined);
    assert.equal(await d, true);
    assert.equal(rawRow(path, '/CustomPresence/6002'), undefined);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SqliteStore: writes issued in one turn are committed together in one transaction', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'astdb.sqlite3');
    const store = SqliteStore.open(path);
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < 5000; i++) writes.push(store.put('Bulk', String(i).padStart(5, '0'), `v${i}`));
    assert.equal(store.pendingWrites, 5000, 'all queued, none flushed yet');
    let settled = 0;
    for (const w of writes) void w.then(() => settled++);
    await writes[0];
    // Once the first is acknowledged the whole batch is committed.
    await Promise.resolve();
    assert.equal(store.pendingWrites, 0);
    await Promise.all(writes);
    assert.equal(settled, 5000);
    assert.equal(rawRow(path, '/Bulk/04999'), 'v4999');
    const db = new Database(path, { readonly: true });
    const { n } = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM astdb').get()!;
    db.close();
    assert.equal(n, 5000);
    assert.equal(store.entries('Bulk').length, 5000);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SqliteStore: close() flushes queued writes; writes after close are refused', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'nested', 'dirs', 'astdb.sqlite3');
    const store = SqliteStore.open(path);
    assert.ok(existsSync(path), 'parent directories are created');
    const w = store.put('A', 'b', 'c');
    await store.close();
    await w;
    assert.equal(rawRow(path, '/A/b'), 'c');
    await assert.rejects(store.put('A', 'b', 'd'), (err: unknown) => err instanceof HeraldError && err.code === 'STORE_CLOSED');
    const again = SqliteStore.open(path);
    assert.equal(again.get('A', 'b'), 'c');
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SqliteStore: a corrupt database file is a clear error naming the path', () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'astdb.sqlite3');
    writeFileSync(path, 'this is not an sqlite database at all, just some text '.repeat(200));
    assert.throws(() => SqliteStore.open(path), (err: unknown) => {
      assert.ok(err instanceof HeraldError);
      assert.equal(err.code, 'STORE_OPEN');
      assert.ok(err.message.includes(path), err.message);
      return true;
    });
    // A directory where the file should be.
    assert.throws(() => SqliteStore.open(dir), (err: unknown) => err instanceof HeraldError && err.message.includes(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SqliteStore: reads a table written by another astdb client (Asterisk layout)', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'astdb.sqlite3');
    const db = new Database(path);
    db.exec('CREATE TABLE astdb(key VARCHAR(256), value VARCHAR(256), PRIMARY KEY(key))');
    db.prepare('INSERT INTO astdb VALUES (?, ?)').run('/pbx/UUID', 'aced00ff-fa98-4220-b139-79aca73aa795');
    db.close();
    const store = SqliteStore.open(path);
    assert.equal(store.get('pbx', 'UUID'), 'aced00ff-fa98-4220-b139-79aca73aa795');
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SqliteStore: a failed commit rejects every write of the batch and the read cache is restored', async () => {
  const dir = tempDir();
  try {
    const path = join(dir, 'astdb.sqlite3');
    const store = SqliteStore.open(path, { busyTimeoutMs: 10 });
    await store.put('Keep', 'a', '1');
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE'); // hold the write lock
    try {
      const p1 = store.put('Lost', 'x', '1');
      const p2 = store.del('Keep', 'a');
      assert.equal(store.get('Lost', 'x'), '1');
      const failed = (err: unknown): boolean => err instanceof HeraldError && err.code === 'STORE_WRITE' && err.message.includes(path);
      await assert.rejects(p1, failed);
      await assert.rejects(p2, failed);
      assert.equal(store.get('Lost', 'x'), undefined);
      assert.equal(store.get('Keep', 'a'), '1');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await store.put('Later', 'y', '2');
    assert.equal(rawRow(path, '/Later/y'), '2');
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
