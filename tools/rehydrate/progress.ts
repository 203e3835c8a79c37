import type { RehydrateProgress, RehydrateSummary } from './rehydrate';

const MiB = 1024 * 1024;

function size(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / 1024 / MiB).toFixed(1)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

function count(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : String(n);
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)}h${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')}m`;
  if (seconds >= 60)
    return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.round(seconds)}s`;
}

/** One line for a terminal: objects, events, bytes, rate and ETA (by compressed bytes). */
export function progressLine(progress: RehydrateProgress, elapsedMs: number, width = 20): string {
  const total = progress.objects - progress.skipped;
  const finished = progress.done + progress.failed;
  const bytesTotal = Math.max(1, progress.totalBytes);
  const fraction = Math.min(1, progress.read.bytes / bytesTotal);
  const filled = Math.round(fraction * width);
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? progress.read.bytes / seconds : 0;
  const eta = rate > 0 ? (bytesTotal - progress.read.bytes) / rate : Infinity;
  return (
    `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` +
    `objects ${finished}/${total}` +
    (progress.failed > 0 ? ` (${progress.failed} failed)` : '') +
    `  events ${count(progress.read.events)}  ${size(progress.read.bytes)}/${size(progress.totalBytes)}` +
    `  ${(rate / MiB).toFixed(1)} MiB/s  ${count(Math.round(seconds > 0 ? progress.read.events / seconds : 0))} ev/s` +
    `  ETA ${duration(eta)}`
  );
}

/** The plain summary printed at the end (and the only output when not on a terminal). */
export function describeSummary(summary: RehydrateSummary, elapsedMs: number, dryRun: boolean): string {
  if (dryRun) {
    const lines = summary.items.map(
      (item) =>
        `${item.layout}  ${size(item.bytes).padStart(10)}  ${item.id}` +
        (item.keys.length > 1 ? ` (+${item.keys.length - 1} parts)` : ''),
    );
    lines.push(
      `dry run: ${summary.objects} objects (${size(summary.totalBytes)}) would be read, ` +
        `${summary.skipped} of them already done by an earlier run (checkpoint)`,
    );
    return lines.join('\n');
  }
  const seconds = elapsedMs / 1000;
  const { read, report } = summary;
  const lines = [
    `${summary.done} of ${summary.objects - summary.skipped} objects rehydrated` +
      (summary.skipped > 0 ? ` (${summary.skipped} done by an earlier run, skipped)` : '') +
      `, ${summary.failed} failed; ${size(read.bytes)} read in ${duration(seconds)} ` +
      `(${seconds > 0 ? (read.bytes / MiB / seconds).toFixed(1) : '0'} MiB/s, ${seconds > 0 ? Math.round(read.events / seconds) : 0} events/s)`,
    `${read.events} events of the range: ${report.delivered} documents indexed, ${report.duplicates} already there (409), ` +
      `${report.dead_lettered} dead-lettered (${report.rejected} could not become documents), ${report.failed} not delivered` +
      (read.alreadyIndexed > 0
        ? `; ${read.alreadyIndexed} exported lines found already indexed, not sent`
        : '') +
      (summary.skippedRawLines > 0
        ? `; ${summary.skippedRawLines} raw lines without a log group skipped`
        : ''),
  ];
  for (const failure of summary.failures.slice(0, 10)) lines.push(`failed: ${failure.id}: ${failure.error}`);
  if (summary.failures.length > 10) lines.push(`… and ${summary.failures.length - 10} more failed objects`);
  if (summary.stopped !== undefined) lines.push(`stopped: ${summary.stopped}`);
  if (summary.failed > 0 || summary.stopped !== undefined)
    lines.push('run the same command again to resume: objects done are skipped');
  return lines.join('\n');
}
