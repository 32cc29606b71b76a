import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { CycleParticipant, CycleProgress } from '../libs/contracts/cycle';
import { cancelTaskUpdate, extendTaskUpdate, type TaskSnapshot } from '../libs/contracts/deadline-task';
import { computeDynamics, selectMostImproved } from '../libs/domain/analytics';
import { resolveDeadline } from '../libs/domain/deadline';
import type {
  AgreementRepository,
  CycleJournalRepository,
  CycleParticipantRepository,
  CycleRepository,
  SubmissionRepository,
} from '../libs/persistence';
import { failFastOnRefusedData } from './failures';

export interface CycleActivityDeps {
  cycles: CycleRepository;
  participants: CycleParticipantRepository;
  agreements: AgreementRepository;
  submissions: SubmissionRepository;
  /** The cycle's events, progress and alerts; its open tasks. */
  journal: CycleJournalRepository;
  /** Extending or cancelling a stage's open tasks goes through their own workflows' Updates. */
  temporal: Client;
}

export interface AgreementSummary {
  id: string;
  schoolId: string;
  schoolName: string;
  partnerSchoolId: string;
  partnerSchoolName: string;
  /** Absent in results recorded before it existed: the partner's steps then escalate to the ministry. */
  partnerMunicipalityId?: string;
}

export const CYCLE_SUBJECT = 'cycle';

/** The audit type of an operator alert raised by a cycle's workflows (workflows/activity-failures.ts). */
export const OPERATOR_ALERT_EVENT = 'operator_alert';

/** What a cycle's workflow could not do, for the operator (the log) and the auditors (the cycle's audit trail). */
export interface OperatorAlert {
  cycleId: string;
  /** The workflow that gave up: a cycle, track or step workflow. */
  workflowId: string;
  /** Unique per alert and stable across retries of this activity, so an alert is recorded once. */
  key: string;
  /** The activity that failed for good. */
  activity: string;
  /** Russian: what was not done and what the workflow does instead. */
  message: string;
  /** The failure's type and words (English). */
  failure: string;
}

/**
 * A cycle task's record (the approved list, a proposal's agreements, a report) is carried by its completion Update
 * and stored in the same transaction as the completion's projection (libs/contracts/task-record.ts), so it is there
 * before the task's workflow ends. Tasks completed before that design, whose record the API committed a moment
 * after the Update, may still be read too early: a step that reads such a record retries until it is visible; after
 * this many attempts (about four minutes with the cycle's retry policy) the record is taken as lost, logged, and the
 * step goes on with what is stored.
 */
export const RECORD_COMMIT_ATTEMPTS = 10;
export const RECORD_NOT_YET_COMMITTED = 'RecordNotYetCommitted';

function awaitCommitted(what: string, missing: string[]): void {
  if (missing.length === 0) return;
  const { attempt } = Context.current().info;
  if (attempt < RECORD_COMMIT_ATTEMPTS) {
    throw ApplicationFailure.retryable(`${what} not committed yet: ${missing.join(', ')}`, RECORD_NOT_YET_COMMITTED);
  }
  log.warn(`${what} still missing after ${attempt} attempts; going on without it`, { missing });
}

export function createCycleActivities(deps: CycleActivityDeps) {
  const openCycleTasks = (cycleId: string, stageId?: string): Promise<TaskSnapshot[]> => deps.journal.openTasks(cycleId, stageId);

  // Every activity fails fast, without retrying, when PostgreSQL refuses its data (activities/failures.ts).
  return failFastOnRefusedData({
    /** Idempotent: the audit entry is keyed by the progress version, and older progress never overwrites newer. */
    async recordCycleEvent(input: {
      cycleId: string;
      type: string;
      actor: string;
      data: Record<string, unknown>;
      progress: CycleProgress;
    }): Promise<void> {
      await deps.journal.recordEvent(
        {
          subjectType: CYCLE_SUBJECT,
          subjectId: input.cycleId,
          seq: input.progress.version,
          type: input.type,
          actor: input.actor,
          occurredAt: new Date(),
          data: input.data,
          cycleId: input.cycleId,
        },
        input.progress,
      );
    },

    async loadParticipants(input: { cycleId: string }): Promise<CycleParticipant[]> {
      awaitCommitted('approved list of schools', await deps.cycles.completedTasksAwaitingRecord(input.cycleId, 'approve_list'));
      return deps.participants.includedParticipants(input.cycleId);
    },

    /** With `proposalSubmissionId`, the agreements of that proposal, once the API has committed it. */
    async listAgreements(input: {
      cycleId: string;
      municipalityId: string;
      stepKey?: string;
      proposalSubmissionId?: string;
    }): Promise<AgreementSummary[]> {
      if (input.proposalSubmissionId && !(await deps.submissions.findSubmission(input.proposalSubmissionId))) {
        awaitCommitted('partner pairs proposal', [input.proposalSubmissionId]);
      }
      const rows = await deps.agreements.listAgreements({ cycleId: input.cycleId, municipalityId: input.municipalityId, stepKey: input.stepKey });
      return rows.map((a) => ({
        id: a.id,
        schoolId: a.schoolId,
        schoolName: a.schoolName,
        partnerSchoolId: a.partnerSchoolId,
        partnerSchoolName: a.partnerSchoolName,
        ...(a.partnerMunicipalityId ? { partnerMunicipalityId: a.partnerMunicipalityId } : {}),
      }));
    },

    /** The schools whose monitoring shows the largest and steadiest improvement of the indicator. */
    async selectBestPracticeSchools(input: {
      cycleId: string;
      indicator: string;
      top: number;
    }): Promise<{ schoolId: string; municipalityId: string; improvement: number; steadiness: number }[]> {
      const cycle = await deps.cycles.findCycle(input.cycleId);
      if (!cycle) throw new Error(`cycle ${input.cycleId} not found`);
      awaitCommitted('monitoring reports', await deps.cycles.completedTasksAwaitingRecord(input.cycleId, 'report'));
      const participants = await deps.participants.includedParticipants(input.cycleId);
      const municipalityOf = new Map(participants.map((p) => [p.schoolId, p.municipalityId]));
      const periodOrder = new Map<string, number>();
      for (const step of cycle.plan.stages.flatMap((s) => s.steps)) {
        (step.periods ?? []).forEach((p) => periodOrder.set(p.id, periodOrder.size));
      }
      const reports = (await deps.submissions.listSubmissions({ cycleId: input.cycleId, action: 'report' }))
        .filter((s) => s.periodId !== null && municipalityOf.has(s.subjectOrganizationId))
        .map((s) => ({
          organizationId: s.subjectOrganizationId,
          municipalityId: municipalityOf.get(s.subjectOrganizationId) as string,
          periodId: s.periodId as string,
          periodOrder: periodOrder.get(s.periodId as string) ?? 0,
          values: numericValues(s.form),
        }));
      const monitoringForm = cycle.plan.stages
        .flatMap((s) => s.steps)
        .find((s) => s.kind === 'monitoring' && s.monitoringForm)?.monitoringForm;
      const field = monitoringForm ? cycle.plan.forms[monitoringForm]?.fields.find((f) => f.id === input.indicator) : undefined;
      const dynamics = computeDynamics(reports, [{ id: input.indicator, higherIsBetter: field?.higherIsBetter ?? true }]);
      return selectMostImproved(dynamics, input.indicator, input.top).map((s) => ({
        schoolId: s.organizationId,
        municipalityId: municipalityOf.get(s.organizationId) as string,
        improvement: s.improvement,
        steadiness: s.steadiness,
      }));
    },

    /** Moves every open task of the stage to the new deadline; tasks already due later keep theirs. */
    async extendOpenStageTasks(input: { cycleId: string; stageId: string; localDateTime: string; reason: string; by: string }): Promise<number> {
      let extended = 0;
      for (const task of await openCycleTasks(input.cycleId, input.stageId)) {
        let proposed: ReturnType<typeof resolveDeadline>;
        try {
          proposed = resolveDeadline({ ...task.deadline.requested, localDateTime: input.localDateTime });
        } catch (err) {
          // A date this task's calendar cannot place would fail on every retry: the cycle's validator refuses it
          // first, so this is a task of another zone or calendar; it keeps its deadline.
          log.warn('task not extended: the date cannot be placed', { taskId: task.taskId, error: String(err) });
          continue;
        }
        if (Date.parse(proposed.dueAt) <= Date.parse(task.deadline.dueAt)) continue;
        try {
          await deps.temporal.workflow
            .getHandle(task.workflowId)
            .executeUpdate(extendTaskUpdate, { args: [{ localDateTime: input.localDateTime, reason: input.reason, decidedBy: input.by }] });
          extended += 1;
        } catch (err) {
          // Completed or cancelled since the read (or already extended by a retry): nothing left to extend.
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          log.info('task not extended', { taskId: task.taskId, reason: err.cause?.message });
        }
      }
      return extended;
    },

    async cancelOpenCycleTasks(input: { cycleId: string; reason: string; by: string }): Promise<number> {
      let cancelled = 0;
      for (const task of await openCycleTasks(input.cycleId)) {
        try {
          await deps.temporal.workflow
            .getHandle(task.workflowId)
            .executeUpdate(cancelTaskUpdate, { args: [{ reason: input.reason, cancelledBy: input.by }] });
          cancelled += 1;
        } catch (err) {
          if (!(err instanceof WorkflowUpdateFailedError)) throw err;
          log.info('task not cancelled', { taskId: task.taskId, reason: err.cause?.message });
        }
      }
      return cancelled;
    },

    /**
     * Logs the alert and appends it to the cycle's audit trail once (by its key), so the operator is told and the
     * auditors see which step of the cycle went on without what it needed.
     */
    async raiseOperatorAlert(alert: OperatorAlert): Promise<void> {
      log.error(`operator alert: ${alert.activity} failed for good in ${alert.workflowId}`, { ...alert });
      await deps.journal.appendOnceByKey({
        subjectType: CYCLE_SUBJECT,
        subjectId: alert.cycleId,
        type: OPERATOR_ALERT_EVENT,
        actor: 'system',
        occurredAt: new Date(),
        data: { key: alert.key, workflowId: alert.workflowId, activity: alert.activity, message: alert.message, failure: alert.failure },
        cycleId: alert.cycleId,
      });
    },
  });
}

function numericValues(form: Record<string, unknown> | null): Record<string, number | null> {
  const values: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(form ?? {})) values[key] = typeof value === 'number' && Number.isFinite(value) ? value : null;
  return values;
}

export type CycleActivities = ReturnType<typeof createCycleActivities>;
