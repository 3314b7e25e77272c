import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/core/clock.js';
import type { PublishedPresence } from '../../../src/presence/publish/pidf-parse.js';
import { PublicationTable, type PublicationRecord } from '../../../src/presence/publish/publication-table.js';

const AWAY: PublishedPresence = { state: 'away', subtype: 'away', message: 'lunch' };
const DND: PublishedPresence = { state: 'dnd', subtype: 'busy', message: '' };

function setup(): {
  clock: FakeClock;
  table: PublicationTable;
  applied: Array<[string, PublishedPresence | null]>;
  saved: Map<string, PublicationRecord>;
} {
  const clock = new FakeClock();
  const applied: Array<[string, PublishedPresence | null]> = [];
  const saved = new Map<string, PublicationRecord>();
  let n = 0;
  const table = new PublicationTable({
    clock,
    sink: async (entity, p) => {
      applied.push([entity, p]);
    },
    persistence: {
      save: async (rec) => {
        saved.set(rec.etag, rec);
      },
      drop: async (etag) => {
        saved.delete(etag);
      },
    },
    newTag: () => `tag${++n}`,
  });
  return { clock, table, applied, saved };
}

const E = 'CustomPresence:alice';

test('initial publish applies the state and gives a tag and the expiry', async () => {
  const { table, applied, saved } = setup();
  const out = await table.publish(E, AWAY, 60);
  assert.deepEqual(out, { etag: 'tag1', expires: 60 });
  assert.deepEqual(applied, [[E, AWAY]]);
  assert.ok(saved.has('tag1'));
  assert.equal(table.size(), 1);
});

test('refresh: new tag, old tag dead, same state, expiry pushed back', async () => {
  const { clock, table, applied, saved } = setup();
  await table.publish(E, AWAY, 60);
  clock.advance(50_000);
  const r = await table.refresh('tag1', E, 60);
  assert.deepEqual(r, { etag: 'tag2', expires: 60 });
  assert.equal(await table.refresh('tag1', E, 60), undefined, 'the old tag is retired');
  assert.equal(applied.length, 1, 'a refresh does not re-apply');
  assert.deepEqual([...saved.keys()], ['tag2']);
  clock.advance(50_000); // 100 s after the start, 50 s after the refresh: still alive
  await Promise.resolve();
  assert.equal(table.size(), 1);
  clock.advance(10_001);
  await new Promise((r2) => setImmediate(r2));
  assert.equal(table.size(), 0);
  assert.deepEqual(applied.at(-1), [E, null]);
  assert.equal(saved.size, 0);
});

test('modify: new state, new tag', async () => {
  const { table, applied } = setup();
  await table.publish(E, AWAY, 60);
  const m = await table.modify('tag1', E, DND, 120);
  assert.deepEqual(m, { etag: 'tag2', expires: 120 });
  assert.deepEqual(applied, [[E, AWAY], [E, DND]]);
});

test('remove: the entity goes back to null; unknown tag is refused', async () => {
  const { table, applied } = setup();
  await table.publish(E, AWAY, 60);
  assert.equal(await table.remove('nope', E), false);
  assert.equal(await table.remove('tag1', E), true);
  assert.deepEqual(applied.at(-1), [E, null]);
  assert.equal(await table.remove('tag1', E), false);
});

test('a tag only works for its own entity', async () => {
  const { table } = setup();
  await table.publish(E, AWAY, 60);
  assert.equal(table.lookup('tag1', 'CustomPresence:bob'), undefined);
  assert.equal(await table.refresh('tag1', 'CustomPresence:bob', 60), undefined);
  assert.ok(table.lookup('tag1', E));
});

test('two publications of one entity: the newest decides, the other comes back when it goes', async () => {
  const { clock, table, applied } = setup();
  await table.publish(E, AWAY, 60); // tag1, expires at 60 s
  await table.publish(E, DND, 30); // tag2, expires at 30 s
  assert.deepEqual(applied.at(-1), [E, DND]);
  clock.advance(30_001);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(applied.at(-1), [E, AWAY]);
  clock.advance(30_000);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(applied.at(-1), [E, null]);
  assert.equal(table.size(), 0);
});

test('restore: live records re-armed, expired ones dropped and recomposed', async () => {
  const { clock, table, applied, saved } = setup();
  const now = clock.wallNow();
  const records: PublicationRecord[] = [
    { etag: 'old', entity: 'CustomPresence:bob', presence: AWAY, expiresAtWall: now - 1, seq: 1 },
    { etag: 'live', entity: E, presence: DND, expiresAtWall: now + 10_000, seq: 2 },
  ];
  saved.set('old', records[0]);
  const r = await table.restore(records);
  assert.deepEqual(r, { restored: 1, expired: 1 });
  assert.deepEqual(applied, [['CustomPresence:bob', null]]);
  assert.equal(saved.has('old'), false);
  assert.ok(table.lookup('live', E));
  clock.advance(10_001);
  await new Promise((res) => setImmediate(res));
  assert.deepEqual(applied.at(-1), [E, null]);
});

test('a failing sink on expiry is reported, not thrown', async () => {
  const clock = new FakeClock();
  const errors: string[] = [];
  const table = new PublicationTable({
    clock,
    sink: async (_e, p) => {
      if (p === null) throw new Error('disk full');
    },
    onError: (err, entity) => errors.push(`${entity}: ${(err as Error).message}`),
  });
  await table.publish(E, AWAY, 1);
  clock.advance(1001);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(errors, [`${E}: disk full`]);
});

test('close stops every timer', async () => {
  const { clock, table } = setup();
  await table.publish(E, AWAY, 60);
  await table.publish('CustomPresence:bob', AWAY, 60);
  assert.equal(clock.pending(), 2);
  table.close();
  assert.equal(clock.pending(), 0);
});
