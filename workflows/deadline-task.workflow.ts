/**
 * One task that an organisation must complete by a deadline: reminders before it, escalations after it,
 * completion / extension / reassignment / cancellation through Updates. Every state change is projected
 * to PostgreSQL by an activity before the Update that caused it returns.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
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
  taskSnapshotQuery,
  type DeadlineTaskInput,
  type ScheduledNotification,
  type TaskEventType,
  type TaskSnapshot,
} from '../libs/contracts/deadline-task';
import { buildNotificationSchedule, DeadlineError, resolveDeadline, resolveIssuedDeadline } from '../libs/domain/deadline';
import { countOf, NOUNS } from '../libs/domain/russian';

const { projectTaskEvent } = proxyActivities<TaskActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

// Short enough that a worker killed mid-send is noticed quickly; an SMTP exchange takes well under a second.
const { sendTaskNotification } = proxyActivities<TaskActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

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

/** A task issued late gets its reminder window from issue (the policy's minimum lead, in seconds or working days). */
const LEAD_FROM_ISSUE = 'lead-from-issue';

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

  const record = async (type: TaskEventType, actor: string, data: Record<string, unknown>): Promise<void> => {
    snapshot.version += 1;
    upsertSearchAttributes([
      { key: TASK_SEARCH_ATTRIBUTES.assignee, value: snapshot.assigneeOrganizationId },
      { key: TASK_SEARCH_ATTRIBUTES.status, value: snapshot.status },
      { key: TASK_SEARCH_ATTRIBUTES.dueAt, value: new Date(snapshot.deadline.dueAt) },
    ]);
    const event = { seq: snapshot.version, type, actor, occurredAt: new Date().toISOString(), data };
    // A deep copy: the activity's input must be this moment's state, not what a later handler makes of it.
    await projectTaskEvent({ snapshot: JSON.parse(JSON.stringify(snapshot)) as TaskSnapshot, event });
  };

  const assertOpen = (): void => {
    if (snapshot.status === 'completed') {
      reject(TaskRejection.alreadyCompleted, `Задача уже выполнена ${snapshot.completedAt ?? ''}`.trim());
    }
    if (snapshot.status === 'cancelled') reject(TaskRejection.cancelled, 'Задача отменена');
  };

  setHandler(taskSnapshotQuery, () => snapshot);

  setHandler(taskReadyUpdate, async () => {
    await condition(() => createdProjected);
    return snapshot;
  });

  setHandler(
    completeTaskUpdate,
    async (request) => {
      const completedAt = new Date();
      const lateByMs = completedAt.getTime() - Date.parse(snapshot.deadline.dueAt);
      snapshot.status = 'completed';
      snapshot.completedAt = completedAt.toISOString();
      snapshot.completedBy = request.completedBy;
      snapshot.completedLate = lateByMs > 0;
      snapshot.result = request.result;
      await record('completed', request.completedBy, { late: lateByMs > 0, result: request.result });
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

  setHandler(
    extendTaskUpdate,
    async (request) => {
      const previous = snapshot.deadline;
      snapshot.deadline = resolveDeadline({ ...previous.requested, localDateTime: request.localDateTime });
      snapshot.deadlineRevision += 1;
      snapshot.schedule = buildNotificationSchedule(snapshot.deadline, snapshot.policy, snapshot.deadlineRevision, new Date(), {
        mergeSameMomentReminders: patched(MERGE_SAME_MOMENT_REMINDERS),
      });
      await record('extended', request.decidedBy, {
        reason: request.reason,
        previousDueAt: previous.dueAt,
        dueAt: snapshot.deadline.dueAt,
        localDateTime: snapshot.deadline.localDateTime,
        movedFromNonWorkingDay: snapshot.deadline.movedFromNonWorkingDay,
      });
      return snapshot.deadline;
    },
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
      const previous = snapshot.assigneeOrganizationId;
      snapshot.assigneeOrganizationId = request.organizationId;
      await record('reassigned', request.decidedBy, {
        reason: request.reason,
        from: previous,
        to: request.organizationId,
      });
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
    async (request) => {
      snapshot.status = 'cancelled';
      snapshot.cancelledAt = new Date().toISOString();
      snapshot.cancelReason = request.reason;
      await record('cancelled', request.cancelledBy, { reason: request.reason });
      return snapshot;
    },
    {
      validator: (request) => {
        assertOpen();
        requireText(request?.reason, 'reason', LIMITS.reasonMax);
        requireText(request.cancelledBy, 'cancelledBy', LIMITS.actorMax);
      },
    },
  );

  if (!createdProjected) {
    await record('created', input.createdBy, {
      title: input.title,
      dueAt: snapshot.deadline.dueAt,
      localDateTime: snapshot.deadline.localDateTime,
      requestedLocalDateTime: snapshot.deadline.requested.localDateTime,
      movedFromNonWorkingDay: snapshot.deadline.movedFromNonWorkingDay,
      ...(snapshot.deadline.leadFromIssue ? { leadFromIssue: snapshot.deadline.leadFromIssue } : {}),
      schedule: snapshot.schedule,
    });
    createdProjected = true;
  }

  while (snapshot.status === 'open') {
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
    const delivery = await sendTaskNotification({ step: next, snapshot: JSON.parse(JSON.stringify(snapshot)) as TaskSnapshot });
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
  return snapshot.schedule.find((step) => !snapshot.sentSteps.includes(step.stepKey));
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
    schedule: buildNotificationSchedule(deadline, input.policy, 1, now, {
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
