/**
 * `npm run engine -- <opensearch|elasticsearch>`: one real node on a free loopback port. Prints
 * its base URL as the first line once the cluster is ready, then the time it took; runs until
 * interrupted and leaves nothing behind (the node's data directory is a temporary one).
 */
import { enginePrepared, ENGINE_KINDS, ENGINE_VERSIONS, startEngine, type EngineKind } from './peers/engines';

async function main(): Promise<void> {
  const kind = process.argv[2] as EngineKind;
  if (!ENGINE_KINDS.includes(kind)) {
    console.error(`usage: npm run engine -- <${ENGINE_KINDS.join('|')}>`);
    process.exit(2);
  }
  const started = Date.now();
  // stderr: the first line of stdout stays the node's URL.
  if (!enginePrepared(kind))
    console.error(
      `first start of ${kind} ${ENGINE_VERSIONS[kind]}: resolving its jars from Maven Central into .cache/maven ` +
        '(about 70 MB, a minute or two) and compiling its launcher; later starts take 10-20 s',
    );
  console.error(`starting ${kind} ${ENGINE_VERSIONS[kind]} on a free loopback port…`);
  const node = await startEngine(kind);
  const stop = (): void => {
    void node.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await node.ready();
  console.log(node.url);
  console.log(
    `${kind} ${ENGINE_VERSIONS[kind]} ready in ${((Date.now() - started) / 1000).toFixed(1)} s; Ctrl-C stops it`,
  );
  await node.exit;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
