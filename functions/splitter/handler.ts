import type { Context, S3Event } from 'aws-lambda';
import { createSplitter, splitS3Event } from '../../libs/splitter/s3-object-source';

// Configuration (and RULES_FILE) is read and validated once per container, at cold start.
const splitter = createSplitter(process.env);

export const handler = async (event: S3Event, context: Context): Promise<void> => {
  await splitS3Event(splitter, event, context);
};
