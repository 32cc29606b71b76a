import { ApplicationFailure, log } from '@temporalio/activity';
import type { ScheduledNotification, TaskEvent, TaskSnapshot } from '../libs/contracts/deadline-task';
import { formatLocal } from '../libs/domain/deadline';
import { timeLeftText } from '../libs/domain/time-left';
import { renderTaskNotification, type Mailer } from '../libs/mail';
import type {
  DirectoryRepository,
  NotificationOutboxRepository,
  NotificationRecipient,
  PersonEntity,
  TaskRepository,
} from '../libs/persistence';

export interface TaskActivityDeps {
  tasks: TaskRepository;
  directory: DirectoryRepository;
  outbox: NotificationOutboxRepository;
  mailer: Mailer;
  /** The link in e-mails: the task's API resource until the web app exists. */
  publicUrl: string;
  /** The right-hand side of Message-IDs. */
  messageIdDomain: string;
}

export interface NotificationDelivery {
  messageId: string;
  status: 'sent' | 'no_recipients';
  recipients: string[];
}

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

  return {
    async projectTaskEvent(input: { snapshot: TaskSnapshot; event: TaskEvent }): Promise<void> {
      await deps.tasks.applyProjection(input.snapshot, input.event);
    },

    /**
     * Sends one reminder or escalation at most once per (task, step) as far as the outbox can tell.
     * The message is fixed when the row is first written; a retry re-reads it rather than re-rendering.
     */
    async sendTaskNotification(input: { step: ScheduledNotification; snapshot: TaskSnapshot }): Promise<NotificationDelivery> {
      const { step, snapshot } = input;
      let row = await deps.outbox.find(snapshot.taskId, step.stepKey);
      if (!row) {
        const assignee = await deps.directory.findOrganization(snapshot.assigneeOrganizationId);
        if (!assignee) {
          throw ApplicationFailure.nonRetryable(`organisation ${snapshot.assigneeOrganizationId} not found`, 'UnknownOrganization');
        }
        const people = await recipientsFor(snapshot, step);
        const recipients: NotificationRecipient[] = people.map((p) => ({ personId: p.id, fullName: p.fullName, email: p.email }));
        const mail = renderTaskNotification({
          kind: step.kind,
          target: step.target,
          taskTitle: snapshot.title,
          assigneeName: assignee.name,
          dueLocal: formatLocal(snapshot.deadline.dueAt, snapshot.deadline.requested.timeZone),
          timeZone: snapshot.deadline.requested.timeZone,
          taskUrl: `${deps.publicUrl}/api/tasks/${encodeURIComponent(snapshot.taskId)}`,
          legalBasis: snapshot.legalBasis,
          // From the moment the reminder was due, not from now: a retry renders the same letter.
          timeLeft: step.kind === 'reminder' ? timeLeftText(step.at, snapshot.deadline) : undefined,
        });
        row = await deps.outbox.reserve({
          taskId: snapshot.taskId,
          stepKey: step.stepKey,
          kind: step.kind,
          target: step.target,
          messageId: notificationMessageId(snapshot.taskId, step.stepKey, deps.messageIdDomain),
          recipients,
          subject: mail.subject,
          bodyText: mail.text,
          bodyHtml: mail.html,
          status: recipients.length === 0 ? 'no_recipients' : 'pending',
        });
      }
      const delivery = (status: NotificationDelivery['status']): NotificationDelivery => ({
        messageId: row.messageId,
        status,
        recipients: row.recipients.map((r) => r.email),
      });
      if (row.status === 'sent' || row.status === 'no_recipients') return delivery(row.status);

      try {
        await deps.mailer.send({
          messageId: row.messageId,
          to: row.recipients.map((r) => ({ name: r.fullName, address: r.email })),
          subject: row.subject,
          text: row.bodyText,
          html: row.bodyHtml,
        });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.warn('SMTP send failed; Temporal will retry', { taskId: snapshot.taskId, stepKey: step.stepKey, error: message });
        await deps.outbox.recordAttempt(row.id, message);
        throw err;
      }
      await deps.outbox.recordAttempt(row.id, null);
      await deps.outbox.markSent(row.id);
      return delivery('sent');
    },
  };
}

export type TaskActivities = ReturnType<typeof createTaskActivities>;
