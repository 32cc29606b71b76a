import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import {
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  taskReadyUpdate,
  type DeadlineTaskInput,
} from '../../libs/contracts/deadline-task';
import { openHarness, type Harness } from '../support/worker-harness';
import { SmtpSink } from '../support/smtp-sink';
import { localDateTimeIn, requireTestEnv, uniqueSuffix } from '../support/test-config';

const ZONE = 'Europe/Moscow';
const root = path.resolve(__dirname, '../..');
const taskQueue = `crash-test-${uniqueSuffix()}`;

let sink: SmtpSink;
let harness: Harness;
let workerProcess: ChildProcess | undefined;
let replacement: Worker | undefined;
let replacementRun: Promise<void> | undefined;

// The first message stalls after its DATA has arrived, before the server's 250: the moment to kill the sender.
let announceStall!: () => void;
const stalled = new Promise<void>((resolve) => (announceStall = resolve));
let releaseStall!: () => void;
const released = new Promise<void>((resolve) => (releaseStall = resolve));

beforeAll(async () => {
  sink = await SmtpSink.start({
    beforeAccept: async (n) => {
      if (n !== 1) return;
      announceStall();
      await released;
    },
  });
  harness = await openHarness(sink.url);
});

afterAll(async () => {
  releaseStall();
  workerProcess?.kill('SIGKILL');
  replacement?.shutdown();
  await replacementRun;
  await harness?.close();
  await sink?.stop();
});

/** The real worker entry point, as `npm start` runs it, in its own process so it can be killed with SIGKILL. */
function startWorkerProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'apps/worker/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
      TEMPORAL_ADDRESS: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_URL: sink.url,
      MAIL_MESSAGE_ID_DOMAIN: 'uplift.test',
      PUBLIC_URL: 'http://uplift.test',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('polling task queue')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}):\n${output}`)));
  });
}

describe('a worker killed while sending a reminder', () => {
  it('delivers exactly one e-mail per step after another worker takes over', async () => {
    workerProcess = await startWorkerProcess();
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

    await stalled;
    const exited = new Promise((resolve) => workerProcess!.once('exit', resolve));
    workerProcess.kill('SIGKILL');
    await exited;
    // Let the SMTP server see the dropped connection before it would answer the stalled DATA.
    await new Promise((r) => setTimeout(r, 1_000));
    releaseStall();

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
