/**
 * A bare Temporal worker for the launch benchmark's baseline, in its own process like the project's worker: only
 * `minimalWorkflow`, no activities, no payload codec, the project's workflow cache size (WORKER_MAX_CACHED_WORKFLOWS,
 * 500 by default) so that both sides keep as many workflows in memory. Prints `timers <n>` whenever more workflows
 * have set their timer (the sink is called once the activation that set it has completed).
 * Env: TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../../libs/config/worker-defaults';
import type { BaselineSinks } from './minimal.workflow';
import type { InjectedSinks } from '@temporalio/worker';

async function main(): Promise<void> {
  const address = process.env.TEMPORAL_ADDRESS!;
  const taskQueue = process.env.TEMPORAL_TASK_QUEUE!;
  let timers = 0;
  let printed = 0;
  const sinks: InjectedSinks<BaselineSinks> = { bench: { timerStarted: { fn: () => void (timers += 1), callDuringReplay: false } } };
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    workflowsPath: require.resolve('./minimal.workflow'),
    maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS),
    sinks,
  });
  setInterval(() => {
    if (timers !== printed) {
      printed = timers;
      process.stdout.write(`timers ${timers}\n`);
    }
  }, 50).unref();
  const running = worker.run();
  process.stdout.write(`polling task queue '${taskQueue}' on ${address}\n`);
  await running;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
