/**
 * One task that an organisation must complete by a deadline: reminders before it, escalations after it,
 * completion / extension / reassignment / cancellation through Updates. Every state change is projected
 * to PostgreSQL by an activity before the Update that caused it returns.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  TemporalFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { RetryState } from '@temporalio/common';
import type { TaskActivities } from '../activities/task-activities';
import {
  cancelTaskUpdate,
  completeTaskUpdate,
  extendTaskUpdate,
  LIMITS,
  reassignTaskUpdate,
  TaskRejection,
  taskReadyUpdate,
  TASK_SEARCH_ATTRIBUTES,
  taskDirectiveSignal,
  taskSnapshotQuery,
  type DeadlineTaskInput,
  type ScheduledNotification,
  type TaskAttention,
  type TaskEventType,
  type TaskSnapshot,
} from '../libs/contracts/deadline-task';
import type { TaskRecord } from '../libs/contracts/task-record';
import { buildNotificationSchedule, DeadlineError, resolveDeadline, resolveIssuedDeadline } from '../libs/domain/deadline';
import { countOf, NOUNS } from '../libs/domain/russian';
import { clean, handledActivityFailure, MAIL_OPTIONS, PROJECTION_LOCAL_OPTIONS, PROJECTION_OPTIONS, type FailureSummary } from './activity-failures';

const { projectTaskEvent: projectInActivityTask } = proxyActivities<TaskActivities>(PROJECTION_OPTIONS);
const { projectTaskEvent: projectInWorkflowTask } = proxyLocalActivities<TaskActivities>(PROJECTION_LOCAL_OPTIONS);
const { sendTaskNotification } = proxyActivities<TaskActivities>(MAIL_OPTIONS);

/** The change each event records, as the official reads it in «Изменение «…» не сохранено». */
const CHANGE_TITLES: Record<TaskEventType, string> = {
  created: 'создание задачи',
  reminder_sent: 'отправка напоминания',
  escalation_sent: 'отправка эскалации',
  completed: 'выполнение задачи',
  extended: 'продление срока',
  reassigned: 'смена исполнителя',
  cancelled: 'отмена задачи',
  attention_needed: 'отметка о сбое',
};

/** Carried across continue-as-new. */
export interface DeadlineTaskCarriedState {
  snapshot: TaskSnapshot;
  createdProjected: boolean;
}

/**
 * Reminders that fall on the same moment are sent once. Workflows started before this change keep the schedule
 * they were given (two e-mails), so their histories replay.
 */
const MERGE_SAME_MOMENT_REMINDERS = 'merge-same-moment-reminders';

/**
 * A change is projected by a local activity, in the workflow task that made it, and the search attributes are
 * upserted only when they change (a reminder changes none). Each reminder or escalation then costs one workflow
 * task less and no activity task or visibility write of its own: at a national deadline the server and the worker's
 * workflow thread were what bounded the e-mails sent per second. Histories recorded before keep their activity
 * tasks and upserts when replayed.
 */
const LIGHT_EVENTS = 'project-in-workflow-task';

/**
 * Projects one event to PostgreSQL (TaskActivities.projectTaskEvent): in the workflow task itself once
 * LIGHT_EVENTS applies, else as an activity task of its own, as histories recorded before it did.
 */
async function projectTaskEvent(input: Parameters<TaskActivities['projectTaskEvent']>[0]): Promise<void> {
  if (!patched(LIGHT_EVENTS)) return projectInActivityTask(input);
  try {
    await projectInWorkflowTask(input);
  } catch (err) {
    // A local activity's final failure reaches the workflow as the activity's own error (an ApplicationFailure, or a
    // TimeoutFailure), not wrapped in the ActivityFailure a remote one's comes in: wrapped here, the one handler
    // (handledActivityFailure) flags the task for both.
    if (err instanceof TemporalFailure && !(err instanceof ActivityFailure) && !(err instanceof CancelledFailure)) {
      throw new ActivityFailure(err.message, 'projectTaskEvent', undefined, RetryState.NON_RETRYABLE_FAILURE, undefined, err);
    }
    throw err;
  }
}

/** A task issued late gets its reminder window from issue (the policy's minimum lead, in seconds or working days). */
const LEAD_FROM_ISSUE = 'lead-from-issue';

/**
 * The schedule keeps every step after the moment the task was issued (the workflow's start), not after the moment a
 * worker first ran it: a task started while the workers were backlogged dropped the reminders and escalations that
 * fell in between, and an overdue task then escalated to nobody. Such steps are now sent, late, in order.
 */
const SCHEDULE_FROM_ISSUE = 'schedule-from-issue';

function reject(type: string, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

function requireText(value: unknown, field: string, max: number): void {
  if (typeof value !== 'string' || value.trim().length === 0) {
    reject(TaskRejection.invalidPayload, `Поле «${field}» обязательно`);
  }
  if ((value as string).length > max) {
    reject(TaskRejection.invalidPayload, `Поле «${field}» длиннее ${countOf(max, NOUNS.characterGenitive)}`);
  }
}

export async function deadlineTaskWorkflow(
  input: DeadlineTaskInput,
  carried?: DeadlineTaskCarriedState,
): Promise<TaskSnapshot> {
  const snapshot: TaskSnapshot = carried?.snapshot ?? newSnapshot(input);
  let createdProjected = carried?.createdProjected ?? false;
  /** The creation could not be stored: taskReady answers with the reason instead of waiting for ever. */
  let creationNotStored = false;

  /** What was last upserted, so that an event that changes none of the attributes upserts nothing. */
  let upserted: string | undefined;
  const upsertAttributes = (): void => {
    const values = JSON.stringify([snapshot.assigneeOrganizationId, snapshot.status, snapshot.deadline.dueAt]);
    if (values === upserted && patched(LIGHT_EVENTS)) return;
    upserted = values;
    upsertSearchAttributes([
      { key: TASK_SEARCH_ATTRIBUTES.assignee, value: snapshot.assigneeOrganizationId },
      { key: TASK_SEARCH_ATTRIBUTES.status, value: snapshot.status },
      { key: TASK_SEARCH_ATTRIBUTES.dueAt, value: new Date(snapshot.deadline.dueAt) },
    ]);
  };

  /**
   * Projects the change to PostgreSQL; true once stored. When the projection fails for good, the task is flagged
   * and false returned; with `before` (an Update's change) the change is undone first and the Update refused, so the
   * workflow never holds a state that PostgreSQL does not show.
   */
  const record = async (
    type: TaskEventType,
    actor: string,
    data: Record<string, unknown>,
    before?: TaskSnapshot,
    carried?: TaskRecord,
  ): Promise<boolean> => {
    snapshot.version += 1;
    upsertAttributes();
    const event = { seq: snapshot.version, type, actor, occurredAt: new Date().toISOString(), data };
    try {
      // A deep copy: the activity's input must be this moment's state, not what a later handler makes of it.
      // A record the Update carries is stored in the projection's transaction (libs/contracts/task-record.ts). Only
      // Updates sent with one pass it, so the histories of earlier completions replay unchanged.
      await projectTaskEvent(carried ? { snapshot: copyOf(snapshot), event, record: carried } : { snapshot: copyOf(snapshot), event });
      return true;
    } catch (err) {
      const failure = handledActivityFailure(err);
      if (!failure) throw err;
      if (before) {
        // In place: the query handler and the loop hold this object.
        for (const key of Object.keys(snapshot)) delete (snapshot as unknown as Record<string, unknown>)[key];
        Object.assign(snapshot, before);
        upsertAttributes();
      }
      const attention = await flag(type, failure, before !== undefined);
      if (before) {
        throw ApplicationFailure.create({
          type: failure.refused ? TaskRejection.invalidPayload : TaskRejection.notStored,
          message: attention.message,
          nonRetryable: true,
        });
      }
      return false;
    }
  };

  /**
   * Marks the task as needing attention and projects that mark on its own (an `attention_needed` event, from the
   * state without the refused change), so the API and the task's history show it. If even that cannot be stored
   * (PostgreSQL is down, or the task's creation itself was refused), the worker's log carries the alert.
   */
  const flag = async (eventType: TaskEventType, failure: FailureSummary, rolledBack: boolean): Promise<TaskAttention> => {
    const change = CHANGE_TITLES[eventType];
    const message = failure.refused
      ? eventType === 'reminder_sent' || eventType === 'escalation_sent'
        ? `Не выполнено: ${change} — почтовый сервер или база данных отклонили данные. Задача отмечена для проверки администратором`
        : `Изменение «${change}» не сохранено: база данных отклонила переданные данные. ` +
          'Задача отмечена для проверки администратором; исправьте данные и повторите действие'
      : `Изменение «${change}» не сохранено: база данных или почтовый сервер не ответили за отведённое число попыток. ` +
        'Задача отмечена для проверки администратором; повторите действие позже';
    const attention: TaskAttention = { at: new Date().toISOString(), eventType, message, failure: failure.detail, rolledBack };
    snapshot.attention = attention;
    snapshot.version += 1;
    upsertAttributes();
    const event = { seq: snapshot.version, type: 'attention_needed' as const, actor: 'system', occurredAt: attention.at, data: { ...attention } };
    try {
      await projectTaskEvent({ snapshot: copyOf(snapshot), event });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.error('operator alert: a task change was not stored, nor could the task be flagged', {
        taskId: snapshot.taskId,
        change: eventType,
        failure: failure.detail,
        flagFailure: clean(err.cause?.message ?? err.message, 500),
      });
    }
    return attention;
  };

  // A function, not a comparison in place: handlers change the status across an await, which TypeScript cannot see.
  const isOpen = (): boolean => snapshot.status === 'open';

  const assertOpen = (): void => {
    if (snapshot.status === 'completed') {
      reject(TaskRejection.alreadyCompleted, `Задача уже выполнена ${snapshot.completedAt ?? ''}`.trim());
    }
    if (snapshot.status === 'cancelled') reject(TaskRejection.cancelled, 'Задача отменена');
  };

  setHandler(taskSnapshotQuery, () => snapshot);

  setHandler(taskReadyUpdate, async () => {
    await condition(() => createdProjected || creationNotStored);
    if (!createdProjected) {
      throw ApplicationFailure.create({
        type: TaskRejection.notStored,
        message: snapshot.attention?.message ?? 'Задача не сохранена',
        nonRetryable: true,
      });
    }
    return snapshot;
  });

  setHandler(
    completeTaskUpdate,
    async (request) => {
      const before = copyOf(snapshot);
      const completedAt = new Date();
      const lateByMs = completedAt.getTime() - Date.parse(snapshot.deadline.dueAt);
      snapshot.status = 'completed';
      snapshot.completedAt = completedAt.toISOString();
      snapshot.completedBy = request.completedBy;
      snapshot.completedLate = lateByMs > 0;
      snapshot.result = request.result;
      await record('completed', request.completedBy, { late: lateByMs > 0, result: request.result }, before, request.record);
      return {
        status: 'completed',
        completedAt: snapshot.completedAt,
        late: lateByMs > 0,
        lateBySeconds: lateByMs > 0 ? Math.ceil(lateByMs / 1000) : 0,
      };
    },
    {
      validator: (request) => {
        assertOpen();
        requireText(request?.completedBy, 'completedBy', LIMITS.actorMax);
        const comment = request.result?.comment;
        if (comment !== undefined && (typeof comment !== 'string' || comment.length > LIMITS.commentMax)) {
          reject(TaskRejection.invalidPayload, `Комментарий длиннее ${countOf(LIMITS.commentMax, NOUNS.characterGenitive)}`);
        }
      },
    },
  );

  /** Moves the deadline and rebuilds the schedule; refused and undone (see record) when it cannot be stored. */
  const extend = async (localDateTime: string, reason: string, decidedBy: string, carried?: TaskRecord) => {
    const before = copyOf(snapshot);
    const previous = snapshot.deadline;
    snapshot.deadline = resolveDeadline({ ...previous.requested, localDateTime });
    snapshot.deadlineRevision += 1;
    snapshot.schedule = buildNotificationSchedule(snapshot.deadline, snapshot.policy, snapshot.deadlineRevision, new Date(), {
      mergeSameMomentReminders: patched(MERGE_SAME_MOMENT_REMINDERS),
    });
    await record('extended', decidedBy, {
      reason,
      previousDueAt: previous.dueAt,
      dueAt: snapshot.deadline.dueAt,
      localDateTime: snapshot.deadline.localDateTime,
      movedFromNonWorkingDay: snapshot.deadline.movedFromNonWorkingDay,
    }, before, carried);
    return snapshot.deadline;
  };

  const cancel = async (reason: string, cancelledBy: string): Promise<TaskSnapshot> => {
    const before = copyOf(snapshot);
    snapshot.status = 'cancelled';
    snapshot.cancelledAt = new Date().toISOString();
    snapshot.cancelReason = reason;
    await record('cancelled', cancelledBy, { reason }, before);
    return snapshot;
  };

  setHandler(
    extendTaskUpdate,
    (request) => extend(request.localDateTime, request.reason, request.decidedBy, request.record),
    {
      validator: (request) => {
        assertOpen();
        requireText(request?.reason, 'reason', LIMITS.reasonMax);
        requireText(request.decidedBy, 'decidedBy', LIMITS.actorMax);
        let proposed;
        try {
          proposed = resolveDeadline({ ...snapshot.deadline.requested, localDateTime: request.localDateTime });
        } catch (err) {
          if (err instanceof DeadlineError || err instanceof RangeError || err instanceof TypeError) {
            reject(TaskRejection.invalidPayload, `Неверный новый срок: ${request.localDateTime}`);
          }
          throw err;
        }
        if (Date.parse(proposed.dueAt) <= Date.parse(snapshot.deadline.dueAt)) {
          reject(TaskRejection.invalidPayload, 'Новый срок должен быть позже текущего');
        }
        if (Date.parse(proposed.dueAt) <= Date.now()) {
          reject(TaskRejection.invalidPayload, 'Новый срок уже прошёл');
        }
      },
    },
  );

  setHandler(
    reassignTaskUpdate,
    async (request) => {
      const before = copyOf(snapshot);
      const previous = snapshot.assigneeOrganizationId;
      snapshot.assigneeOrganizationId = request.organizationId;
      await record('reassigned', request.decidedBy, {
        reason: request.reason,
        from: previous,
        to: request.organizationId,
      }, before);
      return snapshot;
    },
    {
      validator: (request) => {
        assertOpen();
        requireText(request?.organizationId, 'organizationId', LIMITS.actorMax);
        requireText(request.reason, 'reason', LIMITS.reasonMax);
        requireText(request.decidedBy, 'decidedBy', LIMITS.actorMax);
        if (request.organizationId === snapshot.assigneeOrganizationId) {
          reject(TaskRejection.invalidPayload, 'Задача уже назначена этой организации');
        }
      },
    },
  );

  setHandler(
    cancelTaskUpdate,
    (request) => cancel(request.reason, request.cancelledBy),
    {
      validator: (request) => {
        assertOpen();
        requireText(request?.reason, 'reason', LIMITS.reasonMax);
        requireText(request.cancelledBy, 'cancelledBy', LIMITS.actorMax);
      },
    },
  );

  // The cycle's cancellation or stage extension, passed down by the task's step. Applied after the creation is
  // stored (so the projections keep their order), and only while it still applies: a task completed meanwhile, or
  // one whose deadline is already as late, keeps what it has.
  setHandler(taskDirectiveSignal, async (directive) => {
    await condition(() => createdProjected || creationNotStored);
    if (!createdProjected || !isOpen()) return;
    try {
      if (directive.kind === 'cancel') {
        await cancel(directive.reason, directive.by);
        return;
      }
      let proposed;
      try {
        proposed = resolveDeadline({ ...snapshot.deadline.requested, localDateTime: directive.localDateTime });
      } catch (err) {
        if (err instanceof DeadlineError || err instanceof RangeError || err instanceof TypeError) {
          log.warn('stage extension not applied: the date cannot be placed in this task\'s calendar', { taskId: snapshot.taskId });
          return;
        }
        throw err;
      }
      if (Date.parse(proposed.dueAt) <= Date.parse(snapshot.deadline.dueAt)) return;
      await extend(directive.localDateTime, directive.reason, directive.by);
    } catch (err) {
      // Not stored: record() undid the change and flagged the task for an administrator; the signal has no caller
      // to refuse, and failing the workflow over it would lose the task.
      if (!(err instanceof ApplicationFailure)) throw err;
    }
  });

  if (!createdProjected) {
    const stored = await record('created', input.createdBy, {
      title: input.title,
      dueAt: snapshot.deadline.dueAt,
      localDateTime: snapshot.deadline.localDateTime,
      requestedLocalDateTime: snapshot.deadline.requested.localDateTime,
      movedFromNonWorkingDay: snapshot.deadline.movedFromNonWorkingDay,
      ...(snapshot.deadline.leadFromIssue ? { leadFromIssue: snapshot.deadline.leadFromIssue } : {}),
      schedule: snapshot.schedule,
    });
    if (stored) createdProjected = true;
    else creationNotStored = true;
  }

  for (;;) {
    if (!isOpen()) {
      // A completion or cancellation is final only once its Update has stored it: one that could not be stored is
      // undone (see record), and the task goes on.
      await condition(allHandlersFinished);
      if (!isOpen()) break;
    }
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof deadlineTaskWorkflow>(input, { snapshot, createdProjected });
    }
    const next = nextPendingStep(snapshot);
    const versionSeen = snapshot.version;
    const somethingChanged = () => snapshot.status !== 'open' || snapshot.version !== versionSeen;
    if (!next) {
      await condition(somethingChanged);
      continue;
    }
    const due = await condition(somethingChanged, Math.max(1, Date.parse(next.at) - Date.now())).then((c) => !c);
    if (!due) continue;
    let delivery: Awaited<ReturnType<typeof sendTaskNotification>>;
    try {
      delivery = await sendTaskNotification({ step: next, snapshot: copyOf(snapshot) });
    } catch (err) {
      const failure = handledActivityFailure(err);
      if (!failure) throw err;
      // Given up, not retried again: the schedule goes on with the next reminder or escalation.
      snapshot.failedSteps = [...(snapshot.failedSteps ?? []), next.stepKey];
      await flag(next.kind === 'reminder' ? 'reminder_sent' : 'escalation_sent', failure, false);
      continue;
    }
    snapshot.sentSteps.push(next.stepKey);
    await record(next.kind === 'reminder' ? 'reminder_sent' : 'escalation_sent', 'system', {
      stepKey: next.stepKey,
      target: next.target,
      scheduledAt: next.at,
      ...delivery,
    });
  }

  await condition(allHandlersFinished);
  return snapshot;
}

function nextPendingStep(snapshot: TaskSnapshot): ScheduledNotification | undefined {
  const failed = snapshot.failedSteps ?? [];
  return snapshot.schedule.find((step) => !snapshot.sentSteps.includes(step.stepKey) && !failed.includes(step.stepKey));
}

function copyOf(snapshot: TaskSnapshot): TaskSnapshot {
  return JSON.parse(JSON.stringify(snapshot)) as TaskSnapshot;
}

function newSnapshot(input: DeadlineTaskInput): TaskSnapshot {
  const now = new Date();
  // Only policies that ask for a lead take the patch, so tasks started without one keep their histories unchanged.
  const asksForLead = input.policy.minimumLeadSeconds !== undefined || input.policy.minimumLeadWorkingDays !== undefined;
  const deadline =
    asksForLead && patched(LEAD_FROM_ISSUE)
      ? resolveIssuedDeadline(input.deadline, input.policy, now)
      : resolveDeadline(input.deadline);
  return {
    taskId: input.taskId,
    workflowId: workflowInfo().workflowId,
    title: input.title,
    description: input.description,
    status: 'open',
    assigneeOrganizationId: input.assigneeOrganizationId,
    supervisorOrganizationId: input.supervisorOrganizationId,
    deadline,
    deadlineRevision: 1,
    policy: input.policy,
    schedule: buildNotificationSchedule(deadline, input.policy, 1, patched(SCHEDULE_FROM_ISSUE) ? workflowInfo().startTime : now, {
      mergeSameMomentReminders: patched(MERGE_SAME_MOMENT_REMINDERS),
    }),
    sentSteps: [],
    createdBy: input.createdBy,
    createdAt: now.toISOString(),
    context: input.context,
    legalBasis: input.legalBasis,
    version: 0,
  };
}
