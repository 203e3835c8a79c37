import type { Context } from 'aws-lambda';
import { type Clock, type Deadline, deadlineAt, invocationDeadline } from '../../libs/runtime/deadline';
import type { Invocation } from '../../libs/runtime/handler';
import { invocationLogger, type Logger } from '../../libs/runtime/logger';

/** The one way tests make a Lambda context and an invocation (libs/runtime/handler.ts). */
export interface LambdaContextOptions {
  awsRequestId?: string;
  /** What getRemainingTimeInMillis() answers now; it then counts down by `clock`, as Lambda's does. */
  remainingMs?: number;
  /**
   * Time stands still unless a test passes a clock: one it moves by hand (deadline tests), or
   * Date.now where a real loopback server's slowness must use up the invocation's time.
   */
  clock?: Clock;
  functionName?: string;
  invokedFunctionArn?: string;
}

/** A clock that never moves: a context shared by a file's tests answers the same for each. */
const stillClock: Clock = () => 0;

export function lambdaContext(options: LambdaContextOptions = {}): Context {
  const clock = options.clock ?? stillClock;
  const end = clock() + (options.remainingMs ?? 60_000);
  const functionName = options.functionName ?? 'logpipe-test-function';
  const unsupported = () => {
    throw new Error('callback-style completion is not used by these handlers');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn:
      options.invokedFunctionArn ?? `arn:aws:lambda:ap-northeast-2:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: options.awsRequestId ?? 'test-request',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/12/06/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => end - clock(),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

export interface TestInvocationOptions extends LambdaContextOptions {
  /** Kept back from the remaining time, as the handler's reserve; 3000 (the forwarder's) by default. */
  reserveMs?: number;
  log?: Logger;
}

/** What defineHandler hands the libs for one invocation: the context, its logger, its deadline. */
export function testInvocation(options: TestInvocationOptions = {}): Invocation {
  const context = lambdaContext(options);
  return {
    context,
    log: options.log ?? invocationLogger(context),
    deadline: invocationDeadline(context, options.reserveMs ?? 3000, options.clock ?? stillClock),
  };
}

/** A deadline that never comes (work that must not stop for time). */
export const noDeadline: Deadline = deadlineAt(Number.POSITIVE_INFINITY);
