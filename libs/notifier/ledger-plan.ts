/**
 * What the channel should show for one alarm, decided from the state changes the ledger holds
 * (pure: no AWS, no Slack). Every ALARM change opens an episode with a top-level post; the next
 * change after it (by StateChangeTime, not by arrival) ends it: an OK or INSUFFICIENT_DATA is its
 * reply and resolves the post, another ALARM means the OK in between has not arrived yet (the
 * post is closed without a reply until it does). A change that is not an ALARM threads under the
 * ALARM right before it; without one it waits for that ALARM (out of order) or, when it does not
 * follow an ALARM at all (INSUFFICIENT_DATA from OK), is a post of its own.
 */

/** One state change of an alarm as the ledger stores it, with what was done for it in Slack. */
export interface LedgerChange {
  /** StateChangeTime, ISO (the sort key: `change#<time>`). */
  time: string;
  state: string;
  oldState?: string;
  messageId?: string;
  /** The SNS Message (the alarm JSON): any invocation can build this change's reply from it. */
  notification?: string;
  subject?: string;
  /** Its top-level post (an ALARM, or a change posted on its own). */
  postTs?: string;
  postChannel?: string;
  /** The post as first sent (JSON of the SlackMessage), to mark it resolved without reading it back. */
  postMessage?: string;
  /** Set when the episode is a line of a storm summary (`postTs`): the summary's ledger key. */
  summary?: string;
  /** What the post shows now (`shownOf`); differs from the plan's until chat.update ran. */
  shown?: string;
  /** Set before the post is sent: found with no `postTs`, the answer was lost (look in history). */
  postStartedAt?: number;
  /** Its thread reply and the post it is under. */
  replyTs?: string;
  replyParent?: string;
  replyStartedAt?: number;
}

export type EpisodeEnd =
  | { kind: 'change'; change: LedgerChange }
  /** Another ALARM followed: the OK in between is still to come. */
  | { kind: 'superseded'; next: LedgerChange };

export type Role =
  | { kind: 'episode'; end?: EpisodeEnd }
  | { kind: 'reply'; parent: LedgerChange }
  | { kind: 'waiting' }
  | { kind: 'standalone' };

export const byTime = (a: LedgerChange, b: LedgerChange) => Date.parse(a.time) - Date.parse(b.time);

/** The role of every change (by its time), from the changes sorted by StateChangeTime. */
export function planOf(changes: LedgerChange[]): Map<string, Role> {
  const sorted = [...changes].sort(byTime);
  const roles = new Map<string, Role>();
  sorted.forEach((change, i) => {
    const previous = sorted[i - 1];
    const next = sorted[i + 1];
    if (change.state === 'ALARM') {
      const end: EpisodeEnd | undefined =
        next === undefined
          ? undefined
          : next.state === 'ALARM'
            ? { kind: 'superseded', next }
            : { kind: 'change', change: next };
      roles.set(change.time, { kind: 'episode', ...(end ? { end } : {}) });
    } else if (previous?.state === 'ALARM') {
      roles.set(change.time, { kind: 'reply', parent: previous });
    } else if (change.oldState === 'ALARM') {
      roles.set(change.time, { kind: 'waiting' });
    } else {
      roles.set(change.time, { kind: 'standalone' });
    }
  });
  return roles;
}

/** A short word for what an episode's post shows, stored as `shown` once Slack has it. */
export function shownOf(role: Role): string {
  if (role.kind !== 'episode' || role.end === undefined) return 'open';
  if (role.end.kind === 'superseded') return `superseded:${role.end.next.time}`;
  return `ended:${role.end.change.state}:${role.end.change.time}`;
}

/** ALARM episodes that started in the day before `at`: how often the alarm flapped. */
export function episodesInDay(changes: LedgerChange[], at: string): number {
  const end = Date.parse(at);
  return changes.filter((c) => {
    const t = Date.parse(c.time);
    return c.state === 'ALARM' && t <= end && t > end - 86_400_000;
  }).length;
}
