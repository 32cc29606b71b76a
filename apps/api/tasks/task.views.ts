import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CompletionResult, TaskAttention, TaskContext, TaskEventType, TaskSnapshot, TaskStatus } from '../../../libs/contracts/deadline-task';
import type { AuditEventEntity, NotificationEntity, OrganizationEntity } from '../../../libs/persistence';
import { DateTime } from 'luxon';
import { lateIssueNote } from '../../../libs/domain/late-issue';
import { CalendarRangeError, workingDaysBetween } from '../../../libs/domain/calendar';

export class OrganizationRefView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
}

export class TaskContextView implements TaskContext {
  @ApiProperty() cycleId!: string;
  @ApiProperty() stageId!: string;
  @ApiProperty() stepKey!: string;
  @ApiProperty({
    enum: ['approve_list', 'perform', 'submit', 'review', 'propose_pairs', 'confirm_agreement', 'report', 'describe_practice'],
    description: 'What the task asks for',
  })
  action!: TaskContext['action'];
  @ApiProperty({ description: 'The organisation the work is about' }) subjectOrganizationId!: string;
  @ApiPropertyOptional() periodId?: string;
  @ApiPropertyOptional() round?: number;
  @ApiPropertyOptional({ description: "A confirmation's party: '1-school', '1-partner', '1-municipality'" }) party?: string;
  @ApiPropertyOptional() agreementId?: string;
  @ApiPropertyOptional({ enum: ['required', 'optional', 'none'], description: 'Whether completing needs a document' })
  document?: TaskContext['document'];
  @ApiPropertyOptional({ description: "A form of the cycle's template to fill in when completing" }) formId?: string;
}

export class CompletionResultView implements CompletionResult {
  @ApiPropertyOptional() comment?: string;
  @ApiPropertyOptional() documentUrl?: string;
  @ApiPropertyOptional({ description: 'The stored submission this completion handed in' }) submissionId?: string;
  @ApiPropertyOptional({ enum: ['approved', 'returned', 'rejected'], description: "A review task's outcome" })
  decision?: CompletionResult['decision'];
}

export class ScheduledStepView {
  @ApiProperty() stepKey!: string;
  @ApiProperty({ enum: ['reminder', 'escalation'] }) kind!: string;
  @ApiProperty({ enum: ['assignee', 'assignee_head', 'supervisor'] }) target!: string;
  @ApiProperty({ description: 'UTC instant' }) at!: string;
  @ApiProperty({ description: "Local to the task's time zone" }) atLocal!: string;
  @ApiProperty() sent!: boolean;
}

export class TaskAttentionView implements TaskAttention {
  @ApiProperty({ description: 'When the workflow gave up on the change, UTC' }) at!: string;
  @ApiProperty({
    enum: ['created', 'reminder_sent', 'escalation_sent', 'completed', 'extended', 'reassigned', 'cancelled', 'attention_needed'],
    description: 'The change (event type) that was not stored, or the reminder or escalation not sent',
  })
  eventType!: TaskEventType;
  @ApiProperty({ description: 'What happened and what to do, in Russian' }) message!: string;
  @ApiProperty({ description: "For the operator: the failure's type and the database's or mail server's words" }) failure!: string;
  @ApiProperty({ description: 'The change was undone, so the task is as it was before it' }) rolledBack!: boolean;
}

export class TaskView {
  @ApiProperty() id!: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty() title!: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ enum: ['open', 'completed', 'cancelled'] }) status!: TaskStatus;
  @ApiProperty() overdue!: boolean;
  @ApiPropertyOptional({
    description:
      "Open tasks: working days from today to the deadline's day in the task's zone by the production calendar (0 = due today, negative = that many working days overdue)",
  })
  workingDaysLeft?: number;
  @ApiProperty({ type: OrganizationRefView }) assignee!: OrganizationRefView;
  @ApiProperty({ type: OrganizationRefView }) supervisor!: OrganizationRefView;
  @ApiProperty({ description: 'The deadline in force, UTC instant' }) dueAt!: string;
  @ApiProperty({ description: 'The deadline in force, local wall-clock time' }) dueLocal!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ description: 'As requested, before moving off non-working days or for the lead after issue' }) requestedDueLocal!: string;
  @ApiProperty() movedFromNonWorkingDay!: boolean;
  @ApiPropertyOptional({ description: 'Compressed calendars: the deadline was moved to this many seconds after issue' })
  leadFromIssueSeconds?: number;
  @ApiPropertyOptional({ description: 'The task was issued late: its deadline was moved to this many working days after issue' })
  leadFromIssueWorkingDays?: number;
  @ApiPropertyOptional({ description: 'Why the deadline differs from the planned one, in Russian (a task issued late)' })
  deadlineNote?: string;
  @ApiProperty({ enum: ['working-days', 'calendar-days'] }) calendar!: string;
  @ApiProperty() deadlineRevision!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiPropertyOptional() completedAt?: string;
  @ApiPropertyOptional() completedBy?: string;
  @ApiPropertyOptional() completedLate?: boolean;
  @ApiPropertyOptional({ type: CompletionResultView }) result?: CompletionResultView;
  @ApiPropertyOptional() cancelledAt?: string;
  @ApiPropertyOptional() cancelReason?: string;
  @ApiProperty({ type: [ScheduledStepView] }) schedule!: ScheduledStepView[];
  @ApiPropertyOptional({ description: 'The order and clause that set the deadline' }) legalBasis?: string;
  @ApiPropertyOptional({
    type: TaskContextView,
    description: 'For a cycle task: cycle, stage, step, what it asks (action), whose work it is about, period, round, what to attach',
  })
  cycle?: TaskContextView;
  @ApiPropertyOptional({
    type: TaskAttentionView,
    description: 'Set when a change of the task could not be stored or a reminder not sent: an operator should look at it',
  })
  attention?: TaskAttentionView;
}

export class TimelineEventView {
  @ApiProperty() seq!: number;
  @ApiProperty() type!: string;
  @ApiProperty() actor!: string;
  @ApiProperty() occurredAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What happened, by event type' })
  data!: Record<string, unknown>;
}

export class NotificationView {
  @ApiProperty() stepKey!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() target!: string;
  @ApiProperty({ enum: ['pending', 'sent', 'no_recipients'] }) status!: string;
  @ApiProperty() messageId!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: [String] }) recipients!: string[];
  @ApiProperty({ type: [String], description: 'Names, as addressed; a deputy\'s carries «(за <person>)»' })
  recipientNames!: string[];
  @ApiProperty() attempts!: number;
  @ApiPropertyOptional() lastError?: string;
  @ApiPropertyOptional() sentAt?: string;
}

export class TaskDetailView extends TaskView {
  @ApiProperty({ type: [TimelineEventView] }) timeline!: TimelineEventView[];
  @ApiProperty({ type: [NotificationView] }) notifications!: NotificationView[];
}

export class TaskListView {
  @ApiProperty({ type: [TaskView] }) items!: TaskView[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
}

export class CompletionView {
  @ApiProperty() status!: 'completed';
  @ApiProperty() completedAt!: string;
  @ApiProperty() late!: boolean;
  @ApiProperty() lateBySeconds!: number;
  @ApiProperty({ type: TaskView }) task!: TaskView;
}

const localIso = (instant: string, zone: string) =>
  DateTime.fromISO(instant, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");

/**
 * Working days from `now`'s local day to the deadline's local day, both in the zone: the working days after today up
 * to and including the due day, or minus those after the due day up to and including today once it has passed.
 * Undefined outside the production calendar's years.
 */
export function workingDaysLeft(dueAt: string, zone: string, now: Date): number | undefined {
  const today = DateTime.fromJSDate(now, { zone }).toISODate() as string;
  const dueDay = DateTime.fromISO(dueAt, { zone }).toISODate() as string;
  try {
    return workingDaysBetween(today, dueDay);
  } catch (err) {
    if (err instanceof CalendarRangeError) return undefined;
    throw err;
  }
}

function orgRef(id: string, orgs: Map<string, OrganizationEntity>): OrganizationRefView {
  return { id, name: orgs.get(id)?.name ?? id };
}

export function mapTask(snapshot: TaskSnapshot, orgs: Map<string, OrganizationEntity>, now: Date): TaskView {
  const zone = snapshot.deadline.requested.timeZone;
  return {
    id: snapshot.taskId,
    workflowId: snapshot.workflowId,
    title: snapshot.title,
    description: snapshot.description,
    status: snapshot.status,
    overdue: snapshot.status === 'open' && Date.parse(snapshot.deadline.dueAt) < now.getTime(),
    workingDaysLeft: snapshot.status === 'open' ? workingDaysLeft(snapshot.deadline.dueAt, zone, now) : undefined,
    assignee: orgRef(snapshot.assigneeOrganizationId, orgs),
    supervisor: orgRef(snapshot.supervisorOrganizationId, orgs),
    dueAt: snapshot.deadline.dueAt,
    dueLocal: snapshot.deadline.localDateTime,
    timeZone: zone,
    requestedDueLocal: snapshot.deadline.leadFromIssue?.plannedLocalDateTime ?? snapshot.deadline.requested.localDateTime,
    movedFromNonWorkingDay: snapshot.deadline.movedFromNonWorkingDay,
    leadFromIssueSeconds: snapshot.deadline.leadFromIssue?.seconds,
    leadFromIssueWorkingDays: snapshot.deadline.leadFromIssue?.workingDays,
    deadlineNote: lateIssueNote(snapshot.deadline),
    calendar: snapshot.deadline.requested.calendar,
    deadlineRevision: snapshot.deadlineRevision,
    createdAt: snapshot.createdAt,
    createdBy: snapshot.createdBy,
    completedAt: snapshot.completedAt,
    completedBy: snapshot.completedBy,
    completedLate: snapshot.completedLate,
    result: snapshot.result,
    cancelledAt: snapshot.cancelledAt,
    cancelReason: snapshot.cancelReason,
    schedule: snapshot.schedule.map((step) => ({
      ...step,
      atLocal: localIso(step.at, zone),
      sent: snapshot.sentSteps.includes(step.stepKey),
    })),
    legalBasis: snapshot.legalBasis,
    cycle: snapshot.context,
    attention: snapshot.attention,
  };
}

export function mapTimelineEvent(event: AuditEventEntity): TimelineEventView {
  return {
    seq: event.seq ?? 0, // task entries always carry their per-task seq; only other subjects may lack one
    type: event.type,
    actor: event.actor,
    occurredAt: event.occurredAt.toISOString(),
    data: event.data,
  };
}

export function mapNotification(row: NotificationEntity): NotificationView {
  return {
    stepKey: row.stepKey,
    kind: row.kind,
    target: row.target,
    status: row.status,
    messageId: row.messageId,
    subject: row.subject,
    recipients: row.recipients.map((r) => r.email),
    recipientNames: row.recipients.map((r) => r.fullName),
    attempts: row.attempts,
    lastError: row.lastError ?? undefined,
    sentAt: row.sentAt?.toISOString(),
  };
}
