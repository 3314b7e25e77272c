#!/usr/bin/env -S node --max-semi-space-size=32
// The `herald` command. The TypeScript is compiled to dist/ by `npm run build` (npm start does it).
// Node runs with a 32 MB young generation: at SIP request rates almost every object dies young,
// and the larger nursery is what keeps 10,000 digest REGISTERs/s clean on two cores
// (docs/benchmarks-register.md). Start it as `node --max-semi-space-size=32 bin/herald.js …`
// when you call node yourself.
import '../dist/src/cli/run.js';
