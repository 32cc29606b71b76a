import type { Worker } from '@temporalio/worker';
import {
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  taskReadyUpdate,
  type DeadlineTaskInput,
} from '../../libs/contracts/deadline-task';
import { openHarness, type Harness } from '../support/worker-harness';
import { startStallingSink, type SmtpSink, type StallingSink } from '../support/smtp-sink';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { localDateTimeIn, requireTestEnv, uniqueSuffix } from '../support/test-config';

const ZONE = 'Europe/Moscow';
const taskQueue = `crash-test-${uniqueSuffix()}`;

let sink: SmtpSink;
let harness: Harness;
let workerProcess: WorkerProcess | undefined;
let replacement: Worker | undefined;
let replacementRun: Promise<void> | undefined;

let stall: StallingSink;

beforeAll(async () => {
  stall = await startStallingSink();
  sink = stall.sink;
  harness = await openHarness(sink.url);
});

afterAll(async () => {
  stall?.release();
  await workerProcess?.kill();
  replacement?.shutdown();
  await replacementRun;
  await harness?.close();
  await sink?.stop();
});

describe('a worker killed while sending a reminder', () => {
  it('delivers exactly one e-mail per step after another worker takes over', async () => {
    workerProcess = await startWorkerProcess({
      taskQueue,
      temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
      smtpUrl: sink.url,
    });
    const taskId = `crash-${uniqueSuffix()}`;
    const input: DeadlineTaskInput = {
      taskId,
      title: 'Направить список пар школ-партнёров',
      assigneeOrganizationId: 'demo-mun-yuzhny',
      supervisorOrganizationId: 'demo-ministry',
      deadline: { localDateTime: localDateTimeIn(ZONE, 6), timeZone: ZONE, calendar: 'calendar-days' },
      // Due six seconds after the worker issues it, however long the fresh worker process took to pick it up.
      policy: { reminders: [{ secondsBefore: 4 }], escalations: [{ secondsAfter: 0, notify: 'assignee_head' }], minimumLeadSeconds: 6 },
      createdBy: 'programme@demo-region.example',
    };
    const handle = await harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
      taskQueue,
      workflowId: deadlineTaskWorkflowId(taskId),
      args: [input],
    });
    await handle.executeUpdate(taskReadyUpdate);

    await stall.stalled;
    await workerProcess.kill();
    // Let the SMTP server see the dropped connection before it would answer the stalled DATA.
    await new Promise((r) => setTimeout(r, 1_000));
    stall.release();

    replacement = await harness.createWorker(taskQueue);
    replacementRun = replacement.run();

    // The killed attempt times out (start-to-close 15 s) and is retried by the new worker.
    await sink.waitFor(() => sink.forTask(taskId).length >= 2, 60_000);
    await new Promise((r) => setTimeout(r, 2_000));
    const perStep = sink.forTask(taskId).reduce<Record<string, number>>((counts, mail) => {
      counts[mail.messageId] = (counts[mail.messageId] ?? 0) + 1;
      return counts;
    }, {});
    expect(perStep).toEqual({
      [`<task.${taskId}.r1-reminder-1@uplift.test>`]: 1,
      [`<task.${taskId}.r1-escalation-1@uplift.test>`]: 1,
    });
    expect(sink.abandoned).toBe(1);

    const rows: { step_key: string; status: string; attempts: number }[] = await harness.dataSource.query(
      `SELECT step_key, status, attempts FROM notifications WHERE task_id = $1 ORDER BY step_key`,
      [taskId],
    );
    expect(rows).toEqual([
      { step_key: 'r1-escalation-1', status: 'sent', attempts: 1 },
      { step_key: 'r1-reminder-1', status: 'sent', attempts: 1 },
    ]);
    const events: { type: string }[] = await harness.dataSource.query(
      `SELECT type FROM audit_events WHERE subject_id = $1 ORDER BY seq`,
      [taskId],
    );
    expect(events.map((e) => e.type)).toEqual(['created', 'reminder_sent', 'escalation_sent']);
  });
});
