import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Worker } from '@temporalio/worker';
import { createApiApp } from '../../apps/api/api-app';
import type { AppConfig } from '../../libs/config';
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

/** `config` replaces parts of the test configuration (e.g. `web` to serve a stand-in of the built web app). */
export async function startApiStack(taskQueue: string, config: Partial<AppConfig> = {}): Promise<ApiStack> {
  const workers = await startWorkerStack(taskQueue);
  let app: NestFastifyApplication;
  let baseUrl: string;
  try {
    app = await createApiApp({ ...testConfig({ taskQueue, smtpUrl: workers.sink.url }), ...config });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  } catch (err) {
    // A running worker would keep jest waiting for ever after the failure.
    await workers.close();
    throw err;
  }
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
