/**
 * One step of a cycle for one organisation: the tasks it takes, in order. A submission is reviewed in rounds
 * (returned with remarks, resubmitted as a new version) until the reviewer approves or rejects it; a partnership
 * proposal is followed by each agreement's confirmations by its three parties. Every task is a deadline-task child,
 * so reminders, escalations and the audit trail come from one place.
 */
import { proxyActivities, setHandler, startChild, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycle-activities';
import { cycleDirectiveSignal, cycleTaskId, type CycleDirective, type StepInput, type StepResult } from '../libs/contracts/cycle';
import type { ResolvedReview } from '../libs/contracts/cycle-template';
import {
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  taskDirectiveSignal,
  type DeadlineTaskInput,
  type TaskContext,
  type TaskDirective,
  type TaskSnapshot,
} from '../libs/contracts/deadline-task';
import {
  confirmationTasks,
  openingTask,
  reviewTask,
  revisionDue,
  submissionOf,
  submissionRound,
  type CycleParties,
  type StepSubject,
  type StepTaskSpec,
} from '../libs/domain/cycle-template/step-tasks';
import { AGREEMENT_READ_OPTIONS, cycleOperatorAlerts, settle } from './activity-failures';
import type { deadlineTaskWorkflow } from './deadline-task.workflow';

const { listAgreements } = proxyActivities<CycleActivities>(AGREEMENT_READ_OPTIONS);

/** The agreements decide which confirmations are issued: a failed read is tried again hourly for a day. */
const AGREEMENTS_RETRY = { every: '1 hour' as const, rounds: 24, stop: () => false };

/** What a task of the step ended as; a task the step did not issue because the cycle was cancelled first is cancelled. */
type TaskOutcome = Pick<TaskSnapshot, 'status' | 'result'>;

export async function stepWorkflow(input: StepInput): Promise<StepResult> {
  const { step } = input;
  // A stage extended while the step runs moves the base of its later rounds too.
  let dueLocal = input.dueLocal ?? step.dueLocal;
  const { timeZone } = input.plan;
  const parties: CycleParties = { ministryId: input.ministryId, instituteId: input.instituteId };
  const subject: StepSubject = { organizationId: input.organizationId, municipalityId: input.municipalityId };

  // The cycle's decisions, in the order they came; running tasks are told at once, a task whose start was in flight
  // as soon as it has started.
  const directives: TaskDirective[] = [];
  const running = new Map<string, ChildWorkflowHandle<typeof deadlineTaskWorkflow>>();
  const tell = (task: ChildWorkflowHandle<typeof deadlineTaskWorkflow>, directive: TaskDirective): Promise<void> =>
    // A task that closed in the meantime cannot be signalled, and needs nothing.
    task.signal(taskDirectiveSignal, directive).catch(() => undefined);
  setHandler(cycleDirectiveSignal, async (directive: CycleDirective) => {
    let forTasks: TaskDirective;
    if (directive.kind === 'cancel') forTasks = { kind: 'cancel', reason: directive.reason, by: directive.by };
    else if (directive.stageId === step.stageId) {
      forTasks = { kind: 'extend', localDateTime: directive.localDateTime, reason: directive.reason, by: directive.by };
      dueLocal = directive.localDateTime;
    } else return;
    directives.push(forTasks);
    await Promise.all([...running.values()].map((task) => tell(task, forTasks)));
  });
  const cancelled = (): boolean => directives.some((d) => d.kind === 'cancel');

  const runTask = async (spec: StepTaskSpec): Promise<TaskOutcome> => {
    if (cancelled()) return { status: 'cancelled' };
    const taskId = cycleTaskId(input.cycleId, step.key, input.organizationId, spec.action, {
      periodId: input.periodId,
      round: spec.round,
      party: spec.party,
    });
    const context: TaskContext = {
      cycleId: input.cycleId,
      stageId: step.stageId,
      stepKey: step.key,
      action: spec.action,
      subjectOrganizationId: spec.subjectOrganizationId,
      periodId: input.periodId,
      round: spec.round,
      party: spec.party,
      agreementId: spec.agreementId,
      document: spec.document,
      formId: spec.formId,
    };
    const task: DeadlineTaskInput = {
      taskId,
      title: spec.title,
      description: step.description,
      assigneeOrganizationId: spec.assignee,
      supervisorOrganizationId: spec.supervisor,
      deadline: { localDateTime: spec.dueLocal, timeZone, calendar: input.plan.calendar, decreeNonWorkingDays: input.plan.decreeNonWorkingDays },
      policy: spec.policy,
      createdBy: 'system',
      context,
      legalBasis: step.legalBasis?.text,
    };
    const told = directives.length;
    const child = await startChild<typeof deadlineTaskWorkflow>(DEADLINE_TASK_WORKFLOW, {
      workflowId: deadlineTaskWorkflowId(taskId),
      args: [task],
    });
    running.set(taskId, child);
    try {
      for (const directive of directives.slice(told)) await tell(child, directive);
      return await child.result();
    } finally {
      running.delete(taskId);
    }
  };

  switch (step.kind) {
    case 'identification':
    case 'task': {
      const done = await runTask(openingTask(step, subject, parties, { dueLocal }));
      return { outcome: done.status === 'cancelled' ? 'cancelled' : 'done', rounds: 1 };
    }
    case 'monitoring': {
      const done = await runTask(openingTask(step, subject, parties, { periodId: input.periodId, dueLocal: input.dueLocal }));
      return { outcome: done.status === 'cancelled' ? 'cancelled' : 'done', rounds: 1, submissionId: done.result?.submissionId };
    }
    case 'submission':
    case 'best_practice':
      return reviewedSubmission(submissionOf(step).review);
    case 'partnership': {
      const proposal = await runTask(openingTask(step, subject, parties, { dueLocal }));
      if (proposal.status === 'cancelled') return { outcome: 'cancelled', rounds: 1 };
      const alert = cycleOperatorAlerts(input.cycleId);
      const agreements = await settle(
        () =>
          listAgreements({
            cycleId: input.cycleId,
            stepKey: step.key,
            municipalityId: input.organizationId,
            proposalSubmissionId: proposal.result?.submissionId,
          }),
        {
          fallback: [],
          alert: (failure, final, round) =>
            alert(
              'listAgreements',
              failure,
              final
                ? `Соглашения шага «${step.key}» (${input.organizationId}) не прочитаны: задачи их подтверждения не выданы`
                : `Соглашения шага «${step.key}» (${input.organizationId}) не прочитаны (попытка ${round} из ${AGREEMENTS_RETRY.rounds}); следующая через час`,
            ),
          retry: AGREEMENTS_RETRY,
        },
      );
      const proposedAt = Date.now();
      const results = await Promise.all(
        agreements.flatMap((agreement, index) =>
          confirmationTasks(step, agreement, index, input.organizationId, parties, dueLocal, proposedAt, input.plan).map(runTask),
        ),
      );
      const cancelled = results.some((r) => r.status === 'cancelled');
      return { outcome: cancelled ? 'cancelled' : 'done', rounds: 1, submissionId: proposal.result?.submissionId };
    }
  }

  async function reviewedSubmission(review: ResolvedReview | undefined): Promise<StepResult> {
    let round = 1;
    let submitDue = dueLocal;
    for (;;) {
      const submitted = await runTask(submissionRound(step, subject, parties, round, submitDue));
      if (submitted.status === 'cancelled') return { outcome: 'cancelled', rounds: round };
      const submissionId = submitted.result?.submissionId;
      if (!review) return { outcome: 'done', rounds: round, submissionId };

      const reviewed = await runTask(reviewTask(step, review, subject, parties, round, Date.now(), input.plan));
      if (reviewed.status === 'cancelled') return { outcome: 'cancelled', rounds: round };
      const decision = reviewed.result?.decision;
      if (decision === 'approved') return { outcome: 'approved', rounds: round, submissionId };
      if (decision === 'rejected') return { outcome: 'rejected', rounds: round, submissionId };
      round += 1;
      submitDue = revisionDue(dueLocal, review, Date.now(), input.plan);
    }
  }
}
