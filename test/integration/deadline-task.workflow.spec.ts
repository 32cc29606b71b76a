import { WorkflowUpdateFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import {
  cancelTaskUpdate,
  completeTaskUpdate,
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  extendTaskUpdate,
  taskReadyUpdate,
  taskSnapshotQuery,
  type DeadlineTaskInput,
  type NotificationPolicy,
  type TaskSnapshot,
} from '../../libs/contracts/deadline-task';
import { TaskRepository } from '../../libs/persistence';
import { replayOptions, type Harness } from '../support/worker-harness';
import { recordHistory } from '../support/record-history';
import { startWorkerStack, type WorkerStack } from '../support/api-stack';
import type { SmtpSink } from '../support/smtp-sink';
import { localDateTimeIn, uniqueSuffix } from '../support/test-config';

const ZONE = 'Asia/Yekaterinburg';
const taskQueue = `wf-test-${uniqueSuffix()}`;
/** A queue no worker polls until a test starts one: tasks issued while the workers are far behind. */
const backlogQueue = `${taskQueue}-backlog`;
let stack: WorkerStack;
let sink: SmtpSink;
let harness: Harness;

beforeAll(async () => {
  stack = await startWorkerStack(taskQueue);
  ({ sink, harness } = stack);
});

afterAll(() => stack?.close());

/**
 * A task due `dueInSeconds` after the workflow issues it, whatever the machine's pace: the requested deadline is
 * that far from now, and the policy's minimum lead counts the same from the moment the workflow starts.
 */
function input(name: string, dueInSeconds: number, policy: NotificationPolicy): DeadlineTaskInput {
  return {
    taskId: `${name}-${uniqueSuffix()}`,
    title: `Представить муниципальный план поддержки школ (${name})`,
    assigneeOrganizationId: 'demo-mun-severny',
    supervisorOrganizationId: 'demo-ministry',
    deadline: { localDateTime: localDateTimeIn(ZONE, dueInSeconds), timeZone: ZONE, calendar: 'calendar-days' },
    policy: { ...policy, minimumLeadSeconds: dueInSeconds },
    createdBy: 'programme@demo-region.example',
  };
}

async function start(taskInput: DeadlineTaskInput) {
  const handle = await harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
    taskQueue,
    workflowId: deadlineTaskWorkflowId(taskInput.taskId),
    args: [taskInput],
  });
  const snapshot = await handle.executeUpdate(taskReadyUpdate);
  return { handle, snapshot };
}

async function auditTypes(taskId: string): Promise<string[]> {
  const rows: { type: string }[] = await harness.dataSource.query(
    `SELECT type FROM audit_events WHERE subject_type = 'task' AND subject_id = $1 ORDER BY seq`,
    [taskId],
  );
  return rows.map((r) => r.type);
}

describe('deadline task workflow on the real Temporal server', () => {
  it('reminds the assignee, escalates to its head then to the ministry, and records a late completion', async () => {
    const taskInput = input('late', 6, {
      reminders: [{ secondsBefore: 4 }],
      escalations: [
        { secondsAfter: 0, notify: 'assignee_head' },
        { secondsAfter: 2, notify: 'supervisor' },
      ],
    });
    const { handle, snapshot } = await start(taskInput);
    expect(snapshot.status).toBe('open');
    expect(snapshot.schedule.map((s) => s.stepKey)).toEqual(['r1-reminder-1', 'r1-escalation-1', 'r1-escalation-2']);
    const stored = await new TaskRepository(harness.dataSource).find(taskInput.taskId);
    expect(stored?.status).toBe('open');

    await sink.waitFor(() => sink.forTask(taskInput.taskId).length === 3, 30_000);
    const [reminder, headEscalation, ministryEscalation] = sink.forTask(taskInput.taskId);
    expect(reminder.subject).toContain('Напоминание');
    expect(reminder.to.sort()).toEqual(['coordinator@severny.demo-region.example', 'head@severny.demo-region.example']);
    expect(reminder.text).toContain(taskInput.title);
    expect(reminder.text).toContain('Управление образования Северного района');
    expect(reminder.text).toContain(`http://uplift.test/tasks/${taskInput.taskId}`);
    const dueLocal = snapshot.deadline.localDateTime;
    const expectedDue = `${dueLocal.slice(8, 10)}.${dueLocal.slice(5, 7)}.${dueLocal.slice(0, 4)} ${dueLocal.slice(11, 16)}`;
    expect(reminder.text).toContain(`${expectedDue} (${ZONE})`);
    expect(reminder.messageId).toBe(`<task.${taskInput.taskId}.r1-reminder-1@uplift.test>`);
    expect(headEscalation.subject).toContain('Просрочена');
    expect(headEscalation.to).toEqual(['head@severny.demo-region.example']);
    expect(ministryEscalation.subject).toContain('Эскалация');
    expect(ministryEscalation.to).toEqual(['minister@demo-region.example']);

    // Sent e-mails are projected after the send; wait until the audit log has all three.
    await waitUntil(async () => (await auditTypes(taskInput.taskId)).length === 4);
    const completion = await handle.executeUpdate(completeTaskUpdate, {
      args: [{ completedBy: 'coordinator@severny.demo-region.example', result: { comment: 'План направлен' } }],
    });
    expect(completion.late).toBe(true);
    expect(completion.lateBySeconds).toBeGreaterThanOrEqual(2);
    const final = (await handle.result()) as TaskSnapshot;
    expect(final.status).toBe('completed');
    expect(final.completedLate).toBe(true);
    expect(await auditTypes(taskInput.taskId)).toEqual([
      'created',
      'reminder_sent',
      'escalation_sent',
      'escalation_sent',
      'completed',
    ]);
    const row = await new TaskRepository(harness.dataSource).find(taskInput.taskId);
    expect(row?.status).toBe('completed');
    expect(row?.closedAt).toBeInstanceOf(Date);
    recordHistory('reminded-escalated-completed-late', handle.workflowId);
  });

  it('stops reminding once completed in time, and refuses an invalid completion without changing anything', async () => {
    const taskInput = input('on-time', 20, {
      reminders: [{ secondsBefore: 18 }],
      escalations: [{ secondsAfter: 0, notify: 'assignee_head' }],
    });
    const { handle, snapshot } = await start(taskInput);
    await sink.waitFor(() => sink.forTask(taskInput.taskId).length === 1);

    await expect(
      handle.executeUpdate(completeTaskUpdate, { args: [{ completedBy: '  ', result: {} }] }),
    ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
    expect((await handle.query(taskSnapshotQuery)).status).toBe('open');

    const completion = await handle.executeUpdate(completeTaskUpdate, {
      args: [{ completedBy: 'coordinator@severny.demo-region.example', result: {} }],
    });
    expect(completion).toMatchObject({ status: 'completed', late: false, lateBySeconds: 0 });
    await handle.result();
    // Past the moment the escalation was due: nothing more is sent for a task completed in time.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(snapshot.deadline.dueAt) - Date.now()) + 2_000));
    expect(sink.forTask(taskInput.taskId)).toHaveLength(1);
    recordHistory('completed-on-time', handle.workflowId);
  });

  it('sends one reminder when two of the policy fall on the same moment', async () => {
    // «3 days before» and «1 day before» both land on Friday when the deadline is a Monday and Sunday is no working day.
    const taskInput = input('same-moment', 4, { reminders: [{ secondsBefore: 2 }, { secondsBefore: 2 }], escalations: [] });
    const { handle } = await start(taskInput);
    await sink.waitFor(() => sink.forTask(taskInput.taskId).length >= 1);
    await new Promise((r) => setTimeout(r, 1_500));
    await handle.executeUpdate(completeTaskUpdate, { args: [{ completedBy: 'coordinator@severny.demo-region.example', result: {} }] });
    await handle.result();
    expect(sink.forTask(taskInput.taskId).map((m) => m.messageId)).toEqual([`<task.${taskInput.taskId}.r1-reminder-1@uplift.test>`]);
    // The history recorded before the merge (two reminders) replays in replay.spec.ts, through patched().
  });

  it('reschedules after an extension and goes silent after a cancellation', async () => {
    const taskInput = input('extended', 5, { reminders: [], escalations: [{ secondsAfter: 0, notify: 'assignee_head' }] });
    const { handle } = await start(taskInput);

    const tooEarly = localDateTimeIn(ZONE, 2);
    await expect(
      handle.executeUpdate(extendTaskUpdate, { args: [{ localDateTime: tooEarly, reason: 'раньше', decidedBy: 'programme@demo-region.example' }] }),
    ).rejects.toThrow(WorkflowUpdateFailedError);

    const extended = await handle.executeUpdate(extendTaskUpdate, {
      args: [{ localDateTime: localDateTimeIn(ZONE, 3600), reason: 'Письмо МОУО № 12', decidedBy: 'programme@demo-region.example' }],
    });
    expect(Date.parse(extended.dueAt)).toBeGreaterThan(Date.now() + 3_000_000);
    const snapshot = await handle.query(taskSnapshotQuery);
    expect(snapshot.deadlineRevision).toBe(2);
    expect(snapshot.schedule.map((s) => s.stepKey)).toEqual(['r2-escalation-1']);

    await handle.executeUpdate(cancelTaskUpdate, { args: [{ reason: 'Мероприятие исключено из дорожной карты', cancelledBy: 'programme@demo-region.example' }] });
    expect(((await handle.result()) as TaskSnapshot).status).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 6_000)); // past the original deadline
    expect(sink.forTask(taskInput.taskId)).toHaveLength(0);
    expect(await auditTypes(taskInput.taskId)).toEqual(['created', 'extended', 'cancelled']);
    recordHistory('extended-then-cancelled', handle.workflowId);
  });

  it('resumes from carried state as after continue-as-new: no second creation, no repeated e-mail', async () => {
    const taskInput = input('continued', 3, {
      reminders: [{ secondsBefore: 2 }],
      escalations: [{ secondsAfter: 0, notify: 'assignee_head' }],
    });
    // The state a previous run would hand over: created and reminded already, escalation still ahead.
    const { handle: first } = await start(taskInput);
    await sink.waitFor(() => sink.forTask(taskInput.taskId).length === 1);
    await waitUntil(async () => (await auditTypes(taskInput.taskId)).length === 2);
    const carried = { snapshot: await first.query(taskSnapshotQuery), createdProjected: true };
    await first.terminate('replaced by a continued run for this test');

    const continued = await harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
      taskQueue,
      workflowId: deadlineTaskWorkflowId(`${taskInput.taskId}.continued`),
      args: [taskInput, carried],
    });
    await sink.waitFor(() => sink.forTask(taskInput.taskId).length === 2);
    // The e-mail arrives before the workflow records that it went out; complete only after that, as the test expects.
    await waitUntil(async () => (await auditTypes(taskInput.taskId)).includes('escalation_sent'));
    await continued.executeUpdate(completeTaskUpdate, {
      args: [{ completedBy: 'coordinator@severny.demo-region.example', result: {} }],
    });
    await continued.result();
    expect(sink.forTask(taskInput.taskId).map((m) => m.messageId)).toEqual([
      `<task.${taskInput.taskId}.r1-reminder-1@uplift.test>`,
      `<task.${taskInput.taskId}.r1-escalation-1@uplift.test>`,
    ]);
    expect(await auditTypes(taskInput.taskId)).toEqual(['created', 'reminder_sent', 'escalation_sent', 'completed']);
  });

  it('sends, in order, the reminder and escalation that fell due before any worker first ran the task', async () => {
    const issuedAt = Date.now();
    const taskInput = input('backlog', 3, {
      reminders: [{ secondsBefore: 2 }],
      escalations: [{ secondsAfter: 0, notify: 'assignee_head' }],
    });
    // No minimum lead: the deadline stays where it was asked, as for a task created with a fixed date.
    delete taskInput.policy.minimumLeadSeconds;
    const handle = await harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
      taskQueue: backlogQueue,
      workflowId: deadlineTaskWorkflowId(taskInput.taskId),
      args: [taskInput],
    });
    // Nothing polls this queue until both moments are behind us (the deadline is at most 4 s after issue, as the
    // requested local time drops its milliseconds): a worker far behind its backlog.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt + 5_000 - Date.now())));
    const worker = await harness.createWorker(backlogQueue);
    const running = worker.run();
    try {
      await sink.waitFor(() => sink.forTask(taskInput.taskId).length === 2, 30_000);
      await waitUntil(async () => (await auditTypes(taskInput.taskId)).includes('escalation_sent'));
      expect((await handle.query(taskSnapshotQuery)).schedule.map((step) => step.stepKey)).toEqual(['r1-reminder-1', 'r1-escalation-1']);
      expect(sink.forTask(taskInput.taskId).map((m) => m.messageId)).toEqual([
        `<task.${taskInput.taskId}.r1-reminder-1@uplift.test>`,
        `<task.${taskInput.taskId}.r1-escalation-1@uplift.test>`,
      ]);
      await handle.executeUpdate(completeTaskUpdate, { args: [{ completedBy: 'coordinator@severny.demo-region.example', result: {} }] });
      await handle.result();
    } finally {
      worker.shutdown();
      await running;
    }
  });

  it('replays the histories it just made with the current workflow code', async () => {
    const histories = harness.env.client.workflow
      .list({ query: `TaskQueue = '${taskQueue}' OR TaskQueue = '${backlogQueue}'` })
      .intoHistories();
    // The server's histories hold encrypted payloads: the replayer decodes them with the workers' data converter.
    const results = Worker.runReplayHistories(await replayOptions(), histories);
    let replayed = 0;
    for await (const result of results) {
      expect(result.error).toBeUndefined();
      replayed += 1;
    }
    expect(replayed).toBeGreaterThanOrEqual(3);
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

