/** Builds the visit worker over a Temporal connection and a set of activities. */
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { join } from 'node:path';

export const workflowsPath = join(__dirname, '..', 'workflows', 'index.ts');

/** Bundling takes seconds: callers that make several workers bundle once. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
}

export async function createVisitWorker(opts: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: object;
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** The PHI codec (temporal/codec.ts): the same keys as every client of the namespace. */
  dataConverter?: DataConverter;
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    workflowBundle: opts.workflowBundle ?? (await bundleWorkflows()),
    dataConverter: opts.dataConverter,
  });
}
