import { documentsFromLogsData } from '../../libs/forwarding/documents';
import { documentOptions, loadDocumentConfig } from '../../libs/forwarding/documents/config';
import { logsData } from '../support/subscription';
import { applyRules, doc, routed, rules } from './helpers';

const accessRule = {
  name: 'accesslog',
  match: { fields: [{ field: 'logtype', equals: 'accesslog' }] },
  parse: { type: 'regex', pattern: 'nginx_combined' },
  index: { prefix: 'accesslog', date: 'monthly' },
};
const line = (path: string, code = 200) =>
  `10.0.0.1 - - [31/Oct/2024:23:30:00 +0000] "GET ${path} HTTP/1.1" ${code} 12 "-" "curl/8"`;

describe('matching', () => {
  it('the first matching rule decides; unmatched documents keep the default index', () => {
    const list = rules([accessRule, { ...accessRule, name: 'never', index: { prefix: 'other' } }]);
    expect(applyRules(list, doc({ logtype: 'accesslog', message: line('/') }))).toMatchObject({
      kind: 'routed',
      rule: 'accesslog',
    });
    expect(applyRules(list, doc({ logtype: 'app' }))).toMatchObject({
      kind: 'unmatched',
      doc: { _index: 'cwl-2024.11.20' },
    });
  });

  it('by log group and stream globs, and field conditions (in, regex, glob, exists)', () => {
    const list = rules([
      {
        name: 'group',
        match: { logGroup: '/aws/eks/*/access', logStream: 'web-?' },
        index: { prefix: 'eks' },
      },
      { name: 'in', match: { fields: [{ field: 'k8s.ns', in: ['shop', 'cart'] }] }, index: { prefix: 'in' } },
      {
        name: 'regex',
        match: { fields: [{ field: 'code', regex: '^5\\d\\d$' }] },
        index: { prefix: 'errors' },
      },
      {
        name: 'exists',
        match: { fields: [{ field: 'trace_id', exists: true }] },
        index: { prefix: 'traced' },
      },
    ]);
    const ruleOf = (d: ReturnType<typeof doc>) => {
      const outcome = applyRules(list, d);
      return outcome.kind === 'routed' ? outcome.rule : outcome.kind;
    };
    const grouped = doc({}, '/aws/eks/shop/access');
    grouped._source.aws.cloudwatch!.log_stream = 'web-1';
    expect(ruleOf(grouped)).toBe('group');
    expect(ruleOf(doc({}, '/aws/eks/shop/error'))).toBe('unmatched');
    expect(ruleOf(doc({ k8s: { ns: 'cart' } }))).toBe('in');
    expect(ruleOf(doc({ code: 503 }))).toBe('regex');
    expect(ruleOf(doc({ trace_id: 'abc' }))).toBe('exists');
    expect(ruleOf(doc({ trace_id: undefined }))).toBe('unmatched');
  });
});

describe('filters and field edits', () => {
  it('include keeps only matching documents, exclude drops matching ones (after parsing)', () => {
    const list = rules([
      {
        ...accessRule,
        include: [{ field: 'method', in: ['GET', 'POST'] }],
        exclude: [{ field: 'path', glob: '/health*' }],
      },
    ]);
    const outcome = (message: string) => applyRules(list, doc({ logtype: 'accesslog', message })).kind;
    expect(outcome(line('/orders'))).toBe('routed');
    expect(outcome(line('/healthz'))).toBe('excluded');
    expect(outcome(line('/orders').replace('GET', 'DELETE'))).toBe('excluded');
  });

  it('rename, add and drop, in that order', () => {
    const list = rules([
      {
        ...accessRule,
        rename: { remote: 'client.ip', agent: 'user_agent.original' },
        add: { service: 'web', labels: { team: 'shop' } },
        drop: ['host', 'user', 'message', 'time'],
      },
    ]);
    const first = routed(applyRules(list, doc({ logtype: 'accesslog', message: line('/a') })))._source;
    expect(first).toMatchObject({
      client: { ip: '10.0.0.1' },
      user_agent: { original: 'curl/8' },
      service: 'web',
      labels: { team: 'shop' },
    });
    for (const gone of ['remote', 'agent', 'host', 'user', 'message', 'time'])
      expect(first[gone]).toBeUndefined();
    // Added objects are copies: editing one document does not change the next.
    (first.labels as Record<string, string>).team = 'changed';
    const second = routed(applyRules(list, doc({ logtype: 'accesslog', message: line('/b') })))._source;
    expect(second.labels).toEqual({ team: 'shop' });
  });
});

describe('index routing by the event time', () => {
  const at = (date: Record<string, unknown>, timeZone = 'UTC') =>
    routed(
      applyRules(
        rules([{ ...accessRule, index: { prefix: 'accesslog', ...date } }], timeZone),
        doc({ logtype: 'accesslog', message: line('/') }),
      ),
    )._index;

  it('monthly (seed: accesslog-%{+YYYYMM}), daily, none and custom patterns', () => {
    expect(at({ date: 'monthly' })).toBe('accesslog-202410');
    expect(at({ date: 'daily' })).toBe('accesslog-2024.10.31');
    expect(at({ date: 'none' })).toBe('accesslog');
    expect(at({ date: 'YYYY-MM' })).toBe('accesslog-2024-10');
  });

  it('the date is cut in the rule time zone, else INDEX_TIMEZONE', () => {
    expect(at({ date: 'monthly', timeZone: 'Asia/Seoul' })).toBe('accesslog-202411');
    expect(at({ date: 'daily' }, 'Asia/Seoul')).toBe('accesslog-2024.11.01');
  });

  it('a line that failed to parse still gets its rule index, by arrival time', () => {
    const outcome = applyRules(rules([accessRule]), doc({ logtype: 'accesslog', message: 'garbage' }));
    expect(outcome).toMatchObject({ kind: 'routed', failed: true, doc: { _index: 'accesslog-202411' } });
  });
});

describe('rules and the serialiser', () => {
  it('a rule that edits inside json is serialised from the edited objects, not the original text', () => {
    const [built] = [
      ...documentsFromLogsData(
        logsData([{ message: '{"level":"warn","ms":"12","secret":"x"}' }]),
        documentOptions(loadDocumentConfig({})),
        () => {},
      ),
    ];
    const list = rules([
      {
        name: 'json',
        match: { logGroup: '/aws/lambda/*' },
        types: { 'json.ms': 'integer' },
        drop: ['json.secret'],
      },
    ]);
    const encoded = JSON.stringify(routed(applyRules(list, built!))._source);
    expect(JSON.parse(encoded).json).toEqual({ level: 'warn', ms: 12 });
  });
});
