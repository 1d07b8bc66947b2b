/** A worker process for the baseline workflow: the same worker options (WORKER_*) and payload codec as the visit worker, on the task queue the benchmark gives it (TEMPORAL_TASK_QUEUE). */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { join } from 'node:path';
import { loadConfig, requireDeployed } from '../config';
import { runMain } from '../app/main';
import { dataConverterOf } from '../app/services';
import { workerTuning } from '../app/worker';
import { temporalConnectionOptions } from '../temporal/connection';

runMain('baseline worker', async (stack) => {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const config = loadConfig();
  const { temporalAddress } = requireDeployed(config);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal, temporalAddress));
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: join(__dirname, 'baseline-workflow.ts'),
    activities: { noop: async (n: number) => n },
    dataConverter: dataConverterOf(config),
    ...workerTuning(config.worker),
  });
  const running = worker.run();
  stack.push({
    stop: async () => {
      worker.shutdown();
      await running;
      await connection.close();
    },
  });
  console.log(`revcycle worker polling ${config.temporal.taskQueue}`);
});
