import type { ExporterConfig } from './config';
import type { GroupEntry, RunContext, RunSummary } from './context';
import { errorName } from './errors';
import { protectedFrom } from './late';
import { ALLOWED_RETENTION_DAYS, DAY_MS } from './time';

/** Extra time, beyond the margin, before an unexported event could expire: covers missed runs. */
export const RETENTION_HEADROOM_MS = DAY_MS;

export function smallestAllowedRetention(minDays: number): number {
  return ALLOWED_RETENTION_DAYS.find((days) => days >= minDays) ?? ALLOWED_RETENTION_DAYS.at(-1)!;
}

/**
 * Retention expires events by timestamp. Everything at or after the checkpoint is not exported
 * yet, nor are late events of windows not settled yet (late.ts: up to 14 days + 12 h after a
 * window's end, then until its follow-up export is verified). So the retention must outlast
 * (now - protectedFrom) + margin + headroom; callers pass protectedFrom as `checkpoint`. Raise as soon as it
 * falls short; lower only to the target computed with one more day, so it does not flap.
 * Returns the days to set, or undefined to leave the group alone.
 */
export function retentionChange(
  now: number,
  checkpoint: number,
  currentDays: number | undefined,
  config: Pick<ExporterConfig, 'retentionDays' | 'pruneMarginMs'>,
): number | undefined {
  const behind = Math.max(0, now - checkpoint);
  const requiredDays = Math.ceil((behind + config.pruneMarginMs + RETENTION_HEADROOM_MS) / DAY_MS);
  const target = smallestAllowedRetention(
    Math.max(
      config.retentionDays,
      Math.ceil((behind + config.pruneMarginMs + 2 * RETENTION_HEADROOM_MS) / DAY_MS),
    ),
  );
  if (currentDays === undefined) return target;
  if (currentDays < Math.max(requiredDays, config.retentionDays)) return target;
  if (currentDays > target) return target;
  return undefined;
}

export async function retentionStep(
  ctx: RunContext,
  entries: GroupEntry[],
  summary: RunSummary,
): Promise<void> {
  for (const entry of entries) {
    const { state } = entry.current;
    const days = retentionChange(ctx.now, protectedFrom(state), entry.group.retentionInDays, ctx.config);
    if (days === undefined) continue;
    const change = { logGroupName: entry.group.name, to: days } as RunSummary['retentionChanges'][number];
    if (entry.group.retentionInDays !== undefined) change.from = entry.group.retentionInDays;
    if (!ctx.config.dryRun) {
      try {
        await ctx.deps.logs.putRetentionPolicy({ logGroupName: entry.group.name, retentionInDays: days });
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') {
          summary.errors.push({ step: 'retention', logGroupName: entry.group.name, error });
        }
        continue;
      }
    }
    summary.retentionChanges.push(change);
  }
}
