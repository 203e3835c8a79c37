export * from './types';
export * from './build';
export * from './fields';
export { IndexNamer } from './index-name';
export { parseLambdaLine } from './lambda-lines';
export { parseJsonObjectMessage, levelOf } from './json-message';
export { EventGuard, failureReason, type DocumentSink, type RejectedEvent } from './guard';
export { isoTimestamp, timeProblem, TimeRangeError, MIN_TIME_MS, MAX_TIME_MS } from '../decoding/timestamp';
