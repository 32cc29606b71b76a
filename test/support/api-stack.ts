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

export async function startApiStack(taskQueue: string, options: { worker?: boolean } = {}): Promise<ApiStack> {
  const sink = await SmtpSink.start();
  const harness = await openHarness(sink.url);
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  if (options.worker !== false) {
    worker = await harness.createWorker(taskQueue);
    running = worker.run();
  }
  const app = await createApiApp(testConfig({ taskQueue, smtpUrl: sink.url }));
  await app.listen(0, '127.0.0.1');
  const baseUrl = await app.getUrl();
  return {
    sink,
    harness,
    app,
    baseUrl,
    anonymous: new ApiClient(baseUrl),
    taskQueue,
    async close() {
      await app.close();
      worker?.shutdown();
      await running;
      await harness.close();
      await sink.stop();
    },
  };
}
