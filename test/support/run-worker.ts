/**
 * A worker process for the fault tests that starts in seconds rather than a minute on a busy machine: the project's
 * workflows from a bundle built once by the test (UPLIFT_WORKFLOW_BUNDLE, a file of bundled code), and every activity
 * the worker registers, wired to PostgreSQL, SMTP and Temporal as test/support/worker-harness.ts wires them.
 * Run as `node -r ts-node/register/transpile-only test/support/run-worker.ts` with TEMPORAL_ADDRESS,
 * TEMPORAL_TASK_QUEUE, DATABASE_URL and SMTP_URL set; logs `polling task queue` once it polls.
 */
import 'reflect-metadata';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DataSource } from 'typeorm';
import { Mailer } from '../../libs/mail';
import { dataSourceOptions } from '../../libs/persistence';
import { buildWorkerActivities } from './task-activities';
import { testDataConverter } from './worker-harness';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function main(): Promise<void> {
  const address = required('TEMPORAL_ADDRESS');
  const taskQueue = required('TEMPORAL_TASK_QUEUE');
  const dataSource = await new DataSource(dataSourceOptions(required('DATABASE_URL'))).initialize();
  const mailer = new Mailer(required('SMTP_URL'), 'Uplift <no-reply@uplift.test>');
  const connection = await NativeConnection.connect({ address });
  const client = new Client({ connection: await Connection.connect({ address }), dataConverter: testDataConverter() });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowBundle: { codePath: required('UPLIFT_WORKFLOW_BUNDLE') },
    dataConverter: testDataConverter(),
    activities: buildWorkerActivities(dataSource, mailer, client),
  });
  const running = worker.run();
  process.stdout.write(`polling task queue '${taskQueue}' on ${address}\n`);
  await running;
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
