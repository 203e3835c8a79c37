import { gzipSync } from 'node:zlib';

/**
 * The bench's subscription payloads. The Lambda mix: Lambda console lines, JSON application
 * logs, START/END/REPORT, plain text. With `extractedFields`, console lines carry the fields a space-delimited filter pattern
 * extracts, as the console's "Lambda" log format preset does (as in test/fixtures/forwarder/lambda-console-lines.json).
 */
export function makePayload(count: number, extractedFields = false): { awslogs: { data: string } } {
  const requestId = '830e95c2-4983-4e72-99f1-1aa410a0ffb0';
  const start = Date.UTC(2024, 10, 20, 17, 0);
  const logEvents = Array.from({ length: count }, (_, i) => {
    const ts = start + i * 7;
    const iso = new Date(ts).toISOString();
    let message: string;
    switch (i % 10) {
      case 0:
        message = `START RequestId: ${requestId} Version: $LATEST\n`;
        break;
      case 1:
        message = `REPORT RequestId: ${requestId}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t\n`;
        break;
      case 2:
      case 3:
      case 4:
        message = `{"level":"info","ts":"${iso}","msg":"request and response log","log":{"duration":${i * 1000},"request":{"method":"GET","path":"/v1/items/${i}"},"response":{"status":200}}}`;
        break;
      case 5:
        message = `{"logType":"ERROR","errorCode":"DA0001${i % 3}","errorMessage":"인증실패 for user ${i}"}`;
        break;
      case 9:
        message = `plain text line number ${i} with no structure at all\n`;
        break;
      default:
        message = `${iso}\t${requestId}\t${i % 7 === 0 ? 'ERROR' : 'INFO'}\tFetching incorrect lists for user ${i}...\n`;
    }
    const console = /^(\S+)\t(\S+)\t(.*)$/s.exec(message);
    return {
      id: `3862762795548481885276809816848983329890423124536${String(i).padStart(7, '0')}`,
      timestamp: ts,
      message,
      ...(extractedFields && console
        ? { extractedFields: { timestamp: console[1]!, request_id: console[2]!, event: console[3]! } }
        : {}),
    };
  });
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/bench',
    logStream: '2024/11/20/[$LATEST]bb494dc82843496683c62052533a046f',
    subscriptionFilters: ['bench'],
    logEvents,
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

/**
 * A subscription payload of JSON application logs, as services on ECS or Lambda write them with
 * a structured logger: Powertools-style lines (level, location, service, cold start, trace id),
 * pino-style request lines (numeric level, epoch time, nested req/res), and an error with a stack
 * in one JSON string. Every message is one JSON object; the log group is a container's.
 */
export function makeJsonPayload(count: number): { awslogs: { data: string } } {
  const start = Date.UTC(2024, 10, 20, 17, 0);
  const logEvents = Array.from({ length: count }, (_, i) => {
    const ts = start + i * 7;
    const iso = new Date(ts).toISOString();
    const trace = `1-6740a1b0-${(0x5f3a9c12e4b7d000 + i).toString(16).padStart(24, '0')}`;
    let message: string;
    switch (i % 8) {
      case 0:
      case 1:
      case 2:
        message = JSON.stringify({
          level: 30,
          time: ts,
          pid: 7,
          hostname: 'ip-10-0-12-34.ec2.internal',
          req: {
            id: i,
            method: i % 5 === 0 ? 'POST' : 'GET',
            url: `/api/orders/${100000 + i}?expand=items`,
            headers: { host: 'orders.internal', 'user-agent': 'okhttp/4.12.0', 'x-amzn-trace-id': trace },
            remoteAddress: '10.0.3.17',
          },
          res: {
            statusCode: i % 23 === 0 ? 500 : 200,
            headers: { 'content-length': String(300 + (i % 900)) },
          },
          responseTime: (i % 97) + 0.25,
          msg: 'request completed',
        });
        break;
      case 3:
      case 4:
      case 5:
        message = JSON.stringify({
          level: i % 11 === 0 ? 'WARN' : 'INFO',
          location: 'handle_order:87',
          message: `order ${100000 + i} reserved ${i % 9} items`,
          timestamp: iso,
          service: 'orders',
          cold_start: false,
          function_name: 'orders-prod-api',
          function_memory_size: '512',
          function_request_id: `c6af9ac6-7b61-11e6-9a41-93e8${String(i).padStart(8, '0')}`,
          xray_trace_id: trace,
          order: { id: 100000 + i, items: i % 9, total: (i % 1000) * 1.5, currency: 'KRW' },
        });
        break;
      case 6:
        message = JSON.stringify({
          level: 'ERROR',
          timestamp: iso,
          service: 'orders',
          message: `payment declined for order ${100000 + i}: 결제 거절`,
          error: {
            name: 'PaymentError',
            message: 'card declined',
            stack: `PaymentError: card declined\n    at charge (/app/src/payments.js:41:11)\n    at async handleOrder (/app/src/orders.js:88:5)\n    at async Server.<anonymous> (/app/src/server.js:23:7)`,
          },
          xray_trace_id: trace,
        });
        break;
      default:
        message = JSON.stringify({
          level: 'DEBUG',
          timestamp: iso,
          service: 'orders',
          message: 'cache hit',
          key: `order:${i}`,
        });
    }
    return {
      id: `3862762795548481885276809816848983329890423124536${String(i).padStart(7, '0')}`,
      timestamp: ts,
      message: `${message}\n`,
    };
  });
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/ecs/orders-api',
    logStream: 'orders/api/4f1c2d9e8b7a4c0d9e8f7a6b5c4d3e2f',
    subscriptionFilters: ['bench'],
    logEvents,
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}
