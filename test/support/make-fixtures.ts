/**
 * Regenerates the forwarder's fixture events from readable payloads. lambda-console-lines.json is
 * a real base64 payload from a Lambda and is not generated. Run: npx tsx test/support/make-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlMessage, subscriptionEvent } from './subscription';

const dir = join(__dirname, '..', 'test', 'fixtures', 'forwarder');
const write = (name: string, data: unknown) =>
  writeFileSync(join(dir, name), JSON.stringify(subscriptionEvent(data), null, 2) + '\n');

// A Go service on Fargate logging JSON lines through the awslogs driver.
write('go-service-json-lines.json', {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/ecs-task',
  logStream: '/ecs-task/a1b2c3d4-4c18-4ab5-b1d6-7f8bff82a23d',
  subscriptionFilters: ['/ecs-task'],
  logEvents: [
    {
      id: '34440521283582436426063233404785216637045532454436306944',
      timestamp: 1544414264183,
      message:
        '{"level":"info","ts":"2018-12-10T12:57:44.183+0900","msg":"request and response log","out":"stdout","log":{"start_time":"2018-12-10T12:57:44+09:00","duration":10267638,"request":{"hostname":"api.tomy103rider.xxx","method":"GET","path":"/v1/xxx/xxx-xxx"},"response":{"status":200}}}',
    },
    {
      id: '34440522889241235212891346720183617237493029710924529665',
      timestamp: 1544414336184,
      message:
        '{"level":"info","ts":"2018-12-10T12:58:56.184+0900","msg":"request and response log","out":"stdout","log":{"start_time":"2018-12-10T12:58:56+09:00","duration":11138161,"request":{"hostname":"api.tomy103rider.xxx","method":"GET","path":"/v1/xxx/yyy-yyy"},"response":{"status":400}}}',
    },
  ],
});

// One whole Lambda invocation in the text log format: START, console lines, REPORT, END.
const requestId = '830e95c2-4983-4e72-99f1-1aa410a0ffb0';
write('lambda-invocation.json', {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/aws/lambda/getIncorrectLists',
  logStream: '2024/11/20/[$LATEST]bb494dc82843496683c62052533a046f',
  subscriptionFilters: ['forwarder'],
  logEvents: [
    [0, `START RequestId: ${requestId} Version: $LATEST\n`],
    [1, `2024-11-20T17:12:23.505Z\t${requestId}\tINFO\tFetching incorrect lists...\n`],
    [
      2,
      `2024-11-20T17:12:23.612Z\t${requestId}\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"boom"}\n`,
    ],
    [3, `END RequestId: ${requestId}\n`],
    [
      4,
      `REPORT RequestId: ${requestId}\tDuration: 107.52 ms\tBilled Duration: 108 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.12 ms\t\n`,
    ],
  ].map(([n, message]) => ({
    id: `386276279554848188527680981684898332989042312453672796${String(18 + Number(n))}`,
    timestamp: 1732122743400 + Number(n) * 50,
    message,
  })),
});

// ECS-formatted JSON lines (Elastic's ecs-logging libraries) from containers on Fargate, through the
// awslogs driver: dotted top-level keys ("log.level", "ecs.version", "service.name"), each line
// with its own @timestamp a few milliseconds before CloudWatch's. Formats as each library writes
// them: @elastic/ecs-pino-format (Node), log4j2 EcsLayout (a space before 4-letter levels), Spring
// Boot's ECS structured logging (nanoseconds), ecs-logging-python (dotted and nested keys side by
// side), and a shell script's hand-made line whose @timestamp is no ISO time.
const ecsLines: Array<[number, string]> = [
  [
    1732090530128,
    '{"log.level":"info","@timestamp":"2024-11-20T08:15:30.125Z","process.pid":1,"host.hostname":"ip-10-0-1-23.ap-northeast-2.compute.internal","ecs.version":"8.10.0","service.name":"orders-api","service.environment":"prod","message":"listening on port 8080"}',
  ],
  [
    1732090530981,
    '{"log.level":"error","@timestamp":"2024-11-20T08:15:30.977Z","process.pid":1,"host.hostname":"ip-10-0-1-23.ap-northeast-2.compute.internal","ecs.version":"8.10.0","service.name":"orders-api","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736","transaction.id":"00f067aa0ba902b7","error":{"type":"Error","message":"connect ECONNREFUSED 10.0.2.15:5432","stack_trace":"Error: connect ECONNREFUSED 10.0.2.15:5432\\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)"},"message":"payment authorization failed"}',
  ],
  [
    1732090531046,
    '{"@timestamp":"2024-11-20T08:15:31.042Z", "log.level": "WARN", "message":"Slow query: 2412 ms", "ecs.version": "1.2.0","service.name":"billing","event.dataset":"billing","process.thread.name":"http-nio-8080-exec-3","log.logger":"com.example.billing.InvoiceRepository"}',
  ],
  [
    1732090531305,
    '{"@timestamp":"2024-11-20T08:15:31.301Z", "log.level":"ERROR", "message":"Invoice export failed", "ecs.version": "1.2.0","service.name":"billing","event.dataset":"billing","process.thread.name":"scheduling-1","log.logger":"com.example.billing.ExportJob","error.type":"java.sql.SQLTransientConnectionException","error.message":"HikariPool-1 - Connection is not available, request timed out after 30000ms.","error.stack_trace":"java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.\\n\\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)"}',
  ],
  [
    1732090532364,
    '{"@timestamp":"2024-11-20T08:15:32.361295200Z","log.level":"INFO","process.pid":7,"process.thread.name":"main","service.name":"inventory","log.logger":"com.example.inventory.InventoryApplication","message":"Started InventoryApplication in 4.2 seconds (process running for 4.9)","ecs.version":"8.11"}',
  ],
  [
    1732090533921,
    '{"@timestamp":"2024-11-20T08:15:33.917Z","log.level":"error","message":"order 4711 failed","ecs.version":"1.6.0","error":{"message":"division by zero","stack_trace":"  File \\"/app/worker.py\\", line 42, in settle\\n    share = total / count\\n","type":"ZeroDivisionError"},"log":{"logger":"orders.worker","origin":{"file":{"line":42,"name":"worker.py"},"function":"settle"},"original":"order 4711 failed"},"process":{"name":"MainProcess","pid":1,"thread":{"id":139872412862272,"name":"MainThread"}},"service":{"name":"orders-worker"}}',
  ],
  [
    1732090534002,
    '{"@timestamp":"2022-11-19T20:15:18+UTC","ecs.version":"1.6.0","log.logger":"/opt/app/entrypoint.sh","log.level":"info","message":"migrations applied"}',
  ],
  // Written a moment before midnight, received by CloudWatch after it.
  [
    1732147200004,
    '{"log.level":"info","@timestamp":"2024-11-20T23:59:59.998Z","process.pid":1,"host.hostname":"ip-10-0-1-23.ap-northeast-2.compute.internal","ecs.version":"8.10.0","service.name":"orders-api","message":"daily settlement started"}',
  ],
];
write('ecs-json-lines.json', {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/ecs/orders',
  logStream: 'ecs/orders-api/5f1a9c2e7b8d4e6fa0b1c2d3e4f5a6b7',
  subscriptionFilters: ['forwarder'],
  logEvents: ecsLines.map(([timestamp, message], n) => ({
    id: `3894113283717384245316432957820488457384918822000000000${n}`,
    timestamp,
    message,
  })),
});

write('control-message.json', controlMessage('Lambda'));
