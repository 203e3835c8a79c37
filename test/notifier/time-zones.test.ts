import { buildAlarmMessage } from '../../libs/notifier/slack/alarm-message';
import { fixtureAlarm } from './fixtures';

/** NOTIFIER_TIME_ZONE is a second zone next to UTC; UTC, the default, shows the time once. */
const times = (timeZone: string) =>
  JSON.stringify(
    buildAlarmMessage(fixtureAlarm('single-metric-alarm'), { stage: 'dev', timeZone, maxLineChars: 500 }),
  ).match(/\*Time \([^)]+\)\*/g);

it('shows UTC alone by default and a second zone only when one is set', () => {
  expect(times('UTC')).toEqual(['*Time (UTC)*']);
  expect(times('Europe/Berlin')).toEqual(['*Time (UTC)*', '*Time (Europe/Berlin)*']);
});
