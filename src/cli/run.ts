/**
 * Process entry for the `herald` command (bin/herald.js imports this): records when herald's
 * own code began, runs main() and exits with its code.
 */
const launchedAt = performance.now();
const { main } = await import('./main.js');
process.exit(await main(process.argv.slice(2), { launchedAt }));
