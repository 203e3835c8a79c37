import type { S3Event } from 'aws-lambda';
import { defineHandler } from '../../libs/runtime/handler';
import { createSplitter, splitS3Event } from '../../libs/splitter/s3-object-source';

// Configuration (and RULES_FILE) is read and validated once per container, at cold start.
const splitter = createSplitter(process.env);

export const handler = defineHandler<S3Event, void>(
  // As the forwarder's (the same delivery): 3 s to store what is left as dead letters. Reading
  // stops earlier, SPLIT_DRAIN_MS before that deadline, so the batches in flight can finish.
  { name: 'splitter', timeReserveMs: 3000 },
  async (event, invocation) => {
    await splitS3Event(splitter, event, invocation);
  },
);
