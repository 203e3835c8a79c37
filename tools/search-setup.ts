/**
 * Applies the index template, the retention policy and (with --dashboards-url) the data view
 * and saved search to a stage's Elasticsearch / OpenSearch destination (docs/search.md):
 *   npm run search:setup -- --stage prod [--dry-run] [--dashboards-url https://kibana.example]
 * Exit code 0 when everything is in place, 1 on any failure (nothing after the failed step is sent).
 */
import './quiet-sdk-warning';
import { describeError } from '../libs/runtime/errors';
import { printStageWithServerless } from './search/config';
import { runSearchSetup } from './search/run';

runSearchSetup(process.argv.slice(2), {
  env: process.env,
  printStage: printStageWithServerless,
  print: (text) => process.stdout.write(`${text}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const { name, message, cause } = describeError(error);
    process.stderr.write(`search:setup failed: ${name}: ${message}${cause ? ` (${cause})` : ''}\n`);
    process.exitCode = 1;
  },
);
