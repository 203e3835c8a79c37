/**
 * Prints the least-privilege IAM policy of the identity that deploys a stage (docs/first-deploy.md):
 *
 *   npm run -s deployer-policy -- --stage prod [--account 123456789012] [--region <region>]
 *                                  [--template .serverless/cloudformation-template-update-stack.json]
 *                                  [--split <prefix>]
 *
 * Packages the stage offline (`npx sls package`, into a temporary directory) unless --template
 * names a packaged template, and derives the policy from its resource types
 * (tools/deploy/resource-actions.ts). A resource type without a mapping fails with its name.
 * Exit code 0 with the policy JSON on stdout; 1 on a failure, 2 on usage errors. A customer managed
 * policy holds 6,144 characters: a larger policy is still printed whole (with a warning on stderr),
 * and --split <prefix> writes it as <prefix>-1.json, <prefix>-2.json… that each fit.
 */
import './quiet-sdk-warning';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  deployerPolicy,
  MANAGED_POLICY_MAX_CHARS,
  splitPolicy,
  type Template,
} from './deploy/deployer-policy';

const root = join(__dirname, '..');
const USAGE =
  'usage: npm run -s deployer-policy -- --stage <stage> [--account <id> (default *)]\n' +
  "       [--region <region> (default: the stage's region param)] [--partition aws] [--template <packaged template>]\n" +
  '       [--split <prefix> (writes <prefix>-1.json… that each fit a managed policy)]';

/**
 * The stage's packaged template, built offline by the framework (no credentials are used), and
 * the region it was built for (the stage's `region` param unless --region says otherwise).
 */
function packagedTemplate(stage: string, region: string | undefined): { template: Template; region: string } {
  const out = mkdtempSync(join(tmpdir(), `deployer-policy-${stage}-`));
  try {
    execFileSync(
      join(root, 'node_modules', '.bin', 'sls'),
      ['package', '--stage', stage, ...(region === undefined ? [] : ['--region', region]), '--package', out],
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
    const state = JSON.parse(readFileSync(join(out, 'serverless-state.json'), 'utf8')) as {
      service: { provider: { region: string } };
    };
    return {
      template: JSON.parse(
        readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
      ) as Template,
      region: state.service.provider.region,
    };
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
        region: { type: 'string' },
        partition: { type: 'string', default: 'aws' },
        template: { type: 'string' },
        split: { type: 'string' },
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
  const { template, region } =
    values.template === undefined
      ? packagedTemplate(values.stage, values.region)
      : {
          template: JSON.parse(readFileSync(values.template, 'utf8')) as Template,
          region: values.region ?? 'us-east-1',
        };
  const policy = deployerPolicy(template, {
    stack: `${service}-${values.stage}`,
    region,
    account: values.account,
    partition: values.partition,
  });
  if (values.split !== undefined) {
    splitPolicy(policy).forEach((part, i) => {
      const file = `${values.split}-${i + 1}.json`;
      writeFileSync(file, `${JSON.stringify(part, null, 2)}\n`);
      process.stdout.write(`${file}\n`);
    });
    return 0;
  }
  const chars = JSON.stringify(policy).length;
  if (chars > MANAGED_POLICY_MAX_CHARS) {
    process.stderr.write(
      `deployer-policy: ${chars} characters, over a managed policy's ${MANAGED_POLICY_MAX_CHARS}: ` +
        `--split <prefix> writes it as ${splitPolicy(policy).length} policies that fit\n`,
    );
  }
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
