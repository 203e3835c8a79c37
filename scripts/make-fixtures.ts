/**
 * Regenerates the forwarder's fixture events from readable payloads. lambda-console-lines.json is
 * a real base64 payload from a Lambda and is not generated. Run: npx tsx scripts/make-fixtures.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlMessage, subscriptionEvent } from '../test/support/subscription';

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

write('control-message.json', controlMessage('Lambda'));
