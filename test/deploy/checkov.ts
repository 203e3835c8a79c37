import { spawnSync } from 'node:child_process';
import { venvBin } from '../../tools/peers/python-tools';
import { MIN_REASON_CHARS } from '../../resources/lib/checkov';

/**
 * checkov (pinned in tools/peers/requirements.txt) on packaged templates, as a security reviewer
 * runs it, offline. A finding the stack accepts is skipped on its resource
 * (`Metadata.checkov.skip`, written by resources/lib/checkov.js), so every failed check here is
 * one nobody has answered yet: fix the resource, or add its check id and reason where the
 * resource is declared (a generator's withCheckovSkips / checkovSkips, or resources/security.js
 * for what the framework declares).
 */

export type Finding = {
  checkId: string;
  checkName: string;
  resource: string; // "AWS::S3::Bucket.DeadLetterBucket"
  reason?: string; // the skip's comment
};
export type FileReport = { passed: number; failed: Finding[]; skipped: Finding[] };

type RawCheck = {
  check_id: string;
  check_name: string;
  resource: string;
  file_abs_path: string;
  check_result: { result: string; suppress_comment?: string };
};
type RawReport = {
  check_type: string;
  results: { passed_checks: RawCheck[]; failed_checks: RawCheck[]; skipped_checks: RawCheck[] };
};

export class CheckovError extends Error {
  override name = 'CheckovError';
}

/** One checkov run over every file (its start-up is most of its time): a report per file. */
export function runCheckov(files: string[]): Map<string, FileReport> {
  const result = spawnSync(
    venvBin('checkov'),
    [
      ...files.flatMap((file) => ['-f', file]),
      '--framework',
      'cloudformation',
      '--output',
      'json',
      '--compact',
      // Offline: no download of Prisma Cloud's guidelines or policies.
      '--skip-download',
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, BC_API_KEY: '' } },
  );
  // Exit code 1 means failed checks, which the report lists; anything else is checkov failing.
  if (result.error || (result.status !== 0 && result.status !== 1))
    throw new CheckovError(
      `checkov failed: ${result.error?.message ?? `exit ${result.status}`}\n${result.stderr.slice(-2000)}`,
    );
  const parsed = JSON.parse(result.stdout) as RawReport | RawReport[];
  const reports = (Array.isArray(parsed) ? parsed : [parsed]).filter(
    (r) => r.check_type === 'cloudformation',
  );
  const byFile = new Map<string, FileReport>(
    files.map((file) => [file, { passed: 0, failed: [], skipped: [] }]),
  );
  const finding = (check: RawCheck): Finding => ({
    checkId: check.check_id,
    checkName: check.check_name,
    resource: check.resource,
    ...(check.check_result.suppress_comment === undefined
      ? {}
      : { reason: check.check_result.suppress_comment }),
  });
  for (const report of reports) {
    const of = (check: RawCheck) => {
      const file = byFile.get(check.file_abs_path);
      if (file === undefined)
        throw new CheckovError(`checkov reported on ${check.file_abs_path}, not asked for`);
      return file;
    };
    for (const check of report.results.passed_checks ?? []) of(check).passed++;
    for (const check of report.results.failed_checks ?? []) of(check).failed.push(finding(check));
    for (const check of report.results.skipped_checks ?? []) of(check).skipped.push(finding(check));
  }
  return byFile;
}

/**
 * What a reviewer would object to: a failed check, or a skip without a reason that says
 * why (shorter than resources/lib/checkov.js accepts).
 */
export function checkovProblems(report: FileReport): string[] {
  return [
    ...report.failed.map(
      (f) =>
        `${f.resource}: ${f.checkId} failed (${f.checkName}): fix it, or skip it on the resource with its reason (resources/lib/checkov.js)`,
    ),
    ...report.skipped
      .filter((f) => (f.reason ?? '').trim().length < MIN_REASON_CHARS)
      .map((f) => `${f.resource}: ${f.checkId} skipped without a specific reason ("${f.reason ?? ''}")`),
  ];
}
