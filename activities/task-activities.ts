import { ApplicationFailure, log } from '@temporalio/activity';
import type { ScheduledNotification, TaskEvent, TaskSnapshot } from '../libs/contracts/deadline-task';
import { KILL_BEFORE_RECORD_COMMIT_ENV, type TaskRecord } from '../libs/contracts/task-record';
import { curatorCopyScope, curatorCopyStepKey } from '../libs/domain/curators';
import { formatLocal } from '../libs/domain/deadline';
import { timeLeftText } from '../libs/domain/time-left';
import { renderTaskNotification, type Mailer, type RenderedMail } from '../libs/mail';
import { MAIL_REFUSED } from '../libs/contracts/activity-failures';
import { failFastOnRefusedData, safeErrorText } from './failures';
import type {
  DirectoryRepository,
  NotificationOutboxRepository,
  NotificationRecipient,
  OrganizationEntity,
  OutboxMessage,
  PersonEntity,
  TaskRecordRepository,
  TaskRepository,
} from '../libs/persistence';

export interface TaskActivityDeps {
  tasks: TaskRepository;
  /** Stores what an Update carries (a cycle task's record, a granted extension) with the projection of its change. */
  records: TaskRecordRepository;
  directory: DirectoryRepository;
  outbox: NotificationOutboxRepository;
  mailer: Mailer;
  /** The link in e-mails: the task's API resource until the web app exists. */
  publicUrl: string;
  /** The right-hand side of Message-IDs. */
  messageIdDomain: string;
}

/** What became of one outbox message. */
export interface NotificationDeliveryOf {
  messageId: string;
  status: 'sent' | 'no_recipients';
  recipients: string[];
  /** Addresses the relay refused for good while it took the message for the others (kept on the outbox row too). */
  refusedRecipients?: string[];
}

export interface NotificationDelivery extends NotificationDeliveryOf {
  /** An escalation of a cycle task whose school has curators: their copy. Absent when nobody curates the school. */
  curatorCopy?: NotificationDeliveryOf;
}

/** The outbox `target` of the copy an escalation's curators receive. */
export const CURATOR_COPY_TARGET = 'curator_copy';

/**
 * The outbox `target` of a message re-sent to the organisation's other people (or their deputies) after the relay
 * refused every recipient of the original for good; its step key is `<step>-fallback`.
 */
export const FALLBACK_TARGET = 'fallback';

/**
 * nodemailer's error for a permanent refusal: the server answered 5xx (an address it will never accept), or the
 * envelope had no recipient it could use. A retry sends the same letter to the same addresses, so it cannot help.
 */
function isPermanentMailError(err: unknown): boolean {
  const { responseCode, code } = (err ?? {}) as { responseCode?: unknown; code?: unknown };
  return (typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600) || code === 'EENVELOPE';
}

/** Marks an outbox row's last error as a permanent refusal (a stand-in delivery is then due), shown on the task. */
const REFUSED_PREFIX = 'Адрес отклонён почтовым сервером: ';
/** On a sent row: the recipients the relay refused while it took the message for the others. */
const PARTLY_REFUSED_PREFIX = 'Не доставлено (адрес отклонён почтовым сервером): ';

/** Deterministic per task and step: a re-send after a crash carries the same Message-ID, so mail clients fold it. */
export function notificationMessageId(taskId: string, stepKey: string, domain: string): string {
  const safeTaskId = taskId.replace(/[^A-Za-z0-9._-]/g, (c) => `=${c.charCodeAt(0).toString(16)}`);
  return `<task.${safeTaskId}.${stepKey}@${domain}>`;
}

export function createTaskActivities(deps: TaskActivityDeps) {
  const recipientsFor = async (snapshot: TaskSnapshot, step: ScheduledNotification): Promise<PersonEntity[]> => {
    switch (step.target) {
      case 'assignee':
        return deps.directory.listPeople(snapshot.assigneeOrganizationId);
      case 'assignee_head':
        return deps.directory.listHeads(snapshot.assigneeOrganizationId);
      case 'supervisor':
        return deps.directory.listHeads(snapshot.supervisorOrganizationId);
    }
  };

  // Every activity fails fast, without retrying, when PostgreSQL refuses its data (activities/failures.ts).
  return failFastOnRefusedData({
    async projectTaskEvent(input: { snapshot: TaskSnapshot; event: TaskEvent; record?: TaskRecord }): Promise<void> {
      const { record } = input;
      await deps.tasks.applyProjection(
        input.snapshot,
        input.event,
        record &&
          (async (manager) => {
            const entry = await deps.records.apply(manager, input.snapshot, input.event, record);
            // The crash test's gap: the record's rows written, nothing committed, the Update accepted by Temporal.
            if (process.env[KILL_BEFORE_RECORD_COMMIT_ENV] === '1') process.kill(process.pid, 'SIGKILL');
            return entry;
          }),
      );
      if (input.event.type === 'attention_needed') {
        // The operator's alert: the worker's log is where failed changes are watched for.
        log.error('operator alert: a task change was not stored; the task is flagged', {
          taskId: input.snapshot.taskId,
          workflowId: input.snapshot.workflowId,
          ...input.event.data,
        });
      }
    },

    /**
     * Sends one reminder or escalation at most once per (task, step) as far as the outbox can tell.
     * The message is fixed when the row is first written; a retry re-reads it rather than re-rendering.
     * An escalation of a cycle task also goes, as a copy of its own (outbox key `<step>-curators`), to the curators
     * of the school it is assigned to; a retry after the copy failed finds the main message sent and sends only
     * the copy. Reminders never reach curators.
     */
    async sendTaskNotification(input: { step: ScheduledNotification; snapshot: TaskSnapshot }): Promise<NotificationDelivery> {
      const { step, snapshot } = input;
      let assignee: OrganizationEntity | undefined;
      const requireAssignee = async (): Promise<OrganizationEntity> => {
        assignee ??= (await deps.directory.findOrganization(snapshot.assigneeOrganizationId)) ?? undefined;
        if (!assignee) {
          throw ApplicationFailure.nonRetryable(`organisation ${snapshot.assigneeOrganizationId} not found`, 'UnknownOrganization');
        }
        return assignee;
      };
      const message = (stepKey: string, target: string, people: PersonEntity[], mail: RenderedMail): OutboxMessage => {
        const recipients: NotificationRecipient[] = people.map((p) => ({ personId: p.id, fullName: p.fullName, email: p.email }));
        return {
          taskId: snapshot.taskId,
          stepKey,
          kind: step.kind,
          target,
          messageId: notificationMessageId(snapshot.taskId, stepKey, deps.messageIdDomain),
          recipients,
          subject: mail.subject,
          bodyText: mail.text,
          bodyHtml: mail.html,
          status: recipients.length === 0 ? 'no_recipients' : 'pending',
        };
      };

      // A permanent refusal of every recipient (an unknown mailbox) is kept on the row as its last error, shown on
      // the task, and the letter goes to the organisation's other people instead (their deputies while away).
      const fallback = async (refused: string[]): Promise<NotificationDeliveryOf | null> => {
        const fallbackKey = `${step.stepKey}-fallback`;
        return deliverOnce(snapshot, fallbackKey, async () => {
          const organizationId = step.target === 'supervisor' ? snapshot.supervisorOrganizationId : snapshot.assigneeOrganizationId;
          const refusedSet = new Set(refused.map((a) => a.toLowerCase()));
          const others = (await deps.directory.listPeople(organizationId)).filter((p) => !refusedSet.has(p.email.toLowerCase()));
          if (others.length === 0) return null;
          return message(fallbackKey, FALLBACK_TARGET, others, render(step, snapshot, await requireAssignee()));
        });
      };
      const main = await deliverOnce(
        snapshot,
        step.stepKey,
        async () => {
          const organization = await requireAssignee();
          const people = await recipientsFor(snapshot, step);
          return message(step.stepKey, step.target, people, render(step, snapshot, organization));
        },
        fallback,
      );
      if (!main) throw new Error(`outbox row for ${snapshot.taskId}/${step.stepKey} was not written`);

      const scope = curatorCopyScope(step.kind, snapshot);
      if (!scope) return main;
      const copyKey = curatorCopyStepKey(step.stepKey);
      const copy = await deliverOnce(snapshot, copyKey, async () => {
        const curators = await deps.directory.listCurators(scope.cycleId, scope.schoolId);
        // Nobody curates the school: no row, so the task's e-mails list no empty copy.
        if (curators.length === 0) return null;
        const organization = await requireAssignee();
        return message(copyKey, CURATOR_COPY_TARGET, curators, render(step, snapshot, organization, organization.name));
      });
      return copy ? { ...main, curatorCopy: copy } : main;
    },
  });

  /**
   * Sends the outbox row of (task, stepKey), writing it first from `build` unless it exists; null: nothing to send.
   * `onRefused` is asked, when the relay refuses every recipient for good, for another delivery standing in for it.
   */
  async function deliverOnce(
    snapshot: TaskSnapshot,
    stepKey: string,
    build: () => Promise<OutboxMessage | null>,
    onRefused?: (refused: string[]) => Promise<NotificationDeliveryOf | null>,
  ): Promise<NotificationDeliveryOf | null> {
    let row = await deps.outbox.find(snapshot.taskId, stepKey);
    if (!row) {
      const built = await build();
      if (!built) return null;
      row = await deps.outbox.reserve(built);
    }
    const delivery = (status: NotificationDeliveryOf['status']): NotificationDeliveryOf => ({
      messageId: row.messageId,
      status,
      recipients: row.recipients.map((r) => r.email),
    });
    if (row.status === 'sent' || row.status === 'no_recipients') return delivery(row.status);
    // Refused for good by an earlier attempt whose stand-in was not sent yet (its send failed for a while).
    if (onRefused && row.lastError && row.lastError.startsWith(REFUSED_PREFIX)) {
      const standIn = await onRefused(row.recipients.map((r) => r.email));
      if (standIn) return standIn;
    }

    let refused: string[];
    try {
      ({ refused } = await deps.mailer.send({
        messageId: row.messageId,
        to: row.recipients.map((r) => ({ name: r.fullName, address: r.email })),
        subject: row.subject,
        text: row.bodyText,
        html: row.bodyHtml,
      }));
    } catch (err) {
      const errorText = safeErrorText(err, 1000);
      const permanent = isPermanentMailError(err);
      log.warn(permanent ? 'SMTP refused the message for good' : 'SMTP send failed; Temporal will retry', {
        taskId: snapshot.taskId,
        stepKey,
        error: errorText,
      });
      await deps.outbox.recordAttempt(row.id, permanent ? `${REFUSED_PREFIX}${errorText}` : errorText);
      if (permanent && onRefused) {
        const standIn = await onRefused(row.recipients.map((r) => r.email));
        if (standIn) return standIn;
      }
      if (permanent) throw ApplicationFailure.nonRetryable(`SMTP refused ${row.messageId}: ${errorText}`, MAIL_REFUSED);
      throw err;
    }
    await deps.outbox.markSent(row.id);
    // Sent to the others: the refused addresses stay on the row (the task's e-mails list them) and in the event.
    await deps.outbox.recordAttempt(row.id, refused.length > 0 ? `${PARTLY_REFUSED_PREFIX}${refused.join(', ')}` : null);
    if (refused.length > 0) {
      log.warn('SMTP refused some recipients for good; sent to the others', { taskId: snapshot.taskId, stepKey, refused: refused.length });
      return { ...delivery('sent'), refusedRecipients: refused };
    }
    return delivery('sent');
  }

  function render(step: ScheduledNotification, snapshot: TaskSnapshot, assignee: OrganizationEntity, curatedSchoolName?: string): RenderedMail {
    return renderTaskNotification({
      kind: step.kind,
      target: step.target,
      taskTitle: snapshot.title,
      assigneeName: assignee.name,
      dueLocal: formatLocal(snapshot.deadline.dueAt, snapshot.deadline.requested.timeZone),
      timeZone: snapshot.deadline.requested.timeZone,
      taskUrl: `${deps.publicUrl}/tasks/${encodeURIComponent(snapshot.taskId)}`,
      legalBasis: snapshot.legalBasis,
      // From the moment the reminder was due, not from now: a retry renders the same letter.
      timeLeft: step.kind === 'reminder' ? timeLeftText(step.at, snapshot.deadline) : undefined,
      ...(curatedSchoolName ? { curatedSchoolName } : {}),
    });
  }
}

export type TaskActivities = ReturnType<typeof createTaskActivities>;
