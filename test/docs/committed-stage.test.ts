import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandBlocks } from './blocks';

/**
 * docs/first-deploy.md step 1 adds a stage to params.yml. A team commits that stage, as the
 * page says; the doc tests then run the same command on their clone: it must add nothing the
 * second time (a duplicated `staging:` key broke every later block), and say so.
 */
const root = join(__dirname, '..', '..');
const page = readFileSync(join(root, 'docs/first-deploy.md'), 'utf8');
const step = commandBlocks('docs/first-deploy.md', page).find((b) =>
  b.script.includes('stage-template.yml'),
)!;
/** The FILL-ME lines the page shows after the command. */
const shown = /```sh\n[\s\S]*?stage-template\.yml[\s\S]*?```\n[\s\S]*?```text\n([\s\S]*?)```/.exec(page)![1]!;

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'committed-stage-'));
  mkdirSync(join(dir, 'config'));
  copyFileSync(join(root, 'params.yml'), join(dir, 'params.yml'));
  copyFileSync(join(root, 'config/stage-template.yml'), join(dir, 'config/stage-template.yml'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = () => spawnSync('bash', ['-eo', 'pipefail', '-c', step.script], { cwd: dir, encoding: 'utf8' });
const stagingKeys = () => readFileSync(join(dir, 'params.yml'), 'utf8').match(/^staging:/gm)?.length ?? 0;

it('adds the stage once and lists what the page shows; run again, it adds nothing', () => {
  const first = run();
  expect({ status: first.status, stdout: first.stdout }).toEqual({ status: 0, stdout: shown });
  expect(stagingKeys()).toBe(1);
  const again = run();
  expect(again.status).toBe(0);
  expect(stagingKeys()).toBe(1);
});

it('leaves a committed, filled stage as it is and says nothing is left to fill', () => {
  run();
  const params = readFileSync(join(dir, 'params.yml'), 'utf8');
  const at = params.indexOf('\nstaging:');
  const filled =
    params.slice(0, at) +
    params
      .slice(at)
      .replace('destinationUrl: FILL-ME', 'destinationUrl: https://es.example.com')
      .replace('slackChannel: FILL-ME', 'slackChannel: C0123456789');
  writeFileSync(join(dir, 'params.yml'), filled);
  const result = run();
  expect({ status: result.status, stdout: result.stdout }).toEqual({
    status: 0,
    stdout: 'staging: nothing left to fill\n',
  });
  expect(readFileSync(join(dir, 'params.yml'), 'utf8')).toBe(filled);
});
