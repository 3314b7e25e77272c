#!/usr/bin/env node
// The `herald` command. The TypeScript is compiled to dist/ by `npm run build` (npm start does it).
import '../dist/src/cli/run.js';
