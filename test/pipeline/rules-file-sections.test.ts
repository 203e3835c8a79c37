import type { CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';
import { documentOptions, loadDocumentConfig } from '../../libs/forwarding/documents/config';
import type { DocumentSink } from '../../libs/forwarding/documents/guard';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import { multilineForGroup } from '../../libs/forwarding/multiline';
import { DocumentStep, newRuleCounts } from '../../libs/forwarding/pipeline/document-step';
import { rulesFileFromText } from '../../libs/forwarding/rules-file';
import { eventId, logsData } from '../support/subscription';

// Every section of one rules file on one stream: multiline joins the trace, filters drop the
// health check, masks replace the address, in that order, on the forwarder's and the splitter's paths.
const file = rulesFileFromText(
  JSON.stringify({
    multiline: [{ name: 'traces', logGroups: ['/ecs/orders'], start: '^\\d{4}-' }],
    filters: [{ name: 'health', logGroups: ['/ecs/*'], exclude: ['GET /health'] }],
    masks: [{ name: 'pii', logGroups: ['*'], builtins: ['email'] }],
  }),
  'sections.json',
);
// As loadDocumentStep builds it at cold start.
const documentStep = () =>
  new DocumentStep(documentOptions(loadDocumentConfig({})), {
    rules: file.rules,
    messages: file.messages,
    multiline: multilineForGroup(file.multiline),
  });

const lines = [
  '2026-11-29 10:00:00 ERROR order failed for ana@example.com',
  '\tat com.example.Orders.place(Orders.java:42)',
  '\tat com.example.Web.post(Web.java:7)',
  '2026-11-29 10:00:01 INFO GET /health 200',
  '2026-11-29 10:00:02 INFO done',
];
const payload = (from: number, to: number): CloudWatchLogsData =>
  logsData(
    lines
      .slice(from, to)
      .map((message, i) => ({ message, id: eventId(from + i), timestamp: 1764410400000 + from + i })),
    { logGroup: '/ecs/orders', logStream: 'orders/web/1' },
  );

function collect(): { docs: LogDocument[]; sink: DocumentSink } {
  const docs: LogDocument[] = [];
  return {
    docs,
    sink: {
      push: (doc) => void docs.push(doc),
      reject: (rejected) => {
        throw new Error(`unexpected reject: ${rejected.reason}`);
      },
    },
  };
}

describe('multiline, filters and masks together', () => {
  it('subscription: the trace joined under its first id, the health check dropped, the address masked', async () => {
    const { docs, sink } = collect();
    const counts = newRuleCounts();
    await documentStep().pushLogsData(payload(0, 5), sink, counts);
    expect(docs.map((doc) => doc._id)).toEqual([eventId(0), eventId(4)]);
    const [head, ...rest] = docs[0]!._source.message.split('\n');
    expect(head).toMatch(/^2026-11-29 10:00:00 ERROR order failed for (?!ana@example\.com)\S+$/);
    expect(rest).toEqual([lines[1], lines[2]]);
    expect(counts.tally.droppedBy.get('health')).toBe(1);
    expect(counts.tally.maskedBy.get('pii')).toBe(1);
  });

  it("splitter: one document across the object's payloads; the archive keeps every line, masked, none dropped", async () => {
    const { docs, sink } = collect();
    const documents = documentStep();
    const joins = documents.openObjectJoin()!;
    const first = await documents.pushObjectPayload(payload(0, 2), sink, joins);
    const second = await documents.pushObjectPayload(payload(2, 5), sink, joins);
    for (const rest of joins.flush()) await documents.pushEvents(rest, sink);
    expect(docs.map((doc) => doc._id)).toEqual([eventId(0), eventId(4)]);
    expect(docs[0]!._source.message.split('\n')).toHaveLength(3);
    const archived = [...first.archive.logEvents, ...second.archive.logEvents].map((event) => event.message);
    expect(archived).toHaveLength(5);
    expect(archived.join('\n')).not.toContain('ana@example.com');
    expect(archived[3]).toBe(lines[3]);
  });
});
