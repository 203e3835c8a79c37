import { collectPages } from './discovery';
import { ACTIVE_STATUSES, type ExportTaskInfo, type LogsApi } from './types';

export interface TaskIdentity {
  taskNamePrefix: string;
  bucket: string;
}

/** Ours when both the name prefix and the destination bucket match. */
export function isOurs(task: ExportTaskInfo, identity: TaskIdentity): boolean {
  return (task.taskName ?? '').startsWith(identity.taskNamePrefix) && task.destination === identity.bucket;
}

/** Every task holding the account's export slot, ours or not. */
export async function listActiveTasks(logs: LogsApi): Promise<ExportTaskInfo[]> {
  const active: ExportTaskInfo[] = [];
  for (const statusCode of ACTIVE_STATUSES) {
    active.push(...(await collectPages((nextToken) => logs.describeExportTasks({ statusCode, nextToken }))));
  }
  return active;
}

export async function findTaskById(logs: LogsApi, taskId: string): Promise<ExportTaskInfo | undefined> {
  const page = await logs.describeExportTasks({ taskId });
  return page.items.find((task) => task.taskId === taskId);
}

/** Used only after a crash between CreateExportTask and recording its id. */
export async function findTaskByName(logs: LogsApi, taskName: string): Promise<ExportTaskInfo | undefined> {
  const all = await collectPages((nextToken) => logs.describeExportTasks({ nextToken }));
  return all.find((task) => task.taskName === taskName);
}
