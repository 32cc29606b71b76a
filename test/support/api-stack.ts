import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Worker } from '@temporalio/worker';
import { createApiApp } from '../../apps/api/api-app';
import { ApiClient } from './http';
import { SmtpSink } from './smtp-sink';
import { testConfig } from './test-config';
import { openHarness, type Harness } from './worker-harness';

/** One test file's whole stack: an SMTP sink, a real worker on its own task queue, and the API on a free port. */
export interface ApiStack {
  sink: SmtpSink;
  harness: Harness;
  app: NestFastifyApplication;
  baseUrl: string;
  /** Not logged in; `.as(email, password)` gives a client for a user. */
  anonymous: ApiClient;
  taskQueue: string;
  close(): Promise<void>;
}

/** The workflow side only: an SMTP sink and a real worker polling `taskQueue`, for tests that drive workflows directly. */
export interface WorkerStack {
  sink: SmtpSink;
  harness: Harness;
  close(): Promise<void>;
}

export async function startWorkerStack(taskQueue: string): Promise<WorkerStack> {
  const sink = await SmtpSink.start();
  const harness = await openHarness(sink.url);
  const worker: Worker = await harness.createWorker(taskQueue);
  const running = worker.run();
  return {
    sink,
    harness,
    async close() {
      worker.shutdown();
      await running;
      await harness.close();
      await sink.stop();
    },
  };
}

export async function startApiStack(taskQueue: string): Promise<ApiStack> {
  const workers = await startWorkerStack(taskQueue);
  const app = await createApiApp(testConfig({ taskQueue, smtpUrl: workers.sink.url }));
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  return {
    sink: workers.sink,
    harness: workers.harness,
    app,
    baseUrl,
    anonymous: new ApiClient(baseUrl),
    taskQueue,
    async close() {
      await app.close();
      await workers.close();
    },
  };
}
