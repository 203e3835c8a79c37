import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { engineUrl } from '../peers/engine-env';
import { ENGINES_SKIPPED } from '../../tools/peers/engines';
import { venvDir } from '../../tools/peers/python-tools';
import { MOTO_REGION, withMoto } from '../support/moto';
import { outputDiffers, projectBlocks, untaggedFences, type CommandBlock } from './blocks';
import { stackNames, StaticChecker } from './static-checks';

/**
 * Every shell command block of README.md and docs/*.md, as a reader would type it
 * (docs/first-deploy.md, "Documentation that is tested"). Unmarked blocks run in a copy of the
 * project (their files, their `.esbuild`: nothing they write reaches the checkout), offline,
 * and must end with exit code 0 and print the output the document shows right after them.
 * `<!-- doc-test: aws moto -->` blocks run with the AWS CLI against moto (when the CLI is
 * installed; checked statically otherwise). `<!-- doc-test: cluster -->` blocks run against the OpenSearch node of the test run (its URL
 * for `<port>`; the line that would start a node of its own is left out), or are checked
 * statically when engines are skipped. `aws` and `slack` blocks are checked statically: every
 * command and option exists (static-checks.ts), and every `logpipe-<stage>-…` name is one the
 * stage declares. `skip` blocks must give their reason. A failure names the file and line.
 */
const root = join(__dirname, '..', '..');
const blocks = projectBlocks(root);
const TIMEOUT_MS = 120_000;
const tally = { run: 0, 'aws (moto)': 0, aws: 0, slack: 0, cluster: 0, 'cluster (static)': 0, skip: 0 };
/** The AWS CLI, when installed: `<!-- doc-test: aws moto -->` blocks run with it against moto. */
const AWS_CLI = spawnSync('aws', ['--version'], { stdio: 'ignore' }).status === 0;

let workspace = '';
let checker: StaticChecker;
const printed = new Map<string, Promise<string>>();

beforeAll(() => {
  workspace = mkdtempSync(join(tmpdir(), 'doc-blocks-'));
  const shared = ['node_modules', '.cache'];
  // What the checkout builds or keeps for itself (.gitignore), not what a reader's clone has.
  const local = ['.git', '.esbuild', '.serverless', '.build', 'coverage', 'bench/.data'];
  cpSync(root, workspace, {
    recursive: true,
    filter: (source) => {
      const path = relative(root, source);
      const top = path.split('/')[0]!;
      return !shared.includes(top) && !local.some((dir) => path === dir || path.startsWith(`${dir}/`));
    },
  });
  for (const dir of shared) symlinkSync(join(root, dir), join(workspace, dir));
  checker = new StaticChecker(root, venvDir);
});
afterAll(() => {
  rmSync(workspace, { recursive: true, force: true });
  const counted = Object.values(tally).reduce((a, b) => a + b, 0);
  process.stdout.write(
    `doc command blocks: ${blocks.length}, ${Object.entries(tally)
      .map(([kind, n]) => `${n} ${kind}`)
      .join(
        ', ',
      )}${counted === blocks.length ? '' : ` (${blocks.length - counted} failed before being counted)`}\n`,
  );
});

/** The framework offline, as test/deploy runs it: no telemetry, no credentials. */
const offlineEnv = {
  ...process.env,
  SLS_TELEMETRY_DISABLED: '1',
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: '',
  AWS_EC2_METADATA_DISABLED: 'true',
};

function runScript(
  script: string,
  env: NodeJS.ProcessEnv = offlineEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -eo pipefail\n${script}`], {
      cwd: workspace,
      env,
      detached: true, // its own process group: a timeout ends the command and its children
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** `sls print` of a stage, once per stage: the names its stack declares. */
function stagePrint(stage: string): Promise<string> {
  if (!printed.has(stage))
    printed.set(
      stage,
      runScript(`npx sls print --stage ${stage} --format json`).then((r) => {
        if (r.status !== 0) throw new Error(`sls print --stage ${stage} failed: ${r.stderr.slice(-500)}`);
        return r.stdout;
      }),
    );
  return printed.get(stage)!;
}

/** Commands that would reinstall the packages the suite runs from (shared with the copy), or run the suite itself. */
const NEVER_RUN = /\bnpm\s+(ci|install|i|uninstall|update|test)\b/;

async function expectRuns(block: CommandBlock, script: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const where = `${block.file}:${block.line}`;
  expect({ where, neverRun: NEVER_RUN.exec(script)?.[0] }).toEqual({ where, neverRun: undefined });
  const result = await runScript(script, env);
  expect({
    where,
    status: result.status,
    output: result.status === 0 ? '' : (result.stdout + result.stderr).slice(-3000),
  }).toEqual({
    where,
    status: 0,
    output: '',
  });
  if (block.expected !== undefined)
    expect({ where, differs: outputDiffers(block.expected, result.stdout) }).toEqual({
      where,
      differs: undefined,
    });
}

async function expectStaticallyValid(block: CommandBlock): Promise<void> {
  const where = `${block.file}:${block.line}`;
  expect({ where, problems: checker.problems(block.script) }).toEqual({ where, problems: [] });
  // The copy's params.yml: a block before may have added a stage, as the reader would have.
  const stages = [...readFileSync(join(workspace, 'params.yml'), 'utf8').matchAll(/^([\w-]+):/gm)]
    .map((m) => m[1]!)
    .filter((stage) => stage !== 'default');
  for (const [stage, names] of stackNames(block.script, stages)) {
    const declared = await stagePrint(stage);
    expect({ where, undeclared: names.filter((name) => !declared.includes(name)) }).toEqual({
      where,
      undeclared: [],
    });
  }
}

/** A cluster block with the test run's node in place of `<port>`, when nothing else is left to fill. */
async function clusterScript(block: CommandBlock): Promise<string | undefined> {
  if (ENGINES_SKIPPED) return undefined;
  const url = new URL(await engineUrl('opensearch'));
  const script = block.script
    .split('\n')
    .filter((line) => !/^\s*npm run engine\b/.test(line))
    .join('\n')
    .replaceAll('<port>', url.port)
    .replace(/http:\/\/localhost:9200/g, url.origin);
  return /<[a-z-]+>|--stage/.test(script) ? undefined : script;
}

const cases = blocks.map(
  (block) => [`${block.file}:${block.line} (${block.marker?.kind ?? 'run'})`, block] as const,
);

describe('documented commands', () => {
  it('finds a language on every fence of the README and docs (`text` for diagrams and output)', () => {
    expect(untaggedFences(root)).toEqual([]);
  });

  it('finds the command blocks of the README and docs', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  it.each(cases)(
    '%s',
    async (_, block) => {
      const where = `${block.file}:${block.line}`;
      expect({ where, marker: block.badMarker }).toEqual({ where, marker: undefined });
      switch (block.marker?.kind) {
        case 'skip':
          expect({ where, reason: block.marker.reason }).toEqual({
            where,
            reason: expect.stringMatching(/\S/),
          });
          tally.skip++;
          return;
        case 'aws':
        case 'slack':
          await expectStaticallyValid(block);
          if (block.marker.kind === 'aws' && /^moto\b/.test(block.marker.reason) && AWS_CLI) {
            // No profile: the CLI refuses an empty AWS_PROFILE.
            const { AWS_PROFILE: _profile, ...withoutProfile } = offlineEnv;
            await withMoto((endpoint) =>
              expectRuns(block, block.script, {
                ...withoutProfile,
                AWS_ENDPOINT_URL: endpoint,
                AWS_ACCESS_KEY_ID: 'testing',
                AWS_SECRET_ACCESS_KEY: 'testing',
                AWS_DEFAULT_REGION: MOTO_REGION,
                AWS_REGION: MOTO_REGION,
              }),
            );
            tally['aws (moto)']++;
          } else tally[block.marker.kind]++;
          return;
        case 'cluster': {
          const script = await clusterScript(block);
          if (script === undefined) {
            await expectStaticallyValid(block);
            tally['cluster (static)']++;
          } else {
            await expectRuns(block, script);
            tally.cluster++;
          }
          return;
        }
        default:
          await expectRuns(block, block.script);
          tally.run++;
      }
    },
    TIMEOUT_MS + 60_000,
  );
});
