import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  deployerPolicy,
  MANAGED_POLICY_MAX_CHARS,
  splitPolicy,
  type Template,
  unmappedTypes,
} from '../../tools/deploy/deployer-policy';

/**
 * config/stage-template.yml, the stage block a newcomer copies into params.yml
 * (docs/first-deploy.md): its keys are params the stack knows, a stage made from it with its
 * FILL-ME values filled packages, and `sls deploy` of the block as shipped is refused, naming
 * each param to fill, before anything is built or sent. In a copy of the project (its own
 * params.yml and .esbuild directory), so no build lock is needed.
 */
const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const STAGE = 'first-deploy-example';
/** What a user would write over the template's FILL-ME values. */
const FILLED: Record<string, string> = {
  destinationUrl: 'https://search-logs-abc123.ap-northeast-2.es.amazonaws.com',
  slackChannel: 'C0123456789',
};

/** The stage block: the template's lines after its dashes. */
const templateBlock = () => read('config/stage-template.yml').split(/^# -+\n/m)[1]!;
const keysOf = (block: string) => [...block.matchAll(/^ {2}([a-zA-Z]+):/gm)].map((m) => m[1]!);

function filledBlock(): string {
  return templateBlock()
    .replace(/^my-stage:/m, `${STAGE}:`)
    .replace(/^( {2}([a-zA-Z]+): )FILL-ME\b/gm, (line, start: string, key: string) =>
      FILLED[key] === undefined ? line : `${start}${FILLED[key]}`,
    );
}

const env = {
  ...process.env,
  SLS_TELEMETRY_DISABLED: '1',
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9', // nothing listens: a deploy that got past the check could not reach AWS
};
let project = '';
let template: Template;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'stage-template-'));
  for (const path of [
    'serverless.yml',
    'package.json',
    'tsconfig.json',
    'functions',
    'libs',
    'resources',
    'config',
  ])
    cpSync(join(root, path), join(project, path), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(project, 'node_modules'));
  writeFileSync(join(project, 'params.yml'), `${read('params.yml')}${templateBlock()}${filledBlock()}`);
  const out = join(project, 'out');
  await run(join(root, 'node_modules', '.bin', 'sls'), ['package', '--stage', STAGE, '--package', out], {
    cwd: project,
    env,
  });
  template = JSON.parse(
    readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
}, 240_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('config/stage-template.yml', () => {
  it("sets only params params.yml's default declares, and marks what a user must fill", () => {
    const defaults = read('params.yml').split(/^dev:/m)[0]!;
    const known = new Set(keysOf(defaults));
    expect(keysOf(templateBlock()).filter((key) => !known.has(key))).toEqual([]);
    const unfilled = [...templateBlock().matchAll(/^ {2}([a-zA-Z]+): FILL-ME/gm)].map((m) => m[1]);
    expect(unfilled.sort()).toEqual(Object.keys(FILLED).sort());
    expect(filledBlock()).not.toContain('FILL-ME');
  });

  it('packages as a stage of its own once filled: destination, Slack channel, forwarded log group', () => {
    const environment = (id: string) =>
      (template.Resources[id]!.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(environment('ForwarderLambdaFunction')).toMatchObject({ DESTINATION_URL: FILLED.destinationUrl });
    expect(environment('NotifierLambdaFunction')).toMatchObject({
      SLACK_CHANNEL: FILLED.slackChannel,
      SLACK_TOKEN_PARAMETER: `/logpipe/${STAGE}/slack-bot-token`,
    });
    const subscribed = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Logs::SubscriptionFilter')
      .map((r) => r.Properties!.LogGroupName);
    expect(subscribed).toContain(`/aws/lambda/logpipe-${STAGE}-notifier`);
  });

  it('has a deployer policy for every resource type of the stage', () => {
    expect(unmappedTypes(template)).toEqual([]);
    const scope = {
      stack: `logpipe-${STAGE}`,
      region: 'ap-northeast-2',
      account: '123456789012',
      partition: 'aws',
    };
    // In managed policies that fit (the alarm ledger's table took the stage past one), as package.integration.test.ts.
    const parts = splitPolicy(deployerPolicy(template, scope));
    for (const part of parts)
      expect(JSON.stringify(part).length).toBeLessThanOrEqual(MANAGED_POLICY_MAX_CHARS);
    expect(parts.length).toBeLessThanOrEqual(2);
  });

  it('is refused by sls deploy as shipped, naming every FILL-ME param', async () => {
    const result = await run(join(root, 'node_modules', '.bin', 'sls'), ['deploy', '--stage', 'my-stage'], {
      cwd: project,
      env,
    }).then(
      () => ({ code: 0, output: '' }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: error.stdout + error.stderr,
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      'stage my-stage still has FILL-ME placeholders in params destinationUrl, slackChannel',
    );
    expect(result.output).not.toContain('ECONNREFUSED'); // refused before any call to AWS
  }, 60_000);
});
