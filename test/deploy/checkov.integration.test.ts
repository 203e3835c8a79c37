import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkovProblems, runCheckov, type FileReport } from './checkov';
import { withCheckovSkips } from '../../resources/lib/checkov';

/**
 * The checkov harness on small templates that break its rule in each way (package.integration.test.ts runs
 * it on every stage): a finding nobody answered, a skip whose reason says nothing, and a skip
 * with its reason, the way resources/lib/checkov.js writes it.
 */
const dir = mkdtempSync(join(tmpdir(), 'checkov-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const queue = (name: string) => ({
  Type: 'AWS::SQS::Queue',
  Properties: { QueueName: name, SqsManagedSseEnabled: true },
});
const template = (resources: Record<string, unknown>) => {
  const file = join(dir, `${Object.keys(resources).join('-')}.json`);
  writeFileSync(
    file,
    JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: resources }, null, 2),
  );
  return file;
};

const unanswered = template({ Unanswered: queue('a') });
const vague = template({
  Vague: { ...queue('b'), Metadata: { checkov: { skip: [{ id: 'CKV_AWS_27', comment: 'n/a' }] } } },
});
const reason = 'No encryptionKey in this test: SQS-managed keys encrypt the queue at rest.';
const answered = template({ Answered: withCheckovSkips(queue('c'), { CKV_AWS_27: reason }) });
let reports: Map<string, FileReport>;
beforeAll(() => {
  reports = runCheckov([unanswered, vague, answered]);
}, 120_000);

describe('checkov on a template (test/deploy/checkov.ts)', () => {
  it('reports a failed check nobody answered, naming the resource and the check', () => {
    expect(reports.get(unanswered)!.failed).toEqual([
      expect.objectContaining({ checkId: 'CKV_AWS_27', resource: 'AWS::SQS::Queue.Unanswered' }),
    ]);
    expect(checkovProblems(reports.get(unanswered)!)).toEqual([
      expect.stringContaining('AWS::SQS::Queue.Unanswered: CKV_AWS_27 failed'),
    ]);
  });

  it('refuses a skip whose reason says nothing', () => {
    expect(reports.get(vague)!.failed).toEqual([]);
    expect(checkovProblems(reports.get(vague)!)).toEqual([
      'AWS::SQS::Queue.Vague: CKV_AWS_27 skipped without a specific reason ("n/a")',
    ]);
  });

  it('accepts a skip written on the resource with its reason, and reads the reason back', () => {
    expect(checkovProblems(reports.get(answered)!)).toEqual([]);
    expect(reports.get(answered)!.skipped).toEqual([
      expect.objectContaining({ checkId: 'CKV_AWS_27', resource: 'AWS::SQS::Queue.Answered', reason }),
    ]);
  });
});
