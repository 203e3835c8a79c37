import type { CreateExportTaskInput, ExportStatus, Page } from '../../../libs/exporter/types';

/** Building blocks of the CloudWatch Logs model (logs-model.ts). */
export function awsError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

export interface ModelEvent {
  id: string;
  timestamp: number;
  ingestedAt: number;
  /** Up to 12 h after ingestion, as the export documentation warns. */
  exportableAt: number;
}

export interface ModelStream {
  name: string;
  creationTime: number;
  events: ModelEvent[];
}

export interface ModelGroup {
  name: string;
  creationTime: number;
  retentionInDays?: number;
  streams: Map<string, ModelStream>;
}

/** A task as created (the API's input) plus what the model tracks about it. */
export interface ModelTask extends CreateExportTaskInput {
  taskId: string;
  createdAt: number;
  runningAt: number;
  doneAt: number;
  outcome: 'COMPLETED' | 'FAILED';
  status: ExportStatus;
  snapshot: Array<{ stream: string; event: ModelEvent }>;
}

export interface DeletedEvent {
  logGroupName: string;
  event: ModelEvent;
  how: 'stream-deleted' | 'retention' | 'group-deleted';
}

/**
 * Pages of `size` items of `all`, sorted by `key`; the token is the last item's key, so deletions
 * between pages are harmless. The page after a token is found by binary search: a pass over n
 * items in pages of 3 stays n log n (a scan per page made the exporter's 45-day runs quadratic).
 */
export function paginate<T>(size: number, all: T[], key: (item: T) => string, nextToken?: string): Page<T> {
  let from = 0;
  if (nextToken !== undefined) {
    let to = all.length;
    while (from < to) {
      const middle = (from + to) >>> 1;
      if (key(all[middle]!) > nextToken) to = middle;
      else from = middle + 1;
    }
  }
  const items = all.slice(from, from + size);
  const last = items.at(-1);
  return all.length - from > size && last !== undefined ? { items, nextToken: key(last) } : { items };
}
