/** "2024-01-01 09:00:00" in `timeZone`, plus its short zone name ("UTC", "GMT+9"). */
function wallClock(date: Date, timeZone: string): { text: string; zone: string } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    text: `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`,
    zone: get('timeZoneName'),
  };
}

/** The same instant in UTC and in the team's time zone, for people on both sides of it. */
export function formatTimes(date: Date, timeZone: string): { utc: string; local: string } {
  const utc = `${wallClock(date, 'UTC').text} UTC`;
  const local = wallClock(date, timeZone);
  return { utc, local: `${local.text} ${timeZone} (${local.zone})` };
}
