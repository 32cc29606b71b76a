/**
 * No input may wedge a task: a value PostgreSQL refuses, fed straight into the workflow's Update (bypassing the API,
 * which refuses it at its edge), fails the projection at once instead of retrying for ever; the workflow undoes the
 * change, flags the task (the API's `attention`, the `needs_attention` column, an `attention_needed` event) and keeps
 * answering. Real Temporal, PostgreSQL and SMTP, as the worker runs them.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { DateTime } from 'luxon';
import { mapTask } from '../../apps/api/tasks/task.views';
import { DATA_REFUSED } from '../../libs/contracts/activity-failures';
import {
  cancelCycleUpdate,
  CYCLE_WORKFLOW,
  cycleProgressQuery,
  cycleWorkflowId,
  pauseCycleUpdate,
  resumeCycleUpdate,
  type CycleInput,
} from '../../libs/contracts/cycle';
import type { ResolvedCyclePlan } from '../../libs/contracts/cycle-template';
import {
  cancelTaskUpdate,
  completeTaskUpdate,
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  TaskRejection,
  taskReadyUpdate,
  taskSnapshotQuery,
  type DeadlineTaskInput,
  type NotificationPolicy,
  type TaskSnapshot,
} from '../../libs/contracts/deadline-task';
import { CycleRepository, TaskRepository } from '../../libs/persistence';
import { PROJECTION_LOCAL_OPTIONS } from '../../workflows/activity-failures';
import { createTestRegion } from '../support/cycle-region';
import { insertStubTemplate } from '../support/cycle-rows';
import { startWorkerStack, type WorkerStack } from '../support/api-stack';
import { recordHistory } from '../support/record-history';
import { pollUntil } from '../support/poll';
import { localDateTimeIn, uniqueSuffix } from '../support/test-config';
import type { Harness } from '../support/worker-harness';

const ZONE = 'Asia/Yekaterinburg';
const taskQueue = `activity-failure-${uniqueSuffix()}`;
let stack: WorkerStack;
let harness: Harness;

beforeAll(async () => {
  stack = await startWorkerStack(taskQueue);
  ({ harness } = stack);
});

afterAll(() => stack?.close());

const QUIET: NotificationPolicy = { reminders: [], escalations: [] };

function input(name: string, overrides: Partial<DeadlineTaskInput> = {}, dueInSeconds = 3600): DeadlineTaskInput {
  return {
    taskId: `${name}-${uniqueSuffix()}`,
    title: `Представить муниципальный план поддержки школ (${name})`,
    assigneeOrganizationId: 'demo-mun-severny',
    supervisorOrganizationId: 'demo-ministry',
    deadline: { localDateTime: localDateTimeIn(ZONE, dueInSeconds), timeZone: ZONE, calendar: 'calendar-days' },
    policy: { ...QUIET, minimumLeadSeconds: dueInSeconds },
    createdBy: 'programme@demo-region.example',
    ...overrides,
  };
}

async function start(taskInput: DeadlineTaskInput): Promise<WorkflowHandle> {
  return harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
    taskQueue,
    workflowId: deadlineTaskWorkflowId(taskInput.taskId),
    args: [taskInput],
  });
}

async function auditTypes(taskId: string): Promise<string[]> {
  const rows: { type: string }[] = await harness.dataSource.query(
    `SELECT type FROM audit_events WHERE subject_type = 'task' AND subject_id = $1 ORDER BY seq`,
    [taskId],
  );
  return rows.map((r) => r.type);
}

async function updateFailure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

async function historyEvents(handle: WorkflowHandle): Promise<HistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

/** The SDK's marker of a local activity (the task's projection since LIGHT_EVENTS) in a history. */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

function localActivityMarkers(events: HistoryEvent[]) {
  return events.map((e) => e.markerRecordedEventAttributes).filter((m) => m?.markerName === LOCAL_ACTIVITY_MARKER);
}

/** The attempt a local activity's marker records (its `data` detail, the SDK's JSON). */
function markerAttempt(marker: NonNullable<HistoryEvent['markerRecordedEventAttributes']>): number {
  const payload = marker.details?.data?.payloads?.[0]?.data;
  return payload ? Number((JSON.parse(Buffer.from(payload).toString('utf8')) as { attempt?: number }).attempt ?? 0) : 0;
}

/**
 * Every activity the workflow ran carries a bound, a maximum of attempts and a schedule-to-close timeout: the
 * scheduled ones in their history events, the local ones (whose markers record no options) in their options.
 */
function expectBoundedActivities(events: HistoryEvent[]): void {
  const scheduled = events.map((e) => e.activityTaskScheduledEventAttributes).filter((a) => a);
  expect(scheduled.length + localActivityMarkers(events).length).toBeGreaterThan(0);
  for (const activity of scheduled) {
    expect(Number(activity!.retryPolicy?.maximumAttempts ?? 0)).toBeGreaterThan(0);
    expect(Number(activity!.scheduleToCloseTimeout?.seconds ?? 0)).toBeGreaterThan(0);
  }
  if (localActivityMarkers(events).length > 0) {
    expect(PROJECTION_LOCAL_OPTIONS.retry?.maximumAttempts).toBeGreaterThan(0);
    expect(PROJECTION_LOCAL_OPTIONS.scheduleToCloseTimeout).toBeTruthy();
  }
}

/** The projection attempts that failed (remote activities and local ones), each with its attempt and failure type. */
function failedProjections(events: HistoryEvent[]): { attempt: number; type: string; nonRetryable: boolean }[] {
  const started = new Map<string, number>();
  for (const e of events) {
    if (e.activityTaskStartedEventAttributes) {
      started.set(String(e.activityTaskStartedEventAttributes.scheduledEventId), e.activityTaskStartedEventAttributes.attempt ?? 0);
    }
  }
  const remote = events
    .filter((e) => e.activityTaskFailedEventAttributes)
    .map((e) => {
      const attrs = e.activityTaskFailedEventAttributes!;
      return {
        attempt: started.get(String(attrs.scheduledEventId)) ?? 0,
        type: attrs.failure?.applicationFailureInfo?.type ?? '',
        nonRetryable: attrs.failure?.applicationFailureInfo?.nonRetryable ?? false,
      };
    });
  const local = localActivityMarkers(events)
    .filter((m) => m!.failure)
    .map((m) => {
      // The activity's own failure, or the cause of the SDK's wrapper around it.
      const failure = m!.failure!.applicationFailureInfo ? m!.failure! : (m!.failure!.cause ?? m!.failure!);
      return {
        attempt: markerAttempt(m!),
        type: failure.applicationFailureInfo?.type ?? '',
        nonRetryable: failure.applicationFailureInfo?.nonRetryable ?? false,
      };
    });
  return [...remote, ...local];
}

describe('an activity that fails for good flags the task instead of wedging it', () => {
  it('undoes a completion PostgreSQL refuses (a NUL in the comment) at the first attempt, flags the task, and still completes it', async () => {
    const taskInput = input('nul-comment', {});
    const handle = await start(taskInput);
    await handle.executeUpdate(taskReadyUpdate);

    const refusal = await updateFailure(
      handle.executeUpdate(completeTaskUpdate, {
        args: [{ completedBy: 'coordinator@severny.demo-region.example', result: { comment: 'План направлен\u0000' } }],
      }),
    );
    expect(refusal.type).toBe(TaskRejection.invalidPayload);
    expect(refusal.message).toMatch(/^Изменение «выполнение задачи» не сохранено: база данных отклонила переданные данные/);

    const events = await historyEvents(handle);
    expectBoundedActivities(events);
    expect(failedProjections(events)).toEqual([{ attempt: 1, type: DATA_REFUSED, nonRetryable: true }]);

    // The workflow answers, with the change undone and the flag set.
    const snapshot = await handle.query(taskSnapshotQuery);
    expect(snapshot.status).toBe('open');
    expect(snapshot.result).toBeUndefined();
    expect(snapshot.attention).toEqual(
      expect.objectContaining({ eventType: 'completed', rolledBack: true, message: refusal.message, failure: expect.stringContaining('22P05') }),
    );

    // PostgreSQL shows what the workflow holds: open, flagged, and an attention_needed event after the creation.
    const tasks = new TaskRepository(harness.dataSource);
    const row = await tasks.find(taskInput.taskId);
    expect(row).toEqual(expect.objectContaining({ status: 'open', needsAttention: true }));
    expect(row!.snapshot.attention).toEqual(snapshot.attention);
    expect(await auditTypes(taskInput.taskId)).toEqual(['created', 'attention_needed']);
    // The same mapper the API's task views use: GET /api/tasks/:id and the inbox carry `attention`.
    const view = mapTask(row!.snapshot, new Map(), new Date());
    expect(view.attention).toEqual(expect.objectContaining({ eventType: 'completed', message: refusal.message }));

    // Corrected data goes through; the flag stays for the operator, the history shows both.
    const completion = await handle.executeUpdate(completeTaskUpdate, {
      args: [{ completedBy: 'coordinator@severny.demo-region.example', result: { comment: 'План направлен' } }],
    });
    expect(completion.status).toBe('completed');
    const final = (await handle.result()) as TaskSnapshot;
    expect(final.status).toBe('completed');
    expect((await tasks.find(taskInput.taskId))?.status).toBe('completed');
    expect(await auditTypes(taskInput.taskId)).toEqual(['created', 'attention_needed', 'completed']);
    // The replay test keeps this path (patched 'activity-failures-handled') deterministic from now on.
    recordHistory('completion-refused-then-completed', handle.workflowId);
  });

  it('answers taskReady with the reason when the creation itself is refused, and the workflow keeps answering', async () => {
    const taskInput = input('nul-title', { title: 'План поддержки\u0000школ' });
    const handle = await start(taskInput);

    const refusal = await updateFailure(handle.executeUpdate(taskReadyUpdate));
    expect(refusal.type).toBe(TaskRejection.notStored);
    expect(refusal.message).toMatch(/^Изменение «создание задачи» не сохранено/);

    const snapshot = await handle.query(taskSnapshotQuery);
    expect(snapshot.attention).toEqual(expect.objectContaining({ eventType: 'created', rolledBack: false }));
    expect(await new TaskRepository(harness.dataSource).find(taskInput.taskId)).toBeNull();
    const events = await historyEvents(handle);
    expectBoundedActivities(events);
    // The creation and the flag after it: each refused once, neither retried.
    expect(failedProjections(events)).toEqual([
      { attempt: 1, type: DATA_REFUSED, nonRetryable: true },
      { attempt: 1, type: DATA_REFUSED, nonRetryable: true },
    ]);

    // Still answering Updates: a cancellation of it is refused with the same reason, not left hanging.
    const cancel = await updateFailure(handle.executeUpdate(cancelTaskUpdate, { args: [{ reason: 'Ошибка в названии', cancelledBy: 'system' }] }));
    expect(cancel.type).toBe(TaskRejection.invalidPayload);
    expect((await handle.query(taskSnapshotQuery)).status).toBe('open');
    await handle.terminate('test over');
  });

  it('gives up a reminder that cannot be sent, flags the task and goes on with the schedule', async () => {
    // An organisation the directory does not know: no one to write to (non-retryable), and no row to project.
    const taskInput = input(
      'unknown-assignee',
      { assigneeOrganizationId: `no-such-organisation-${uniqueSuffix()}`, policy: { reminders: [{ secondsBefore: 6 }], escalations: [], minimumLeadSeconds: 8 } },
      8,
    );
    const handle = await start(taskInput);
    await updateFailure(handle.executeUpdate(taskReadyUpdate));

    let snapshot: TaskSnapshot = await handle.query(taskSnapshotQuery);
    const deadline = Date.now() + 30_000;
    while (!(snapshot.failedSteps ?? []).length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      snapshot = await handle.query(taskSnapshotQuery);
    }
    expect(snapshot.failedSteps).toEqual(['r1-reminder-1']);
    expect(snapshot.sentSteps).toEqual([]);
    expect(snapshot.attention).toEqual(expect.objectContaining({ eventType: 'reminder_sent', rolledBack: false }));
    const failures = failedProjections(await historyEvents(handle));
    expect(failures).toContainEqual({ attempt: 1, type: 'UnknownOrganization', nonRetryable: true });
    expect(failures.every((f) => f.attempt === 1)).toBe(true);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
  });
});

describe('a cycle event that cannot be recorded raises an operator alert, and the cycle goes on', () => {
  it('pauses on a reason PostgreSQL refuses, records the alert in the cycle\'s audit trail, and still resumes and cancels', async () => {
    const zone = 'Europe/Moscow';
    const region = await createTestRegion(harness.dataSource, { code: `af${uniqueSuffix()}`.slice(0, 18), timeZone: zone, municipalities: 1, schoolsPerMunicipality: 1 });
    const dueLocal = DateTime.now().setZone(zone).plus({ seconds: 600 }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
    const plan: ResolvedCyclePlan = {
      templateId: 'af-test',
      templateVersion: 1,
      title: 'Цикл для проверки сбоев',
      timeZone: zone,
      academicYear: 2026,
      calendar: 'calendar-days',
      compression: { secondsPerDay: 1, origin: new Date().toISOString() },
      forms: {},
      stages: [
        {
          id: 'identification',
          title: 'Идентификация',
          dependsOn: [],
          steps: [
            {
              key: 'list',
              stepId: 'list',
              stageId: 'identification',
              kind: 'identification',
              actor: 'ministry',
              title: 'Утвердить список школ',
              dueLocal,
              policy: { reminders: [], escalations: [] },
            },
          ],
        },
      ],
    };
    const cycleId = `${region.code}-2026`;
    await insertStubTemplate(harness.dataSource, 'af-test');
    await new CycleRepository(harness.dataSource).insertCycle({
      id: cycleId,
      regionCode: region.code,
      academicYear: 2026,
      templateId: 'af-test',
      templateVersion: 1,
      workflowId: cycleWorkflowId(cycleId),
      ministryId: region.ministryId,
      status: 'running',
      plan,
      launchedBy: region.admin.email,
    });
    const input: CycleInput = { cycleId, regionCode: region.code, academicYear: 2026, plan, ministryId: region.ministryId, launchedBy: region.admin.email };
    const handle = await harness.env.client.workflow.start(CYCLE_WORKFLOW, { taskQueue, workflowId: cycleWorkflowId(cycleId), args: [input] });

    const cycleEvents = async (): Promise<{ type: string; data: Record<string, unknown> }[]> =>
      harness.dataSource.query(`SELECT type, data FROM audit_events WHERE subject_type = 'cycle' AND subject_id = $1 ORDER BY chain_seq`, [cycleId]);
    // The launch is recorded by an activity of its own; the pause comes after it, as an official's would.
    await pollUntil('the cycle_launched event', async () => ((await cycleEvents()).length > 0 ? true : undefined), 60_000);
    const paused = await handle.executeUpdate(pauseCycleUpdate, { args: [{ by: region.admin.email, reason: 'Перенос\u0000сроков' }] });
    expect(paused.status).toBe('paused');

    const events = await cycleEvents();
    expect(events.map((e) => e.type)).toEqual(['cycle_launched', 'operator_alert']);
    expect(events[1].data).toEqual(
      expect.objectContaining({
        activity: 'recordCycleEvent',
        message: 'Событие цикла «cycle_paused» не записано в журнал; цикл продолжается',
        failure: expect.stringContaining(DATA_REFUSED),
      }),
    );
    expect(failedProjections(await historyEvents(handle))).toEqual([{ attempt: 1, type: DATA_REFUSED, nonRetryable: true }]);
    expectBoundedActivities(await historyEvents(handle));

    // The cycle keeps answering: its state is the workflow's, and the next event stores the whole progress.
    expect((await handle.query(cycleProgressQuery)).status).toBe('paused');
    await handle.executeUpdate(resumeCycleUpdate, { args: [{ by: region.admin.email, reason: 'Сроки согласованы' }] });
    // Resumed, the identification step issues its task; the cancellation then closes it (a cancellation racing the
    // task's creation would leave it open: that sweep is the cycle's own, not this test's subject).
    const until = Date.now() + 30_000;
    for (;;) {
      const open: unknown[] = await harness.dataSource.query(
        `SELECT 1 FROM tasks WHERE status = 'open' AND snapshot->'context'->>'cycleId' = $1 AND snapshot->'context'->>'action' = 'approve_list'`,
        [cycleId],
      );
      if (open.length > 0 || Date.now() > until) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await handle.executeUpdate(cancelCycleUpdate, { args: [{ by: region.admin.email, reason: 'Проверка окончена' }] });
    expect((await handle.result()).status).toBe('cancelled');
    expect((await cycleEvents()).map((e) => e.type)).toEqual(['cycle_launched', 'operator_alert', 'cycle_resumed', 'cycle_cancelled']);
    expect((await new CycleRepository(harness.dataSource).findCycle(cycleId))?.status).toBe('cancelled');
  });
});
