import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSnsMessage } from '../../libs/notifier/alarms/parse';
import type { AlarmNotification } from '../../libs/notifier/alarms/types';

export const FIXTURE_DIR = join(__dirname, '..', 'fixtures', 'notifier');

/** Every SNS fixture by file name (without .json). */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

export function loadEvent(name: string): {
  Records: {
    Sns: { Message: string; Subject?: string; TopicArn?: string; Timestamp?: string; MessageId?: string };
  }[];
} {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8'));
}

/** The SNS Message of a fixture, parsed as the alarm JSON it holds. */
export function alarmJson(name: string): Record<string, unknown> {
  return JSON.parse(loadEvent(name).Records[0]?.Sns.Message ?? '{}');
}

/** The parsed alarm of a fixture; throws if the fixture is not an alarm. */
export function fixtureAlarm(name: string): AlarmNotification {
  const parsed = parseSnsMessage(loadEvent(name).Records[0]?.Sns.Message);
  if (parsed.type !== 'alarm') throw new Error(`${name} did not parse as an alarm`);
  return parsed.alarm;
}
