#!/usr/bin/env node
// Long mutation-fuzz run of the SIP parser against the built code in dist/ (run `npm run build`
// first). Every input is a mutated or truncated fixture message; the run fails on anything but
// SipParseError escaping parseMessage/accessors/StreamFramer, or on a parsed message that does not
// serialize and re-parse to an equivalent one.
//   node scripts/fuzz-parser.mjs [iterations=1000000] [seed=random]
import { existsSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
// HERALD_BUILD_DIR points at another tsc output directory (default: dist/).
const lib = `${process.env.HERALD_BUILD_DIR ?? `${root}dist`}/test/sip/message/fuzz-corpus.js`;
if (!existsSync(lib)) {
  console.error(`${lib} not found: run npm run build first`);
  process.exit(2);
}
const { fuzz, loadCorpus, FuzzFailure } = await import(lib);

const iterations = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
if (!Number.isInteger(iterations) || iterations <= 0 || !Number.isInteger(seed)) {
  console.error('usage: node scripts/fuzz-parser.mjs [iterations] [seed]');
  process.exit(2);
}
const corpus = loadCorpus();
const chunk = 50_000;
const started = Date.now();
let done = 0;
// Each chunk gets its own seed derived from the run seed, so a failure names a replayable seed.
for (let c = 0; done < iterations; c++) {
  const n = Math.min(chunk, iterations - done);
  const chunkSeed = (seed + c * 0x9e3779b1) >>> 0;
  try {
    fuzz(n, chunkSeed, corpus);
  } catch (e) {
    if (e instanceof FuzzFailure) {
      console.error(`FAIL ${e.message}`);
      console.error(`input (latin1 JSON): ${JSON.stringify(e.input.toString('latin1'))}`);
      if (e.cause) console.error(e.cause);
    } else console.error(e);
    console.error(`replay: node scripts/fuzz-parser.mjs ${n} ${chunkSeed}`);
    process.exit(1);
  }
  done += n;
  const s = (Date.now() - started) / 1000;
  console.log(`${done.toLocaleString('en-US')} inputs, ${s.toFixed(1)} s, ${Math.round(done / s).toLocaleString('en-US')}/s`);
}
console.log(`ok: ${done} inputs (seed ${seed}), no escape but SipParseError, serialize/parse equivalent`);
