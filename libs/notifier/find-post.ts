import { answers, type NotificationKeys } from './slack/alarm-keys';
import { CLOCK_MARGIN_MS, type EpisodeContext } from './episode';

/** The fallback look-up: one page of history from the state change on, by the post's keys. */
export async function findPost(
  ctx: EpisodeContext,
  keys: NotificationKeys,
  time: string,
): Promise<string | undefined> {
  const oldest = new Date(Date.parse(time) - CLOCK_MARGIN_MS);
  let cursor: string | undefined;
  for (let page = 0; page < ctx.config.historyPagesMax; page += 1) {
    const result = await ctx.slack.historyPage(ctx.channel, { oldest, cursor, limit: 200 });
    const found = result.messages
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
      .find((m) => answers(m, keys));
    if (found?.ts !== undefined) return found.ts;
    if (result.nextCursor === undefined) return undefined;
    cursor = result.nextCursor;
  }
  return undefined;
}
