import type { CloudWatchLogEvent } from '../../libs/forwarding/decoding/subscription';
import { logsData, subscriptionEvent } from './subscription';

const REQUEST_ID = '830e95c2-4983-4e72-99f1-1aa410a0ffb0';
export const MIXED_START = Date.UTC(2024, 10, 20, 18, 0);

/**
 * `count` events of what a Lambda log group holds: console lines with levels, START / END /
 * REPORT, JSON lines, Korean text and one message of 200 KB. Event i's timestamp is
 * MIXED_START + i seconds; REPORT durations are i / 10 ms.
 */
export function mixedEvents(count: number): CloudWatchLogEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const ts = MIXED_START + i * 1000;
    const iso = new Date(ts).toISOString();
    let message: string;
    if (i === 7) {
      message = `${iso}\t${REQUEST_ID}\tINFO\tbig payload ${'x'.repeat(200 * 1024)}\n`;
    } else {
      switch (i % 10) {
        case 0:
          message = `START RequestId: ${REQUEST_ID} Version: $LATEST\n`;
          break;
        case 1:
          message = `REPORT RequestId: ${REQUEST_ID}\tDuration: ${(i / 10).toFixed(2)} ms\tBilled Duration: ${Math.ceil(i / 10)} ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t\n`;
          break;
        case 2:
          message = `END RequestId: ${REQUEST_ID}\n`;
          break;
        case 3:
        case 4:
          message = `{"level":"info","msg":"request and response log","orderId":"order-${i}","response":{"status":200}}`;
          break;
        case 5:
          message = `{"logType":"ERROR","errorCode":"DA0001${i % 3}","errorMessage":"인증실패 사용자 ${i}"}`;
          break;
        case 9:
          message = `한국어 로그 줄 ${i}: 주문이 처리되었습니다\n`;
          break;
        default:
          message = `${iso}\t${REQUEST_ID}\t${i % 7 === 0 ? 'ERROR' : 'INFO'}\tFetching lists for user ${i}...\n`;
      }
    }
    return {
      id: `3862762795548481885276809816848983329890423124536${String(i).padStart(7, '0')}`,
      timestamp: ts,
      message,
    };
  });
}

/** The events as a CloudWatch Logs subscription event. */
export function mixedSubscription(count: number): { awslogs: { data: string } } {
  return subscriptionEvent(logsData(mixedEvents(count), { logGroup: '/aws/lambda/orders' }));
}
