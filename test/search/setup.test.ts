import type { Env } from '../../libs/runtime/env';
import { SearchSetupError } from '../../tools/search/engine';
import { runSearchSetup } from '../../tools/search/run';
import { SearchServer, type Flavor } from '../support/search-server';

const BASIC = `Basic ${Buffer.from('elastic:s3cret').toString('base64')}`;
const noStage = async () => {
  throw new Error('no stage in these tests');
};

async function run(server: SearchServer, args: string[] = [], env: Env = {}) {
  const output: string[] = [];
  const code = await runSearchSetup(['--dashboards-url', server.url, ...args], {
    env: {
      DESTINATION_URL: server.url,
      DESTINATION_AUTH: 'basic',
      DESTINATION_CREDENTIALS: 'secretsmanager:es/creds',
      INDEX_PREFIX: 'cwl',
      ...env,
    },
    printStage: noStage,
    print: (text) => output.push(text),
    fetchSecret: async () => '{"username":"elastic","password":"s3cret"}',
  });
  return { code, output: output.join('\n') };
}

const lines = (server: SearchServer) =>
  server.requests.map((r) => `${r.method} ${decodeURIComponent(r.url)}`);

describe.each<Flavor>(['elasticsearch', 'opensearch'])('search:setup against %s', (flavor) => {
  let server: SearchServer;
  const es = flavor === 'elasticsearch';
  const policyPath = es
    ? '/_ilm/policy/logpipe-cwl-retention'
    : '/_plugins/_ism/policies/logpipe-cwl-retention';

  beforeEach(async () => {
    server = await new SearchServer(flavor, {
      authorize: (req) => req.headers.authorization === BASIC,
    }).start();
    // Indices written before the first setup, and another stage's index that cwl-* also matches.
    for (const name of ['cwl-2024.11.19', 'cwl-2024.11.20', 'cwl-dev-2024.11.20'])
      server.indices.set(name, null);
  });
  afterEach(() => server.stop());

  it('names what it had already written when a later step fails (Dashboards unreachable)', async () => {
    const failed = run(server, ['--dashboards-url', 'http://127.0.0.1:9']);
    await expect(failed).rejects.toThrow(
      new RegExp(
        `\\(already written before it: PUT ${policyPath}, PUT /_index_template/logpipe-cwl, .+; a rerun writes only what is missing\\)$`,
      ),
    );
    expect(server.writes.length).toBeGreaterThan(2);
  });

  it('says nothing was written when the first step fails', async () => {
    await expect(run(server, [], { DESTINATION_AUTH: 'none' })).rejects.toThrow(
      /\(nothing was written before it; a rerun writes only what is missing\)$/,
    );
    expect(server.writes).toEqual([]);
  });

  it('puts the policy, the template, the policy on existing indices and the saved objects, with auth', async () => {
    const { code, output } = await run(server);
    expect(code).toBe(0);
    expect(lines(server)).toEqual([
      'GET /',
      `GET ${policyPath}`,
      `PUT ${policyPath}`,
      'GET /_index_template/logpipe-cwl',
      'PUT /_index_template/logpipe-cwl',
      es
        ? 'GET /cwl-*/_settings/index.lifecycle.name?flat_settings=true'
        : 'GET /_plugins/_ism/explain/cwl-*',
      es
        ? 'PUT /cwl-2024.11.19,cwl-2024.11.20/_settings'
        : 'POST /_plugins/_ism/add/cwl-2024.11.19,cwl-2024.11.20',
      'POST /api/saved_objects/_import?overwrite=true',
    ]);
    expect(server.requests.every((r) => r.headers.authorization === BASIC)).toBe(true);
    const template = server.templates.get('logpipe-cwl')!;
    expect(template).toMatchObject({ index_patterns: ['cwl-*'], priority: 203 });
    expect(JSON.stringify(template)).toContain(es ? '"flattened"' : '"flat_object"');
    // Only this stage's indices get its policy; cwl-dev-* belongs to the dev stage.
    expect(Object.fromEntries(server.indices)).toEqual({
      'cwl-2024.11.19': 'logpipe-cwl-retention',
      'cwl-2024.11.20': 'logpipe-cwl-retention',
      'cwl-dev-2024.11.20': null,
    });
    expect([...server.savedObjects.keys()]).toEqual(['index-pattern:logpipe-cwl', 'search:logpipe-cwl-logs']);
    expect(server.savedObjects.get('search:logpipe-cwl-logs')).toMatchObject({
      attributes: { columns: ['log.level', 'aws.cloudwatch.log_group', 'message'] },
    });
    expect(output).toContain(`${flavor} `);
    expect(output).toMatch(/index template logpipe-cwl: created/);
  });

  it('is idempotent: a re-run reads, finds everything in place and writes nothing to the cluster', async () => {
    await run(server);
    const before = { templates: new Map(server.templates), policies: new Map(server.policies) };
    server.requests.length = 0;
    const { output } = await run(server);
    expect(server.writes.map((r) => r.url)).toEqual(['/api/saved_objects/_import?overwrite=true']);
    expect(server.templates).toEqual(before.templates);
    expect(server.policies).toEqual(before.policies);
    expect(output).toMatch(/policy logpipe-cwl-retention: unchanged/);
    expect(output).toMatch(/index template logpipe-cwl: unchanged/);
  });

  it('a new retention updates the policy only (ISM: with its seq_no, and moves indices to the new version)', async () => {
    await run(server);
    server.requests.length = 0;
    const { output } = await run(server, ['--retention-days', '7']);
    expect(output).toMatch(/policy logpipe-cwl-retention: updated \(delete after 7 days\)/);
    const writes = server.writes.map((r) => `${r.method} ${decodeURIComponent(r.url)}`);
    expect(writes[0]).toBe(es ? `PUT ${policyPath}` : `PUT ${policyPath}?if_seq_no=1&if_primary_term=1`);
    if (!es) expect(writes[1]).toBe('POST /_plugins/_ism/change_policy/cwl-2024.11.19,cwl-2024.11.20');
    expect(JSON.stringify(server.policies.get('logpipe-cwl-retention')!.body)).toContain('"7d"');
    expect(writes.some((w) => w.includes('_index_template'))).toBe(false);
  });

  it('two stages on one cluster: cwl-dev-* outranks cwl-* instead of colliding with it', async () => {
    await run(server);
    await run(server, [], { INDEX_PREFIX: 'cwl-dev' });
    expect(server.templates.get('logpipe-cwl-dev')).toMatchObject({
      index_patterns: ['cwl-dev-*'],
      priority: 207,
    });
    expect(server.indices.get('cwl-dev-2024.11.20')).toBe('logpipe-cwl-dev-retention');
  });

  it('--dry-run reads but sends no write, and prints each write with its body', async () => {
    const { output } = await run(server, ['--dry-run']);
    expect(server.writes).toEqual([]);
    expect(output).toContain(`PUT ${server.url}/_index_template/logpipe-cwl`);
    expect(output).toContain(`POST ${server.url}/api/saved_objects/_import?overwrite=true`);
    expect(output).toContain('"index_patterns": [');
    expect(output).toContain('"type":"index-pattern"');
    expect(output).toMatch(/index template logpipe-cwl: would be created/);
  });

  it('names the failing request and its status; nothing after it is sent', async () => {
    await server.stop();
    server = await new SearchServer(flavor, { authorize: () => false }).start();
    const denied = await run(server).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SearchSetupError);
    expect((denied as Error).message).toBe(
      `GET / answered 401: {"error":"auth"} (nothing was written before it; a rerun writes only what is missing)`,
    );
    expect(server.requests).toHaveLength(1);
  });
});

describe('engine versions', () => {
  it('OpenSearch before 2.7 keeps json in _source only (no flat_object)', async () => {
    const server = await new SearchServer('opensearch', { version: '2.3.0' }).start();
    try {
      await run(server, [], { DESTINATION_AUTH: 'none' });
      expect(JSON.stringify(server.templates.get('logpipe-cwl'))).toContain(
        '"json":{"type":"object","enabled":false}',
      );
    } finally {
      await server.stop();
    }
  });

  it('refuses Elasticsearch older than 7.14 before writing anything', async () => {
    const server = await new SearchServer('elasticsearch', { version: '7.10.2' }).start();
    try {
      await expect(run(server, [], { DESTINATION_AUTH: 'none' })).rejects.toThrow(/7\.10\.2 is too old/);
      expect(server.writes).toEqual([]);
    } finally {
      await server.stop();
    }
  });

  it.each<Flavor>(['elasticsearch', 'opensearch'])(
    'on %s without the retention plugin: stops before writing, names the plugin; --no-retention puts the template alone',
    async (flavor) => {
      const server = await new SearchServer(flavor, { noRetentionPlugin: true }).start();
      try {
        const env = { DESTINATION_URL: server.url, INDEX_PREFIX: 'cwl' };
        const deps = { env, printStage: noStage, print: () => undefined };
        await expect(runSearchSetup([], deps)).rejects.toThrow(
          flavor === 'elasticsearch' ? /no ILM .*--no-retention/ : /no ISM plugin .*--no-retention/,
        );
        expect(server.writes).toEqual([]);
        expect(await runSearchSetup(['--no-retention'], deps)).toBe(0);
        expect(server.writes.map((r) => `${r.method} ${r.url}`)).toEqual([
          'PUT /_index_template/logpipe-cwl',
        ]);
        const template = server.templates.get('logpipe-cwl') as { template: { settings: { index: object } } };
        expect(template.template.settings.index).not.toHaveProperty('lifecycle.name');
      } finally {
        await server.stop();
      }
    },
  );

  it('signs with SigV4 (service es) when the destination does', async () => {
    const server = await new SearchServer('opensearch').start();
    try {
      const output: string[] = [];
      await runSearchSetup([], {
        env: { DESTINATION_URL: server.url, DESTINATION_AUTH: 'sigv4', DESTINATION_REGION: 'ap-northeast-2' },
        printStage: noStage,
        print: (text) => output.push(text),
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      });
      for (const request of server.requests) {
        expect(request.headers.authorization).toMatch(
          /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-northeast-2\/es\/aws4_request, SignedHeaders=/,
        );
        expect(request.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(server.requests.length).toBeGreaterThan(4);
    } finally {
      await server.stop();
    }
  });
});
