export * from './types';
export * from './build';
export { IndexNamer } from './index-name';
export { parseLambdaLine } from './lambda-lines';
export { parseJsonObjectMessage, levelOf } from './json-message';
