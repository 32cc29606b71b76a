import { DEADLINE_TASK_WORKFLOW, deadlineTaskWorkflowId, taskReadyUpdate, type DeadlineTaskInput } from '../../libs/contracts/deadline-task';
import { pollUntil } from '../support/poll';
import { startStallingSink, type SmtpSink, type StallingSink } from '../support/smtp-sink';
import { localDateTimeIn, requireTestEnv, uniqueSuffix } from '../support/test-config';
import { openHarness, type Harness } from '../support/worker-harness';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

// What Kubernetes does to a worker pod on a rollout or a node drain (infra/k8s/base/worker-deployment.yaml): SIGTERM,
// then SIGKILL only after the grace period. The worker must finish the e-mail it is sending, not drop it.
const ZONE = 'Europe/Moscow';
const taskQueue = `sigterm-test-${uniqueSuffix()}`;

let sink: SmtpSink;
let harness: Harness;
let worker: WorkerProcess | undefined;

// The reminder's DATA arrives and the server holds its 250 until released: the send is in flight.
let stall: StallingSink;

beforeAll(async () => {
  stall = await startStallingSink();
  sink = stall.sink;
  harness = await openHarness(sink.url);
});

afterAll(async () => {
  stall?.release();
  await worker?.kill();
  await harness?.close();
  await sink?.stop();
});

describe('a worker sent SIGTERM while sending a reminder', () => {
  it('stops polling, finishes the send, records it, and only then exits', async () => {
    worker = await startWorkerProcess({
      taskQueue,
      temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
      smtpUrl: sink.url,
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      worker!.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const taskId = `sigterm-${uniqueSuffix()}`;
    const input: DeadlineTaskInput = {
      taskId,
      title: 'Направить план мероприятий',
      assigneeOrganizationId: 'demo-mun-yuzhny',
      supervisorOrganizationId: 'demo-ministry',
      deadline: { localDateTime: localDateTimeIn(ZONE, 6), timeZone: ZONE, calendar: 'calendar-days' },
      policy: { reminders: [{ secondsBefore: 4 }], escalations: [], minimumLeadSeconds: 6 },
      createdBy: 'programme@demo-region.example',
    };
    const handle = await harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
      taskQueue,
      workflowId: deadlineTaskWorkflowId(taskId),
      args: [input],
    });
    await handle.executeUpdate(taskReadyUpdate);

    await stall.stalled;
    worker.child.kill('SIGTERM');
    // The SDK reports the drain; a worker that did not wait for its activity would go on to exit here.
    await pollUntil('the worker draining', async () => (/DRAINING/.test(worker!.output()) ? true : undefined), 60_000, async () => worker!.output().slice(-2000));
    const exitedWhileSending = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 5_000))]);
    expect(exitedWhileSending).toBe(false);

    stall.release();
    const exit = await exited;
    // Nest's shutdown hook re-raises the signal once the application is closed: dead by SIGTERM, not by a failure.
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(worker.output()).toMatch(/DRAINED/);

    expect(sink.forTask(taskId).map((mail) => mail.messageId)).toEqual([`<task.${taskId}.r1-reminder-1@uplift.test>`]);
    expect(sink.abandoned).toBe(0);
    // Sent and recorded by the same attempt before the process went: nothing is left for a retry to repeat.
    const rows: { step_key: string; status: string; attempts: number }[] = await harness.dataSource.query(
      `SELECT step_key, status, attempts FROM notifications WHERE task_id = $1`,
      [taskId],
    );
    expect(rows).toEqual([{ step_key: 'r1-reminder-1', status: 'sent', attempts: 1 }]);
  });
});
