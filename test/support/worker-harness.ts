import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DataSource } from 'typeorm';
import { DEV_TEMPORAL_PAYLOAD_KEYS } from '../../libs/config';
import { Mailer } from '../../libs/mail';
import { dataSourceOptions, seedDemoRegion } from '../../libs/persistence';
import { activityObservabilityInterceptors, WORKFLOW_INTERCEPTOR_MODULES } from '../../libs/observability';
import { buildWorkerActivities } from './task-activities';
import { FAILURE_CONVERTER_PATH, parsePayloadKeys, upliftDataConverter } from '../../libs/temporal-codec';
import { requireTestEnv } from './test-config';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
let runtimeInstalled = false;

/** Worker state changes at INFO drown the test report; warnings and errors still show. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by an earlier file in this process: it is quiet already.
  }
  runtimeInstalled = true;
}

/**
 * What every client, worker and replayer of the tests uses, as the API and the worker do: payloads encrypted under the
 * development key ring (the one hand-built test configs get, see temporalPayloadKeys), failure messages encoded.
 */
export function testDataConverter(): DataConverter {
  return upliftDataConverter(parsePayloadKeys(DEV_TEMPORAL_PAYLOAD_KEYS));
}

/** Bundling takes seconds, and the code does not change within a run. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  quietRuntime();
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: quietLogger,
    // Failures thrown in workflow code keep their messages in the encrypted payload, as the worker's own bundle does.
    failureConverterPath: FAILURE_CONVERTER_PATH,
    // The worker's own interceptors, so that the replay tests check them against recorded histories too.
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  });
  return bundle;
}

/** Options of Worker.runReplayHistory/-Histories: histories fetched from the server hold encrypted payloads. */
export async function replayOptions(): Promise<{ workflowBundle: WorkflowBundleWithSourceMap; dataConverter: DataConverter }> {
  return { workflowBundle: await workflowBundle(), dataConverter: testDataConverter() };
}

const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} } as never;

export interface Harness {
  env: TestWorkflowEnvironment;
  dataSource: DataSource;
  mailer: Mailer;
  createWorker(taskQueue: string): Promise<Worker>;
  close(): Promise<void>;
}

/** One test file's connections to the shared Temporal server and database, with the demo region seeded. */
export async function openHarness(smtpUrl: string): Promise<Harness> {
  quietRuntime();
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
    client: { dataConverter: testDataConverter() },
  });
  const dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
  await seedDemoRegion(dataSource);
  const mailer = new Mailer(smtpUrl, 'Uplift <no-reply@uplift.test>');
  return {
    env,
    dataSource,
    mailer,
    async createWorker(taskQueue) {
      return Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        dataConverter: testDataConverter(),
        activities: buildWorkerActivities(dataSource, mailer, env.client),
        interceptors: { activity: [activityObservabilityInterceptors] },
      });
    },
    async close() {
      mailer.close();
      await dataSource.destroy();
      await env.teardown();
    },
  };
}
