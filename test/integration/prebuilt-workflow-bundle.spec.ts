import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeWorkflowBundles } from '../../apps/worker/workflow-bundles';
import { DEADLINE_TASK_WORKFLOW, deadlineTaskWorkflowId, taskReadyUpdate, type DeadlineTaskInput } from '../../libs/contracts/deadline-task';
import { SmtpSink } from '../support/smtp-sink';
import { localDateTimeIn, requireTestEnv, uniqueSuffix } from '../support/test-config';
import { openHarness, type Harness } from '../support/worker-harness';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

// The image's worker (Dockerfile: WORKFLOW_BUNDLE_DIR) loads the bundles `npm run build:workflows` wrote instead of
// bundling its workflows as it starts.
const dir = mkdtempSync(path.join(os.tmpdir(), 'uplift-workflow-bundles-'));
const taskQueue = `prebuilt-bundle-${uniqueSuffix()}`;

let sink: SmtpSink;
let harness: Harness;
let worker: WorkerProcess | undefined;
let written: string[];

beforeAll(async () => {
  sink = await SmtpSink.start();
  harness = await openHarness(sink.url);
  written = await writeWorkflowBundles(dir);
});

afterAll(async () => {
  await worker?.kill();
  await harness?.close();
  await sink?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('prebuilt workflow bundles', () => {
  it('writes one bundle for untraced workers and one with the OpenTelemetry interceptor for traced ones', () => {
    expect(written.map((f) => path.basename(f))).toEqual(['workflows.js', 'workflows-traced.js']);
    // Booleans, not the bundles themselves: a failure would print megabytes of code.
    const carries = (code: string) => ({
      workflows: code.includes('deadlineTaskWorkflow'),
      openTelemetry: code.includes('interceptors-opentelemetry/lib/workflow-interceptors'),
    });
    const [plain, traced] = written.map((f) => carries(readFileSync(f, 'utf8')));
    expect(plain).toEqual({ workflows: true, openTelemetry: false });
    expect(traced).toEqual({ workflows: true, openTelemetry: true });
  });

  it('runs the project’s worker on the prebuilt bundle: a task is issued and projected', async () => {
    worker = await startWorkerProcess({
      taskQueue,
      temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
      smtpUrl: sink.url,
      env: { WORKFLOW_BUNDLE_DIR: dir },
    });
    const taskId = `prebuilt-${uniqueSuffix()}`;
    const input: DeadlineTaskInput = {
      taskId,
      title: 'Направить план мероприятий',
      assigneeOrganizationId: 'demo-mun-yuzhny',
      supervisorOrganizationId: 'demo-ministry',
      deadline: { localDateTime: localDateTimeIn('Europe/Moscow', 3600), timeZone: 'Europe/Moscow', calendar: 'calendar-days' },
      policy: { reminders: [], escalations: [], minimumLeadSeconds: 60 },
      createdBy: 'programme@demo-region.example',
    };
    const handle = await harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, { taskQueue, workflowId: deadlineTaskWorkflowId(taskId), args: [input] });
    const ready = await handle.executeUpdate(taskReadyUpdate);
    expect(ready).toMatchObject({ taskId, status: 'open' });
    const rows: { status: string }[] = await harness.dataSource.query(`SELECT status FROM tasks WHERE id = $1`, [taskId]);
    expect(rows).toEqual([{ status: 'open' }]);
  });

  it('refuses to start, in words, when the directory lacks the bundle', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'uplift-no-bundles-'));
    try {
      await expect(
        startWorkerProcess({
          taskQueue: `${taskQueue}-none`,
          temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
          databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
          smtpUrl: sink.url,
          env: { WORKFLOW_BUNDLE_DIR: empty },
        }),
      ).rejects.toThrow(/WORKFLOW_BUNDLE_DIR has no workflows\.js/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
