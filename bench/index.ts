/**
 * `npm run bench`: every benchmark prints ratios against baselines run in this same process,
 * because absolute times drift on shared machines. Pass names to run a subset:
 * `npm run bench -- forwarder splitter`.
 */
interface BenchModule {
  run(): Promise<void>;
}

const suites: Record<string, () => Promise<BenchModule>> = {
  forwarder: () => import('./forwarder'),
  kinesis: () => import('./kinesis'),
  splitter: () => import('./splitter'),
  exporter: () => import('./exporter'),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const [name, load] of Object.entries(suites)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    console.log(`\n=== ${name} ===`);
    await (await load()).run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
