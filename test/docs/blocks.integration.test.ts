import { join } from 'node:path';
import { venvDir } from '../../tools/peers/python-tools';
import { commandBlocks, outputDiffers, untaggedIn } from './blocks';
import { simpleCommands, stackNames, StaticChecker } from './static-checks';

/** The parts of the documented-commands suite, on Markdown and commands made to fail. */
const root = join(__dirname, '..', '..');

describe('command blocks of a Markdown file', () => {
  const markdown = [
    'Intro',
    '<!-- doc-test: aws -->',
    '```sh',
    'aws ssm get-parameter --name x',
    '```',
    '',
    '```bash',
    'echo \'{"a":1}\'',
    '```',
    '',
    '```json',
    '{"a": 1}',
    '```',
    '   <!-- doc-test: skip needs a terminal -->',
    '   ```sh',
    '   top',
    '   ```',
    '<!-- doc-test: maybe -->',
    '```console',
    '$ echo hi',
    'hi',
    '```',
    '```python',
    'print(1)',
    '```',
  ].join('\n');
  const blocks = commandBlocks('x.md', markdown);

  it('names the fences that say nothing of what they hold (a command there would never run)', () => {
    expect(untaggedIn('x.md', markdown)).toEqual([]);
    expect(
      untaggedIn('y.md', ['a', '```', 'npm run split -- x', '```', '  ```', '  b', '  ```'].join('\n')),
    ).toEqual(['y.md:2', 'y.md:5']);
  });

  it('finds sh, bash and console blocks with their line, marker and shown output', () => {
    expect(blocks.map((b) => [b.line, b.lang, b.marker?.kind, b.badMarker])).toEqual([
      [3, 'sh', 'aws', undefined],
      [7, 'bash', undefined, undefined],
      [15, 'sh', 'skip', undefined],
      [19, 'console', undefined, '<!-- doc-test: maybe -->'],
    ]);
    expect(blocks[1]!.expected).toEqual({ lang: 'json', text: '{"a": 1}', line: 11 });
    expect(blocks[2]!).toMatchObject({ script: 'top', marker: { reason: 'needs a terminal' } });
    expect(blocks[3]!).toMatchObject({ script: 'echo hi', expected: { lang: 'text', text: 'hi' } });
  });

  it('compares shown output with what is printed, times and ports aside', () => {
    expect(outputDiffers({ lang: 'json', text: '{"a": 1}' }, 'banner\n{"a":1}\n')).toBeUndefined();
    expect(outputDiffers({ lang: 'json', text: '{"a": 1}' }, '{"a":2}\n')).toMatch(/prints/);
    expect(outputDiffers({ lang: 'json', text: '{"a": 1}' }, '{"a":1}\n{"b":1}\n')).toMatch(/prints/);
    const text = { lang: 'text', text: 'listening on http://127.0.0.1:9200\n…\ndone' };
    expect(outputDiffers(text, 'listening on http://127.0.0.1:41234\nx\ny\ndone\n')).toBeUndefined();
    expect(outputDiffers(text, 'listening on http://127.0.0.1:41234\ndone\n')).toBeUndefined();
    expect(outputDiffers(text, 'listening on http://127.0.0.1:41234\nfailed\n')).toMatch(/prints/);
  });
});

describe('static checks of commands that cannot run here', () => {
  const checker = new StaticChecker(root, venvDir);

  it('splits scripts into simple commands', () => {
    expect(
      simpleCommands(
        'A=1 npx sls info --stage dev   # comment\naws s3 ls s3://b | tail && \\\n  echo "a # b"',
      ),
    ).toEqual(['npx sls info --stage dev', 'aws s3 ls s3://b', 'tail', 'echo "a # b"']);
  });

  it('accepts the commands and options that exist', () => {
    expect(
      checker.problems(
        [
          'npx sls deploy --stage prod --param="a=b"',
          'npx sls logs --stage dev -f forwarder --tail',
          'npx sls invoke local -f forwarder -p x.json -e A=1',
          'npm run -s deployer-policy -- --stage prod',
          'npx tsx tools/redrive.ts --stage prod',
          'aws cloudwatch set-alarm-state --alarm-name a --state-value ALARM --state-reason r',
          "aws firehose describe-delivery-stream --delivery-stream-name x --query 'a.b'",
          'aws s3api list-object-versions --bucket b --output json',
          'aws s3 rm s3://b --recursive',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('names each command, option, script or file that does not exist', () => {
    expect(
      checker.problems(
        [
          'npx sls deploi --stage prod',
          'npx sls deploy --stages prod',
          'npm run deploy-policy',
          'npx tsx tools/nope.ts',
          'aws cloudwatch set-alarm-status --alarm-name a',
          'aws cloudwatch set-alarm-state --alarm a',
          'aws nosuchservice do-it',
          'aws s3 list s3://b',
        ].join('\n'),
      ),
    ).toEqual([
      'sls: no command "deploi"',
      'sls deploy: no option --stages',
      'npm run: no script deploy-policy',
      'npx tsx: no file tools/nope.ts',
      'aws cloudwatch: no operation set-alarm-status',
      'aws cloudwatch set-alarm-state: no option --alarm',
      'aws: no service nosuchservice',
      'aws s3: no command list',
    ]);
  });

  it("finds the stack's names a command uses, by stage", () => {
    expect(
      stackNames(
        'aws s3 ls s3://logpipe-dev-ap-northeast-2-raw-logs logpipe-kinesis-example-x logpipe-other',
        ['dev', 'kinesis-example'],
      ),
    ).toEqual(
      new Map([
        ['dev', ['logpipe-dev-ap-northeast-2-raw-logs']],
        ['kinesis-example', ['logpipe-kinesis-example-x']],
      ]),
    );
  });
});
