/**
 * Store write throughput with group commit. Writes are issued in batches (one batch per
 * event-loop turn, as a burst of REGISTERs would); every batch is awaited only as a whole,
 * so each turn's writes share one transaction and one fsync. For contrast it also measures
 * writes awaited one by one (one commit each).
 *
 *   node dist/bench/store-bench.js [--total 20000] [--batch 500] [--serial 300]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite-store.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
}

function nextTurn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

async function main(): Promise<void> {
  const total = arg('total', 20000);
  const batch = arg('batch', 500);
  const serial = arg('serial', 300);
  const dir = mkdtempSync(join(tmpdir(), 'herald-store-bench-'));
  try {
    const store = SqliteStore.open(join(dir, 'astdb.sqlite3'));

    const t0 = process.hrtime.bigint();
    const all: Array<Promise<void>> = [];
    for (let i = 0; i < total; i += batch) {
      for (let j = i; j < Math.min(total, i + batch); j++) {
        all.push(store.put('SIP/Registry', `peer${j}`, `127.0.0.1:5060:3600:peer${j}:sip:peer${j}@127.0.0.1:5060`));
      }
      await nextTurn();
    }
    await Promise.all(all);
    const grouped = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`group commit: ${total} puts in batches of ${batch}: ${grouped.toFixed(3)} s = ${Math.round(total / grouped)} puts/s (durable, synchronous=FULL)`);

    const t1 = process.hrtime.bigint();
    for (let i = 0; i < serial; i++) await store.put('Serial', `k${i}`, `v${i}`);
    const oneByOne = Number(process.hrtime.bigint() - t1) / 1e9;
    console.log(`one commit per put: ${serial} puts awaited one by one: ${oneByOne.toFixed(3)} s = ${Math.round(serial / oneByOne)} puts/s`);

    const t2 = process.hrtime.bigint();
    let reads = 0;
    for (let i = 0; i < total; i++) if (store.get('SIP/Registry', `peer${i}`) !== undefined) reads++;
    const readSec = Number(process.hrtime.bigint() - t2) / 1e9;
    console.log(`cached reads: ${reads} gets: ${Math.round(reads / readSec)} gets/s`);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
