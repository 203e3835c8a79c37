import {
  ilmPolicy,
  indexTemplate,
  ismPolicy,
  policyName,
  templateName,
  templatePriority,
  type SearchSettings,
} from '../../tools/search/artifacts';
import type { Engine } from '../../tools/search/engine';
import { runSearchSetup } from '../../tools/search/run';
import { savedObjects } from '../../tools/search/saved-objects';
import { SearchServer } from '../support/search-server';

/* eslint-disable @typescript-eslint/no-explicit-any -- artifact bodies read field by field */
const settings: SearchSettings = { indexPrefix: 'cwl', retentionDays: 14, dataStream: { namespace: 'prod' } };
const es = (version: string): Engine => ({ kind: 'elasticsearch', version, flatJson: true });
const os: Engine = { kind: 'opensearch', version: '2.11.0', flatJson: true };

describe('search:setup artifacts for data streams', () => {
  it('one template for logs-*-<namespace>, a data stream, above the built-in logs-*-* template', () => {
    const template = indexTemplate(settings, es('9.5.3')) as any;
    expect(templateName(settings)).toBe('logpipe-logs-prod');
    expect(template.index_patterns).toEqual(['logs-*-prod']);
    expect(template.data_stream).toEqual({});
    expect(template.priority).toBe(templatePriority(settings));
    // Above every daily template (200 + prefix of at most 255) and Elasticsearch's `logs` (100).
    expect(templatePriority(settings)).toBeGreaterThan(200 + 255);
    expect(template.template.mappings.properties['@timestamp'].type).toBe('date');
  });

  it('Elasticsearch 8.14+: data stream lifecycle in the template, no ILM', () => {
    const template = indexTemplate(settings, es('8.14.0')) as any;
    expect(template.template.lifecycle).toEqual({ data_retention: '14d' });
    expect(template.template.settings.index['lifecycle.name']).toBeUndefined();
    const bare = indexTemplate({ ...settings, withoutRetention: true }, es('9.5.3')) as any;
    expect(bare.template.lifecycle).toBeUndefined();
  });

  it('older Elasticsearch: ILM rolls over daily (or at 50 GB a shard), deletes N days after rollover', () => {
    const template = indexTemplate(settings, es('8.13.4')) as any;
    expect(template.template.lifecycle).toBeUndefined();
    expect(template.template.settings.index['lifecycle.name']).toBe(policyName(settings));
    const phases = (ilmPolicy(settings) as any).policy.phases;
    expect(phases.hot.actions.rollover).toEqual({ max_age: '1d', max_primary_shard_size: '50gb' });
    expect(phases.delete).toEqual({ min_age: '14d', actions: { delete: {} } });
  });

  it('OpenSearch: ISM rolls the stream over and deletes a backing index N days after its rollover', () => {
    const template = indexTemplate(settings, os) as any;
    expect(template.template.settings.index['lifecycle.name']).toBeUndefined();
    const policy = (ismPolicy(settings) as any).policy;
    expect(policy.states[0].actions).toEqual([
      { rollover: { min_index_age: '1d', min_primary_shard_size: '50gb' } },
    ]);
    expect(policy.states[0].transitions).toEqual([
      { state_name: 'delete', conditions: { min_rollover_age: '14d' } },
    ]);
    expect(policy.ism_template).toEqual([{ index_patterns: ['logs-*-prod'], priority: 500 }]);
  });

  it('the data view covers every stream of the namespace', () => {
    const [dataView] = savedObjects(settings, 'elasticsearch');
    expect(dataView).toMatchObject({ id: 'logpipe-logs-prod', attributes: { title: 'logs-*-prod' } });
  });
});

describe('search:setup in data stream mode, against a loopback engine', () => {
  const cases: Array<[string, 'elasticsearch' | 'opensearch', string, string[]]> = [
    ['Elasticsearch 9', 'elasticsearch', '9.5.3', ['PUT /_index_template/logpipe-logs-prod']],
    [
      'Elasticsearch 8.13',
      'elasticsearch',
      '8.13.4',
      ['PUT /_ilm/policy/logpipe-logs-prod-retention', 'PUT /_index_template/logpipe-logs-prod'],
    ],
    [
      'OpenSearch 2',
      'opensearch',
      '2.15.0',
      ['PUT /_plugins/_ism/policies/logpipe-logs-prod-retention', 'PUT /_index_template/logpipe-logs-prod'],
    ],
  ];
  it.each(cases)(
    '%s: writes only the template and its lifecycle, then nothing',
    async (_, flavor, version, writes) => {
      const server = await new SearchServer(flavor, { version }).start();
      // A daily index of the same stage: never touched in data stream mode.
      server.indices.set('cwl-2024.11.20', null);
      try {
        const output: string[] = [];
        const deps = {
          env: { DESTINATION_URL: server.url, INDEX_MODE: 'datastream', DATA_STREAM_NAMESPACE: 'prod' },
          printStage: async () => ({}),
          print: (text: string) => output.push(text),
        };
        expect(await runSearchSetup([], deps)).toBe(0);
        expect(output[0]).toContain('data streams logs-*-prod');
        expect(server.writes.map((w) => `${w.method} ${w.url.split('?')[0]}`)).toEqual(writes);
        expect(server.indices.get('cwl-2024.11.20')).toBeNull();
        const before = server.writes.length;
        expect(await runSearchSetup([], deps)).toBe(0);
        expect(server.writes.length).toBe(before);
      } finally {
        await server.stop();
      }
    },
  );
});
