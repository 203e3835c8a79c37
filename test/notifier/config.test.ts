import { ConfigError } from '../../libs/runtime/errors';
import { channelFor, loadNotifierConfig } from '../../libs/notifier/config';

describe('loadNotifierConfig', () => {
  it('has working defaults with nothing set (no Slack: print mode)', () => {
    expect(loadNotifierConfig({})).toEqual({
      stage: 'local',
      timeZone: 'UTC',
      token: undefined,
      channel: '#alarms',
      routes: [],
      mention: undefined,
      postInsufficientData: false,
      maxLogLines: 10,
      maxLineChars: 500,
      threadLookbackHours: 24,
      stormThreshold: 10,
      historyPagesMax: 5,
      slackApiUrl: undefined,
    });
  });

  it('reads the token location from Secrets Manager or SSM', () => {
    expect(loadNotifierConfig({ SLACK_TOKEN_SECRET: 's', SLACK_CHANNEL: 'C1' }).token).toEqual({
      store: 'secretsmanager',
      id: 's',
    });
    expect(loadNotifierConfig({ SLACK_TOKEN_PARAMETER: '/p', SLACK_CHANNEL: 'C1' }).token).toEqual({
      store: 'ssm',
      id: '/p',
    });
  });

  it.each([
    [{ SLACK_TOKEN_SECRET: 's', SLACK_TOKEN_PARAMETER: 'p', SLACK_CHANNEL: 'C1' }, 'SLACK_TOKEN_SECRET'],
    [{ SLACK_TOKEN_SECRET: 's' }, 'SLACK_CHANNEL'],
    [{ NOTIFIER_TIME_ZONE: 'Mars/Olympus' }, 'NOTIFIER_TIME_ZONE'],
    [{ SLACK_MENTION_ON_ALARM: '@here' }, 'SLACK_MENTION_ON_ALARM'],
    [{ SLACK_CHANNEL_ROUTES: 'nochannel' }, 'SLACK_CHANNEL_ROUTES'],
    [{ LOG_LINES_MAX: '100' }, 'LOG_LINES_MAX'],
    [{ POST_INSUFFICIENT_DATA: 'maybe' }, 'POST_INSUFFICIENT_DATA'],
    [{ SLACK_API_URL: 'ftp://x' }, 'SLACK_API_URL'],
  ])('rejects %j naming %s', (env, variable) => {
    const error = (() => {
      try {
        loadNotifierConfig(env);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable });
  });

  it('adds the trailing slash the Web API client needs', () => {
    expect(loadNotifierConfig({ SLACK_API_URL: 'http://127.0.0.1:9/api' }).slackApiUrl).toBe(
      'http://127.0.0.1:9/api/',
    );
  });

  it('routes by the longest matching alarm name prefix', () => {
    const config = loadNotifierConfig({
      SLACK_CHANNEL: 'C0DEFAULT',
      SLACK_TOKEN_SECRET: 's',
      SLACK_CHANNEL_ROUTES: 'critical-=C0CRIT, critical-payments-=C0PAY',
    });
    expect(channelFor(config, 'critical-payments-5xx')).toBe('C0PAY');
    expect(channelFor(config, 'critical-db')).toBe('C0CRIT');
    expect(channelFor(config, 'warn-disk')).toBe('C0DEFAULT');
    expect(channelFor(config, undefined)).toBe('C0DEFAULT');
  });
});
