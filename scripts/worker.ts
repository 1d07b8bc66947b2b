/** Builds the visit worker over a Temporal connection and a set of activities. */
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { join } from 'node:path';
import type { Config } from '../config';

export const workflowsPath = join(__dirname, '..', 'workflows', 'index.ts');

/** Bundling takes seconds: callers that make several workers bundle once. */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
}

/** The tuning options from configuration (WORKER_*); unset ones keep the SDK's defaults. */
export function workerTuning(c: Config['worker'] = {}) {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Config['worker'];
}

export async function createVisitWorker(opts: {
  connection: NativeConnection;
  namespace?: string;
  taskQueue: string;
  activities: object;
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** The PHI codec (temporal/codec.ts): the same keys as every client of the namespace. */
  dataConverter?: DataConverter;
  tuning?: Config['worker'];
}): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    workflowBundle: opts.workflowBundle ?? (await bundleWorkflows()),
    dataConverter: opts.dataConverter,
    ...workerTuning(opts.tuning),
  });
}
