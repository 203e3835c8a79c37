import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../libs/runtime/errors';
import { destinationOf, parseCliArgs, resolveTarget, type PrintedService } from '../../tools/search/config';
import { engineFromRootInfo, SearchSetupError } from '../../tools/search/engine';
import { runSearchSetup } from '../../tools/search/run';
import { savedObjects } from '../../tools/search/saved-objects';

/** What `sls print --stage prod --format json` gives, reduced to what is read. */
const printed = (
  environment: Record<string, unknown>,
  params: Record<string, unknown> = {},
): PrintedService => ({
  provider: { region: 'ap-northeast-2' },
  params: { default: { indexPrefix: 'cwl', searchRetentionDays: 30 }, prod: params },
  functions: { forwarder: { environment } },
});

const prodEnvironment = {
  DESTINATION_KIND: '',
  DESTINATION_URL: 'https://search-logs.ap-northeast-2.es.amazonaws.com',
  DESTINATION_AUTH: 'sigv4',
  DESTINATION_CREDENTIALS: '',
  INDEX_PREFIX: 'cwl',
  INDEX_TIMEZONE: 'Asia/Seoul',
};

describe('the stage the command applies to', () => {
  it("reads the forwarder's destination and prefix, and the retention param, from sls print", async () => {
    const stages: string[] = [];
    const target = await resolveTarget(parseCliArgs(['--stage', 'prod']), {}, async (stage) => {
      stages.push(stage);
      return printed(prodEnvironment, { searchRetentionDays: 14 });
    });
    expect(stages).toEqual(['prod']);
    expect(target.source).toBe('stage prod');
    const destination = destinationOf(target);
    expect(destination.url.href).toBe('https://search-logs.ap-northeast-2.es.amazonaws.com/');
    expect(destination.auth).toEqual({ kind: 'sigv4', service: 'es', region: 'ap-northeast-2' });
    expect(target.settings).toEqual({ indexPrefix: 'cwl', retentionDays: 14 });
  });

  it('--retention-days wins over the param; without --stage the environment is read', async () => {
    const fromStage = await resolveTarget(
      parseCliArgs(['--stage', 'prod', '--retention-days', '90']),
      {},
      async () => printed(prodEnvironment),
    );
    expect(fromStage.settings.retentionDays).toBe(90);
    const fromEnv = await resolveTarget(
      parseCliArgs([]),
      { DESTINATION_URL: 'http://localhost:9200', INDEX_PREFIX: 'logs', SEARCH_RETENTION_DAYS: '3' },
      async () => {
        throw new Error('not called');
      },
    );
    expect(fromEnv).toMatchObject({
      source: 'environment',
      settings: { indexPrefix: 'logs', retentionDays: 3 },
    });
  });

  it('config errors name the flag, param or variable', async () => {
    const fail = (argv: string[], env: Record<string, string>, print = printed(prodEnvironment)) =>
      resolveTarget(parseCliArgs(argv), env, async () => print)
        .then((target) => {
          destinationOf(target);
          return new ConfigError('test', 'expected a failure');
        })
        .catch((e: unknown) => e as ConfigError);
    expect((await fail(['--stage', 'prod', '--retention-days', 'ten'], {})).message).toBe(
      '--retention-days: must be an integer, got "ten"',
    );
    expect(
      (await fail(['--stage', 'prod'], {}, printed(prodEnvironment, { searchRetentionDays: 0 }))).message,
    ).toBe('searchRetentionDays: must be >= 1, got 0');
    const noUrl = await fail(['--stage', 'dev'], {}, printed({ ...prodEnvironment, DESTINATION_URL: '' }));
    expect(noUrl).toBeInstanceOf(ConfigError);
    expect(noUrl.message).toMatch(
      /^param destinationUrl of stage dev: stage dev does not send to Elasticsearch .*set the URL/,
    );
    const noUrlInEnv = await fail([], {});
    expect(noUrlInEnv.message).toMatch(/^DESTINATION_URL: environment does not send to Elasticsearch/);
    const badAuth = await fail(
      ['--stage', 'prod'],
      {},
      printed({ ...prodEnvironment, DESTINATION_AUTH: 'x' }),
    );
    expect(badAuth.message).toMatch(/^param destinationAuth of stage prod: /);
    const placeholder = await fail(
      ['--stage', 'prod'],
      {},
      printed({ ...prodEnvironment, DESTINATION_URL: 'FILL-ME' }, { destinationUrl: 'FILL-ME' }),
    );
    expect(placeholder.message).toBe(
      'param destinationUrl of stage prod: still FILL-ME: set it in params.yml under prod: (docs/first-deploy.md)',
    );
    const aoss = await fail([], {
      DESTINATION_URL: 'https://abc.us-east-1.aoss.amazonaws.com',
      DESTINATION_AUTH: 'sigv4',
    });
    expect(aoss.message).toMatch(/^DESTINATION_SIGV4_SERVICE: OpenSearch Serverless/);
    expect(() => parseCliArgs(['--stages', 'prod'])).toThrow(ConfigError);
    expect(() => parseCliArgs(['--stages', 'prod'])).toThrow(/^arguments: /);
  });

  it('a stage without a forwarder environment is reported, not guessed', async () => {
    const error = await resolveTarget(parseCliArgs(['--stage', 'x']), {}, async () => ({})).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SearchSetupError);
  });
});

describe('engine detection from GET /', () => {
  it('OpenSearch by version.distribution, flat_object from 2.7; Elasticsearch otherwise', () => {
    expect(engineFromRootInfo({ version: { distribution: 'opensearch', number: '2.7.0' } })).toMatchObject({
      kind: 'opensearch',
      flatJson: true,
    });
    expect(engineFromRootInfo({ version: { distribution: 'opensearch', number: '1.3.14' } }).flatJson).toBe(
      false,
    );
    expect(engineFromRootInfo({ version: { number: '9.0.1', build_flavor: 'default' } }).kind).toBe(
      'elasticsearch',
    );
    expect(() => engineFromRootInfo({ version: { number: '7.10.2', build_flavor: 'oss' } })).toThrow(/OSS/);
    expect(() => engineFromRootInfo({ ok: true })).toThrow(SearchSetupError);
  });
});

describe('saved objects and --out', () => {
  it('a data view on the stage pattern and a saved search with the useful columns, referencing it', () => {
    const [dataView, search] = savedObjects({ indexPrefix: 'cwl-dev', retentionDays: 7 }, 'opensearch');
    expect(dataView).toEqual({
      type: 'index-pattern',
      id: 'logpipe-cwl-dev',
      attributes: { title: 'cwl-dev-*', timeFieldName: '@timestamp' },
      references: [],
    });
    const source = JSON.parse(
      (search!.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string }).searchSourceJSON,
    );
    expect(source.indexRefName).toBe(search!.references[0]!.name);
    expect(search!.references[0]).toMatchObject({ type: 'index-pattern', id: 'logpipe-cwl-dev' });
    expect(search!.attributes.columns).toEqual(['log.level', 'aws.cloudwatch.log_group', 'message']);
  });

  it('--out writes both variants without contacting any cluster', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'search-out-'));
    try {
      const output: string[] = [];
      await runSearchSetup(['--out', dir], {
        env: { DESTINATION_URL: 'http://127.0.0.1:1', INDEX_PREFIX: 'cwl' },
        printStage: async () => ({}),
        print: (text) => output.push(text),
      });
      expect((await readdir(join(dir, 'elasticsearch'))).sort()).toEqual([
        'ilm-policy.json',
        'index-template.json',
        'saved-objects.ndjson',
      ]);
      expect((await readdir(join(dir, 'opensearch'))).sort()).toEqual([
        'index-template.json',
        'ism-policy.json',
        'saved-objects.ndjson',
      ]);
      const ndjson = await readFile(join(dir, 'elasticsearch', 'saved-objects.ndjson'), 'utf8');
      expect(
        ndjson
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line).type),
      ).toEqual(['index-pattern', 'search']);
      expect(output).toHaveLength(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
