/**
 * Multiline benchmark: the cost of a multiline rule on a subscription payload, as a ratio to the
 * same payload without it, measured in alternation in one process (best of 31 rounds). Each
 * variant decodes the payload, turns its events into documents through the pipeline's document
 * step (libs/forwarding/pipeline/document-step.ts) and encodes them as `_bulk` lines, so the ratio is the share
 * of the transform the join adds.
 *
 * Two payloads of 10,000 events of a Java service logging through awslogs: one where one line
 * in ten starts a 12-line stack trace (fewer, longer documents: the join pays for itself), and
 * one of single lines only, where the rule tests every line and joins nothing (its pure cost).
 */
import { gzipSync } from 'node:zlib';
import { decodeSubscriptionEvent, type CloudWatchLogsData } from '../libs/forwarding/decoding/subscription';
import { noAuth } from '../libs/forwarding/destinations/auth';
import { ElasticsearchTransport } from '../libs/forwarding/destinations/elasticsearch';
import { HttpClient } from '../libs/forwarding/destinations/http';
import { documentOptions, loadDocumentConfig } from '../libs/forwarding/documents/config';
import type { DocumentSink } from '../libs/forwarding/documents/guard';
import { joinPayload, multilineForGroup } from '../libs/forwarding/multiline';
import { DocumentStep } from '../libs/forwarding/pipeline/document-step';
import { rulesFileFromText } from '../libs/forwarding/rules-file';
import { compare, fmt } from './support/measure';

const EVENTS = 10_000;
const RULES = JSON.stringify({
  multiline: [
    { name: 'java-traces', logGroups: ['/ecs/orders-*'], start: '^\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:' },
  ],
  rules: [],
});
const FRAMES = [
  'java.lang.IllegalStateException: order has no customer',
  '\tat com.example.orders.service.OrderService.customerOf(OrderService.java:87) ~[classes!/:0.4.2]',
  '\tat com.example.orders.service.OrderService.load(OrderService.java:52) ~[classes!/:0.4.2]',
  '\tat com.example.orders.web.OrderController.get(OrderController.java:31) ~[classes!/:0.4.2]',
  '\tat java.base/java.lang.reflect.Method.invoke(Method.java:580) ~[na:na]',
  '\tat org.springframework.web.method.support.InvocableHandlerMethod.doInvoke(InvocableHandlerMethod.java:255) ~[spring-web-6.1.14.jar!/:6.1.14]',
  '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885) ~[spring-webmvc-6.1.14.jar!/:6.1.14]',
  '\tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:658) ~[tomcat-embed-core-10.1.31.jar!/:na]',
  'Caused by: java.lang.NullPointerException: Cannot invoke "com.example.orders.model.Customer.getId()" because "order.customer" is null',
  '\tat com.example.orders.service.OrderService.customerOf(OrderService.java:85) ~[classes!/:0.4.2]',
  '\tat com.example.orders.service.OrderService.load(OrderService.java:50) ~[classes!/:0.4.2]',
  '\t... 54 common frames omitted',
];

function javaEvents(count: number, traceEvery: number): CloudWatchLogsData['logEvents'] {
  const events: CloudWatchLogsData['logEvents'] = [];
  const start = Date.UTC(2024, 10, 20, 17);
  for (let i = 0; events.length < count; i++) {
    const ts = start + i * 100;
    const stamp = new Date(ts).toISOString().replace('T', ' ').slice(0, 23);
    const trace = traceEvery > 0 && i % traceEvery === 0;
    const level = trace ? 'ERROR' : ' INFO';
    const lines = [
      `${stamp} ${level} 1 --- [nio-8080-exec-${i % 8}] c.e.orders.web.OrderController           : GET /orders/${i}`,
      ...(trace ? FRAMES : []),
    ];
    for (const message of lines) {
      if (events.length === count) break;
      events.push({
        id: `38627627955484818852768098168489833${String(events.length).padStart(21, '0')}`,
        timestamp: ts,
        message,
      });
    }
  }
  return events;
}

const payload = (traceEvery: number) => {
  const data: CloudWatchLogsData = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/ecs/orders-api',
    logStream: 'ecs/orders-api/5f0c1b2e9a7d4c3b8e6f1a2b3c4d5e6f',
    subscriptionFilters: ['bench'],
    logEvents: javaEvents(EVENTS, traceEvery),
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
};
/** One event in ten starts a trace; and the same service's lines with no trace at all. */
const PAYLOADS = { traces: payload(10), noTraces: payload(0) };

export async function run(): Promise<void> {
  const options = documentOptions(loadDocumentConfig({}));
  const { multiline } = rulesFileFromText(RULES, 'bench');
  const plain = new DocumentStep(options);
  const joining = new DocumentStep(options, { multiline: multilineForGroup(multiline) });
  const transport = new ElasticsearchTransport(new URL('http://unused'), new HttpClient(1), noAuth, false);
  let body = '';
  const sink: DocumentSink = {
    push: (doc) => void (body += transport.encode(doc)),
    reject: () => {
      throw new Error('bench event rejected');
    },
  };
  const transform = (step: DocumentStep, event: object) => async () => {
    body = '';
    await step.pushLogsData(decodeSubscriptionEvent(event), sink);
    return body;
  };
  const objectJoin = (event: object) => async () => {
    body = '';
    const joins = joining.openObjectJoin()!;
    for (const ready of joins.add(decodeSubscriptionEvent(event))) await joining.pushEvents(ready, sink);
    for (const rest of joins.flush()) await joining.pushEvents(rest, sink);
    return body;
  };

  for (const [name, event] of Object.entries(PAYLOADS)) {
    // Sanity: both joins build the same documents.
    const viaPayload = await transform(joining, event)();
    if ((await objectJoin(event)()) !== viaPayload) throw new Error('the object join built other documents');
    let documents = 0;
    await joining.pushLogsData(decodeSubscriptionEvent(event), {
      push: () => void documents++,
      reject: sink.reject,
    });
    console.log(
      `\n${name === 'traces' ? 'one event in ten starts a 12-line Java trace' : 'single log lines only (the rule joins nothing)'}: ${fmt(EVENTS)} events -> ${fmt(documents)} documents with the rule`,
    );
    const r = await compare(
      EVENTS,
      { plain: transform(plain, event), joined: transform(joining, event), objectJoin: objectJoin(event) },
      31,
    );
    // The join step alone, on the decoded payload: its time as a share of the plain transform's.
    const decoded = decodeSubscriptionEvent(event);
    const rule = multiline[0]!;
    const alone = await compare(
      EVENTS,
      { plain: transform(plain, event), join: () => joinPayload(decoded, rule) },
      31,
    );
    console.log('  decode + join + build + encode (events/s)');
    console.log(`    no multiline rule                       ${fmt(r.plain).padStart(10)}`);
    console.log(
      `    multiline rule (subscription, Kinesis)  ${fmt(r.joined).padStart(10)}   ${fmt(r.joined / r.plain, 2)}x`,
    );
    console.log(
      `    multiline rule (splitter's object join) ${fmt(r.objectJoin).padStart(10)}   ${fmt(r.objectJoin / r.plain, 2)}x`,
    );
    console.log(
      `    the join step alone                     ${fmt(alone.join).padStart(10)}   ${fmt((100 * alone.plain) / alone.join, 1)}% of the plain transform's time`,
    );
  }
}
