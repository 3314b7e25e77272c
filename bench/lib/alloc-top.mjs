#!/usr/bin/env node
// Where a sampling heap profile (.heapprofile, e.g. from HERALD_BENCH_ALLOC_PROFILE) says the bytes
// were allocated: self bytes per function and per source folder, largest first.
// Usage: node bench/lib/alloc-top.mjs FILE [topN]
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const top = Number(process.argv[3] ?? 40);
const byFunction = new Map();
const byArea = new Map();
let total = 0;
const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
const selfBytes = new Map();
for (const s of profile.samples ?? []) selfBytes.set(s.nodeId, (selfBytes.get(s.nodeId) ?? 0) + s.size);
(function walk(node) {
  const bytes = selfBytes.get(node.id) ?? 0;
  if (bytes > 0) {
    const cf = node.callFrame;
    const url = cf.url.replace(/^file:\/\/.*?\/(src|bench|node_modules)\//, '$1/');
    add(byFunction, `${cf.functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${cf.lineNumber + 1}`, bytes);
    const area = url.startsWith('src/sip/') ? url.split('/').slice(0, 3).join('/') : url.startsWith('src/') ? url.split('/').slice(0, 2).join('/') : url || cf.functionName;
    add(byArea, area, bytes);
    total += bytes;
  }
  for (const c of node.children ?? []) walk(c);
})(profile.head);
const mb = (b) => (b / 1048576).toFixed(1).padStart(8) + ' MB';
const pct = (b) => ((100 * b) / total).toFixed(1).padStart(5) + ' %';
console.log(`sampled allocations: ${mb(total)}`);
for (const [k, b] of [...byArea].sort((a, z) => z[1] - a[1]).slice(0, 20)) console.log(`${pct(b)} ${mb(b)}  ${k}`);
console.log('---');
for (const [k, b] of [...byFunction].sort((a, z) => z[1] - a[1]).slice(0, top)) console.log(`${pct(b)} ${mb(b)}  ${k}`);
