/**
 * The deadline task's contract: what the API, the worker and the workflow agree on.
 * Sandbox-safe: plain types and Temporal message definitions only.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecreeNonWorkingDaysMode } from '../domain/calendar/ru-production-calendar.data';
import type { TaskRecord } from './task-record';

export const TASK_QUEUE_DEFAULT = 'uplift-tasks';
/** The workflow type name, so that the API starts it without importing workflow code. */
export const DEADLINE_TASK_WORKFLOW = 'deadlineTaskWorkflow';

/** Workflow IDs are business keys, so a second start with the same key is refused by Temporal itself. */
export function deadlineTaskWorkflowId(taskId: string): string {
  return `task:${taskId}`;
}

export type TaskStatus = 'open' | 'completed' | 'cancelled';
export const TASK_STATUSES: readonly TaskStatus[] = ['open', 'completed', 'cancelled'];

/** `working-days` applies the production calendar; `calendar-days` is for compressed test calendars and tasks not bound by it. */
export type DeadlineCalendar = 'working-days' | 'calendar-days';

export type EscalationTarget = 'assignee_head' | 'supervisor';

/** Exactly one of daysBefore / secondsBefore. Day-based reminders land on a working day at `atLocalTime` (default 09:00). */
export interface ReminderRule {
  daysBefore?: number;
  secondsBefore?: number;
  atLocalTime?: string;
}

/** Exactly one of workingDaysAfter / secondsAfter. Day-based escalations land `n` working days after the due date. */
export interface EscalationRule {
  workingDaysAfter?: number;
  secondsAfter?: number;
  atLocalTime?: string;
  notify: EscalationTarget;
}

export interface NotificationPolicy {
  reminders: ReminderRule[];
  escalations: EscalationRule[];
  /**
   * Compressed calendars only: a task issued with less than this many seconds before its deadline (its step opened
   * late because the machine ran behind the compressed clock) gets its deadline moved to this long after issue, so
   * that its reminders and escalations still happen. Real calendars never set it.
   */
  minimumLeadSeconds?: number;
  /**
   * Real calendars: a task issued with fewer than this many working days before its deadline (its stage opened after
   * the roadmap's date, because an earlier stage ran late or was written with a later date) is due this many working
   * days after issue instead, at the end of that working day, and the planned deadline is kept as the reason. Cycles
   * set it (DEFAULT_MINIMUM_LEAD_WORKING_DAYS unless the template says otherwise); a task created alone does not.
   */
  minimumLeadWorkingDays?: number;
}

/** How many working days a cycle task issued late gets at least, unless the template sets its own. */
export const DEFAULT_MINIMUM_LEAD_WORKING_DAYS = 3;

export const DEFAULT_NOTIFICATION_POLICY: NotificationPolicy = {
  reminders: [{ daysBefore: 7 }, { daysBefore: 3 }, { daysBefore: 1 }],
  escalations: [
    { workingDaysAfter: 0, notify: 'assignee_head' },
    { workingDaysAfter: 3, notify: 'supervisor' },
  ],
};

/** A deadline as the official wrote it: a local wall-clock time in the region's zone. */
export interface DeadlineRequest {
  /** 'YYYY-MM-DDTHH:mm[:ss]' local to `timeZone`. */
  localDateTime: string;
  timeZone: string;
  calendar: DeadlineCalendar;
  /** How the 2020–2021 «нерабочие дни по указу Президента» count with `working-days`; absent = 'non-working'. */
  decreeNonWorkingDays?: DecreeNonWorkingDaysMode;
}

/** The deadline that actually applies, after moving off non-working days. */
export interface EffectiveDeadline {
  requested: DeadlineRequest;
  /** 'YYYY-MM-DDTHH:mm:ss' local to the request's zone. */
  localDateTime: string;
  /** ISO 8601 instant, UTC. */
  dueAt: string;
  movedFromNonWorkingDay: boolean;
  /** Set when the policy's minimum lead moved the deadline later than planned at issue. */
  leadFromIssue?: { plannedLocalDateTime: string; seconds?: number; workingDays?: number };
}

/** What a cycle task does; the API offers the matching action and the workflow reads the matching result. */
export type TaskAction =
  | 'approve_list'
  | 'perform'
  | 'submit'
  | 'review'
  | 'propose_pairs'
  | 'confirm_agreement'
  | 'report'
  | 'describe_practice';

export const TASK_ACTIONS: readonly TaskAction[] = [
  'approve_list',
  'perform',
  'submit',
  'review',
  'propose_pairs',
  'confirm_agreement',
  'report',
  'describe_practice',
];

/** Where a task sits in a yearly cycle. Absent for stand-alone tasks. */
export interface TaskContext {
  cycleId: string;
  stageId: string;
  stepKey: string;
  action: TaskAction;
  /** The organisation the work is about: the municipality whose plan is reviewed, the school that reports. */
  subjectOrganizationId: string;
  periodId?: string;
  round?: number;
  /** A confirmation's party: '1-school', '1-partner' or '1-municipality' for the first agreement of the proposal. */
  party?: string;
  agreementId?: string;
  /** What must be attached when completing: a document, a form of the cycle's template, or both. */
  document?: 'required' | 'optional' | 'none';
  formId?: string;
}

export interface DeadlineTaskInput {
  taskId: string;
  title: string;
  description?: string;
  assigneeOrganizationId: string;
  supervisorOrganizationId: string;
  deadline: DeadlineRequest;
  policy: NotificationPolicy;
  createdBy: string;
  context?: TaskContext;
  /** The order and clause that set the deadline, as the official cites it. */
  legalBasis?: string;
}

export type NotificationKind = 'reminder' | 'escalation';

export interface ScheduledNotification {
  /** Unique per task: the outbox key and part of the e-mail's Message-ID. */
  stepKey: string;
  kind: NotificationKind;
  /** Reminders go to the assignee organisation's people. */
  target: EscalationTarget | 'assignee';
  at: string;
}

export type TaskEventType =
  | 'created'
  | 'reminder_sent'
  | 'escalation_sent'
  | 'completed'
  | 'extended'
  | 'reassigned'
  | 'cancelled'
  | 'attention_needed';

export interface TaskEvent {
  seq: number;
  type: TaskEventType;
  actor: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

/** What the projection stores and the query returns. */
export interface TaskSnapshot {
  taskId: string;
  workflowId: string;
  title: string;
  description?: string;
  status: TaskStatus;
  assigneeOrganizationId: string;
  supervisorOrganizationId: string;
  deadline: EffectiveDeadline;
  deadlineRevision: number;
  policy: NotificationPolicy;
  schedule: ScheduledNotification[];
  sentSteps: string[];
  createdBy: string;
  createdAt: string;
  completedAt?: string;
  completedBy?: string;
  completedLate?: boolean;
  result?: CompletionResult;
  cancelledAt?: string;
  cancelReason?: string;
  context?: TaskContext;
  legalBasis?: string;
  version: number;
  /** Reminders and escalations that could not be sent within their retry bounds; never attempted again. */
  failedSteps?: string[];
  /** The latest change the task could not store or carry out: an operator should look at it. */
  attention?: TaskAttention;
}

/**
 * Set by the workflow when an activity failed for good (PostgreSQL refused the data, or stayed unreachable beyond
 * the retry bounds). The task keeps working; an `attention_needed` event in its history says the same.
 */
export interface TaskAttention {
  /** When the workflow gave up, UTC. */
  at: string;
  /** The change that was not stored (or the reminder or escalation that was not sent). */
  eventType: TaskEventType;
  /** Russian, for the official and the operator. */
  message: string;
  /** For the operator: the failure's type and the database's or mail server's words (English). */
  failure: string;
  /** True when the change was undone in the workflow as well (an Update refused), so nothing is half-applied. */
  rolledBack: boolean;
}

export type ReviewDecision = 'approved' | 'returned' | 'rejected';

export interface CompletionResult {
  comment?: string;
  documentUrl?: string;
  /** The stored submission (plan version, report, proposal) this completion hands in. */
  submissionId?: string;
  /** A review task's outcome. */
  decision?: ReviewDecision;
}

export interface CompleteTaskRequest {
  completedBy: string;
  result: CompletionResult;
  /** What the completion hands in (a cycle task's record), stored with its projection (./task-record). */
  record?: TaskRecord;
}

export interface CompleteTaskResponse {
  status: 'completed';
  completedAt: string;
  late: boolean;
  /** How late, in seconds, when late. */
  lateBySeconds: number;
}

export interface ExtendTaskRequest {
  localDateTime: string;
  reason: string;
  decidedBy: string;
  /** The granted extension request, stored with the extension's projection (./task-record). */
  record?: TaskRecord;
}

export interface ReassignTaskRequest {
  organizationId: string;
  reason: string;
  decidedBy: string;
}

export interface CancelTaskRequest {
  reason: string;
  cancelledBy: string;
}

export const completeTaskUpdate = defineUpdate<CompleteTaskResponse, [CompleteTaskRequest]>('completeTask');
export const extendTaskUpdate = defineUpdate<EffectiveDeadline, [ExtendTaskRequest]>('extendTask');
export const reassignTaskUpdate = defineUpdate<TaskSnapshot, [ReassignTaskRequest]>('reassignTask');
export const cancelTaskUpdate = defineUpdate<TaskSnapshot, [CancelTaskRequest]>('cancelTask');
/**
 * A cycle's decision that reaches the task through its step (the cycle was cancelled, or its stage extended for
 * everyone). A signal, not an Update, because a workflow cannot send Updates; the task applies it as the matching
 * Update would, and ignores it when it no longer applies (already closed, or the new date is not later).
 */
export type TaskDirective =
  | { kind: 'cancel'; reason: string; by: string }
  | { kind: 'extend'; localDateTime: string; reason: string; by: string };
export const taskDirectiveSignal = defineSignal<[TaskDirective]>('taskDirective');
/** Answered once the task's creation is in PostgreSQL, so the API returns a task that lists already show. */
export const taskReadyUpdate = defineUpdate<TaskSnapshot>('taskReady');
export const taskSnapshotQuery = defineQuery<TaskSnapshot>('taskSnapshot');

/**
 * Rejections raised by the workflow's update validators. The API maps each type to an HTTP status;
 * the message is Russian because it reaches the official as is.
 */
export const TaskRejection = {
  alreadyCompleted: 'TaskAlreadyCompleted',
  cancelled: 'TaskCancelled',
  invalidPayload: 'InvalidTaskPayload',
  /** The change could not be stored within the activity's retry bounds; the task is flagged (`attention`). */
  notStored: 'TaskChangeNotStored',
} as const;

export const LIMITS = {
  titleMax: 300,
  descriptionMax: 4000,
  commentMax: 4000,
  reasonMax: 1000,
  urlMax: 2000,
  actorMax: 200,
  rulesMax: 10,
} as const;

/**
 * Custom search attributes, so operators can find a task's workflow in the Temporal UI by organisation, status
 * or deadline. They must be registered on the namespace before any workflow sets them.
 */
export const TASK_SEARCH_ATTRIBUTES = {
  assignee: defineSearchAttributeKey('UpliftAssignee', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('UpliftTaskStatus', SearchAttributeType.KEYWORD),
  dueAt: defineSearchAttributeKey('UpliftDueAt', SearchAttributeType.DATETIME),
} as const;

/** The same attributes in the form `temporal server start-dev --search-attribute` and the operator API take. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: Record<string, 'Keyword' | 'Datetime'> = {
  UpliftAssignee: 'Keyword',
  UpliftTaskStatus: 'Keyword',
  UpliftDueAt: 'Datetime',
};
