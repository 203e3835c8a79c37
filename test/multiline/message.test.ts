import { documentOptions, loadDocumentConfig } from '../../libs/forwarding/documents/config';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import { multilineForGroup } from '../../libs/forwarding/multiline';
import { DocumentStep } from '../../libs/forwarding/pipeline/document-step';
import { rulesFileFromText } from '../../libs/forwarding/rules-file';
import { eventId, logsData } from '../support/subscription';

const file = rulesFileFromText(
  JSON.stringify({ multiline: [{ name: 'traces', logGroups: ['/ecs/*'], start: '^\\d{4}-' }] }),
  'message.json',
);
const step = new DocumentStep(documentOptions(loadDocumentConfig({})), {
  multiline: multilineForGroup(file.multiline),
});

/** The indexed messages of one payload with these events' messages. */
async function messagesOf(messages: string[]): Promise<string[]> {
  const docs: LogDocument[] = [];
  const data = logsData(
    messages.map((message, i) => ({ message, id: eventId(i), timestamp: 1764410400000 + i })),
    { logGroup: '/ecs/orders', logStream: 'orders/1' },
  );
  await step.pushLogsData(data, {
    push: (doc) => void docs.push(doc),
    reject: (rejected) => {
      throw new Error(rejected.reason);
    },
  });
  return docs.map((doc) => doc._source.message);
}

describe('a joined message keeps what the events held', () => {
  it('keeps a last empty line (each event loses its own newline, no more)', async () => {
    expect(await messagesOf(['2026-11-29 10:00:00 ERROR x\n', '\tat a\n', '\n'])).toEqual([
      '2026-11-29 10:00:00 ERROR x\n\tat a\n',
    ]);
    expect(await messagesOf(['2026-11-29 10:00:00 ERROR x', '\tat a', '', ''])).toEqual([
      '2026-11-29 10:00:00 ERROR x\n\tat a\n\n',
    ]);
    expect(await messagesOf(['2026-11-29 10:00:00 ERROR x\r\n', '\r\n'])).toEqual([
      '2026-11-29 10:00:00 ERROR x\n',
    ]);
    expect(await messagesOf(['2026-11-29 10:00:00 ERROR x\r', '\n'])).toEqual([
      '2026-11-29 10:00:00 ERROR x\r\n',
    ]);
  });

  it('leaves other endings as they were', async () => {
    expect(await messagesOf(['2026-11-29 10:00:00 ERROR x\n', '\tat a\n'])).toEqual([
      '2026-11-29 10:00:00 ERROR x\n\tat a',
    ]);
    expect(await messagesOf(['2026-11-29 10:00:00 ERROR x', ' \r'])).toEqual([
      '2026-11-29 10:00:00 ERROR x\n \r',
    ]);
    expect(await messagesOf(['2026-11-29 10:00:00 INFO alone\n'])).toEqual([
      '2026-11-29 10:00:00 INFO alone',
    ]);
  });
});
