/** Builds the visit worker over a Temporal connection and a set of activities. */
import { DefaultLogger, NativeConnection, Worker, bundleWorkflowCode, type WorkflowBundleOption, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { failureConverterPath } from '../temporal/codec';

export const workflowsPath = join(__dirname, '..', 'workflows', 'index.ts');

/**
 * Bundling takes seconds: callers that make several workers bundle once. The bundle carries
 * the failure converter, so failures the workflow raises are encoded as the worker's are.
 */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, failureConverterPath, logger: new DefaultLogger('WARN') });
}

/**
 * Bundles the workflow code once and writes it to `codePath`, so worker processes started
 * later (WORKER_BUNDLE_PATH) load it in well under a second instead of bundling again.
 */
export async function writeWorkflowBundle(codePath: string): Promise<string> {
  const { code } = await bundleWorkflows();
  writeFileSync(codePath, code);
  return codePath;
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
  /** A bundle in memory, or `{ codePath }` of one written by writeWorkflowBundle; unset: bundled now. */
  workflowBundle?: WorkflowBundleOption;
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
