/**
 * Prints the least-privilege IAM policy of the identity that deploys a stage (docs/first-deploy.md):
 *
 *   npm run -s deployer-policy -- --stage prod [--account 123456789012] [--region ap-northeast-2]
 *                                  [--template .serverless/cloudformation-template-update-stack.json]
 *
 * Packages the stage offline (`npx sls package`, into a temporary directory) unless --template
 * names a packaged template, and derives the policy from its resource types
 * (libs/deploy/resource-actions.ts). A resource type without a mapping fails with its name.
 * Exit code 0 with the policy JSON on stdout; 1 on a failure, 2 on usage errors.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deployerPolicy, type Template } from '../libs/deploy/deployer-policy';

const root = join(__dirname, '..');
const USAGE =
  'usage: npm run -s deployer-policy -- --stage <stage> [--account <id> (default *)]\n' +
  '       [--region <region> (default ap-northeast-2)] [--partition aws] [--template <packaged template>]';

/** The stage's packaged template, built offline by the framework (no credentials are used). */
function packagedTemplate(stage: string, region: string): Template {
  const out = mkdtempSync(join(tmpdir(), `deployer-policy-${stage}-`));
  try {
    execFileSync(
      join(root, 'node_modules', '.bin', 'sls'),
      ['package', '--stage', stage, '--region', region, '--package', out],
      {
        cwd: root,
        env: {
          ...process.env,
          SLS_TELEMETRY_DISABLED: '1',
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    return JSON.parse(
      readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function main(): number {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        stage: { type: 'string' },
        account: { type: 'string', default: '*' },
        region: { type: 'string', default: 'ap-northeast-2' },
        partition: { type: 'string', default: 'aws' },
        template: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help || !values.stage) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (!/^(\*|\d{12})$/.test(values.account)) {
    process.stderr.write(`--account must be a 12-digit account id or *, got "${values.account}"\n`);
    return 2;
  }
  const service = /^service:\s*(\S+)/m.exec(readFileSync(join(root, 'serverless.yml'), 'utf8'))![1]!;
  const template =
    values.template === undefined
      ? packagedTemplate(values.stage, values.region)
      : (JSON.parse(readFileSync(values.template, 'utf8')) as Template);
  const policy = deployerPolicy(template, {
    stack: `${service}-${values.stage}`,
    region: values.region,
    account: values.account,
    partition: values.partition,
  });
  process.stdout.write(`${JSON.stringify(policy, null, 2)}\n`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  const { name, message } = error as Error;
  const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n').slice(-5).join('\n');
  process.stderr.write(`deployer-policy failed: ${name}: ${message}${stderr ? `\n${stderr}` : ''}\n`);
  process.exitCode = 1;
}
