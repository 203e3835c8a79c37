/**
 * `npm run moto [-- --port 5000]`: the AWS emulator the tests deploy to (moto with the
 * corrections of tools/peers/moto_server.py: a plain `moto_server` fails our stacks), on
 * loopback. Prints its endpoint as the first line, then runs until interrupted
 * (docs/deploy.md, "Deploying to moto"). The first run installs moto into .cache/python.
 */
import './quiet-sdk-warning';
import { parseArgs } from 'node:util';
import { startMoto, stopMoto } from './peers/moto';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '5000' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error('usage: npm run moto -- [--port <0-65535>]   (0: a free port)');
    process.exit(2);
  }
  const endpoint = await startMoto(port);
  const stop = (): void => {
    void stopMoto().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(endpoint);
  console.log(
    `moto as the tests patch it; point the AWS CLI and sls at it with AWS_ENDPOINT_URL=${endpoint}; Ctrl-C stops it`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
