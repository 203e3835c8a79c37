import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { breachWindow, EVALUATION_DELAY_MS } from '../../libs/notifier/alarms/breach-window';
import { findLogLines, LogLookupError } from '../../libs/notifier/alarms/log-lines';
import { fixtureAlarm } from './fixtures';

const logs = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'ap-northeast-2' });

const filters = {
  metricFilters: [
    {
      filterName: 'zero',
      logGroupName: '/aws/lambda/logpipe-dev-forwarder',
      filterPattern: '',
      metricTransformations: [
        { metricName: 'forwarder-logTypeError', metricNamespace: 'logpipe/dev', metricValue: '0' },
      ],
    },
    {
      filterName: 'errors',
      logGroupName: '/aws/lambda/logpipe-dev-forwarder',
      filterPattern: '{ $.logType = "ERROR" }',
      metricTransformations: [
        { metricName: 'forwarder-logTypeError', metricNamespace: 'logpipe/dev', metricValue: '1' },
      ],
    },
  ],
};

beforeEach(() => logs.reset());

describe('breachWindow', () => {
  const base = fixtureAlarm('single-metric-alarm');
  const changed = new Date('2026-11-21T10:15:00Z');
  it('spans the datapoints the reason names, each with its period', () => {
    const reason =
      'Threshold Crossed: 2 out of the last 3 datapoints [5.0 (21/11/26 10:11:00), 3.0 (21/11/26 10:09:00)] were greater than the threshold';
    expect(breachWindow({ ...base, reason, stateChangeTime: changed })).toEqual({
      start: new Date('2026-11-21T10:09:00Z'),
      end: new Date('2026-11-21T10:12:00Z'),
    });
  });
  it('without datapoints: the evaluation periods before the change, widened for the evaluation delay', () => {
    const window = breachWindow({ ...base, reason: 'set by hand', stateChangeTime: changed });
    expect(window?.end).toEqual(changed);
    expect(changed.getTime() - (window?.start.getTime() ?? 0)).toBe(60_000 + EVALUATION_DELAY_MS);
  });
});

describe('findLogLines', () => {
  it('finds the filter by metric, skips the zero-value companion, searches the evaluation window', async () => {
    logs.on(DescribeMetricFiltersCommand).resolves(filters);
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        { timestamp: 1, message: '{"logType":"ERROR","errorCode":"DA00012"}', logStreamName: 's1' },
        { timestamp: 2, message: '{"logType":"ERROR","errorCode":"DA00013"}', logStreamName: 's1' },
      ],
    });
    const found = await findLogLines(client, fixtureAlarm('single-metric-alarm'), { maxLines: 10 });
    expect(logs.commandCalls(DescribeMetricFiltersCommand)[0]?.args[0].input).toEqual({
      metricName: 'forwarder-logTypeError',
      metricNamespace: 'logpipe/dev',
    });
    const search = logs.commandCalls(FilterLogEventsCommand);
    expect(search).toHaveLength(1);
    expect(search[0]?.args[0].input).toMatchObject({
      logGroupName: '/aws/lambda/logpipe-dev-forwarder',
      filterPattern: '{ $.logType = "ERROR" }',
      // The period the reason names ("[3.0 (21/11/26 10:14:00)]"), not the minute before the change.
      startTime: Date.parse('2026-11-21T10:14:00Z'),
      endTime: Date.parse('2026-11-21T10:15:00Z'),
      limit: 10,
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ logGroup: '/aws/lambda/logpipe-dev-forwarder', more: false });
    expect(found[0]?.lines.map((l) => l.message)).toEqual([
      '{"logType":"ERROR","errorCode":"DA00012"}',
      '{"logType":"ERROR","errorCode":"DA00013"}',
    ]);
    expect(found[0]?.insights.query).toContain('| filter logType = "ERROR"');
  });

  it('pages until it has N lines and says there are more', async () => {
    logs.on(DescribeMetricFiltersCommand).resolves(filters);
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [], nextToken: 't1' })
      .resolvesOnce({
        events: [
          { timestamp: 1, message: 'a' },
          { timestamp: 2, message: 'b' },
        ],
        nextToken: 't2',
      })
      .resolves({ events: [{ timestamp: 3, message: 'c' }], nextToken: 't3' });
    const found = await findLogLines(client, fixtureAlarm('single-metric-alarm'), { maxLines: 3 });
    expect(found[0]?.lines.map((l) => l.message)).toEqual(['a', 'b', 'c']);
    expect(found[0]?.more).toBe(true);
    const calls = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.nextToken, c.limit])).toEqual([
      [undefined, 3],
      ['t1', 3],
      ['t2', 1],
    ]);
  });

  it('stops paging after maxPages even if the search is not done', async () => {
    logs.on(DescribeMetricFiltersCommand).resolves(filters);
    logs.on(FilterLogEventsCommand).resolves({ events: [], nextToken: 'again' });
    const found = await findLogLines(client, fixtureAlarm('single-metric-alarm'), {
      maxLines: 5,
      maxPages: 4,
    });
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(4);
    expect(found[0]).toMatchObject({ lines: [], more: true });
  });

  it('stops searching further filters once N lines are found', async () => {
    const second = { ...filters.metricFilters[1], logGroupName: '/ecs/other' };
    logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [...filters.metricFilters, second] });
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        { timestamp: 1, message: 'a' },
        { timestamp: 2, message: 'b' },
      ],
    });
    const found = await findLogLines(client, fixtureAlarm('single-metric-alarm'), { maxLines: 2 });
    expect(found.map((f) => f.logGroup)).toEqual(['/aws/lambda/logpipe-dev-forwarder']);
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(1);
  });

  it('looks up every MetricStat of a metric-math alarm', async () => {
    logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
    const found = await findLogLines(client, fixtureAlarm('metric-math-alarm'), { maxLines: 5 });
    expect(found).toEqual([]);
    expect(logs.commandCalls(DescribeMetricFiltersCommand).map((c) => c.args[0].input.metricName)).toEqual([
      'Errors',
      'Invocations',
    ]);
  });

  it('does nothing for composite alarms', async () => {
    expect(await findLogLines(client, fixtureAlarm('composite-alarm'), { maxLines: 5 })).toEqual([]);
    expect(logs.calls()).toHaveLength(0);
  });

  it('wraps AWS failures in LogLookupError with the cause', async () => {
    logs
      .on(DescribeMetricFiltersCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const error = await findLogLines(client, fixtureAlarm('single-metric-alarm'), { maxLines: 5 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LogLookupError);
    expect((error as Error).cause).toMatchObject({ name: 'AccessDeniedException' });
  });
});
