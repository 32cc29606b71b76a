/**
 * One step of a cycle for one organisation: the tasks it takes, in order. A submission is reviewed in rounds
 * (returned with remarks, resubmitted as a new version) until the reviewer approves or rejects it; a partnership
 * proposal is followed by each agreement's confirmations by its three parties. Every task is a deadline-task child,
 * so reminders, escalations and the audit trail come from one place.
 */
import { executeChild, proxyActivities } from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycle-activities';
import { cycleTaskId, type StepInput, type StepResult } from '../libs/contracts/cycle';
import type { PlanDuration, ResolvedReview } from '../libs/contracts/cycle-template';
import {
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  type DeadlineTaskInput,
  type TaskAction,
  type TaskContext,
  type TaskSnapshot,
} from '../libs/contracts/deadline-task';
import { laterLocal, localDueAfter } from '../libs/domain/cycle-schedule';
import type { deadlineTaskWorkflow } from './deadline-task.workflow';

const { listAgreements } = proxyActivities<CycleActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

interface TaskSpec {
  action: TaskAction;
  assignee: string;
  title: string;
  dueLocal: string;
  round?: number;
  party?: string;
  agreementId?: string;
  document?: TaskContext['document'];
  formId?: string;
}

export async function stepWorkflow(input: StepInput): Promise<StepResult> {
  const { step } = input;
  const dueLocal = input.dueLocal ?? step.dueLocal;

  const runTask = (spec: TaskSpec): Promise<TaskSnapshot> => {
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
      subjectOrganizationId: input.organizationId,
      periodId: input.periodId,
      round: spec.round,
      agreementId: spec.agreementId,
      document: spec.document,
      formId: spec.formId,
    };
    const task: DeadlineTaskInput = {
      taskId,
      title: spec.title,
      description: step.description,
      assigneeOrganizationId: spec.assignee,
      supervisorOrganizationId: input.ministryId,
      deadline: { localDateTime: spec.dueLocal, timeZone: input.plan.timeZone, calendar: input.plan.calendar },
      policy: step.policy,
      createdBy: 'system',
      context,
      legalBasis: step.legalBasis?.text,
    };
    return executeChild<typeof deadlineTaskWorkflow>(DEADLINE_TASK_WORKFLOW, {
      workflowId: deadlineTaskWorkflowId(taskId),
      args: [task],
    });
  };

  const dueAfterNow = (duration: PlanDuration): string => localDueAfter(Date.now(), duration, input.plan.timeZone);

  switch (step.kind) {
    case 'identification': {
      const done = await runTask({ action: 'approve_list', assignee: input.organizationId, title: step.title, dueLocal });
      return { outcome: done.status === 'cancelled' ? 'cancelled' : 'done', rounds: 1 };
    }
    case 'task': {
      const done = await runTask({ action: 'perform', assignee: input.organizationId, title: step.title, dueLocal, document: 'optional' });
      return { outcome: done.status === 'cancelled' ? 'cancelled' : 'done', rounds: 1 };
    }
    case 'monitoring': {
      const period = step.periods?.find((p) => p.id === input.periodId);
      const done = await runTask({
        action: 'report',
        assignee: input.organizationId,
        title: `${step.title}: ${period?.title ?? input.periodId ?? ''}`.trim(),
        dueLocal: input.dueLocal ?? period?.dueLocal ?? dueLocal,
        document: 'none',
        formId: step.monitoringForm,
      });
      return { outcome: done.status === 'cancelled' ? 'cancelled' : 'done', rounds: 1, submissionId: done.result?.submissionId };
    }
    case 'submission':
      return reviewedSubmission(step.submission?.document ?? 'optional', step.submission?.form, step.review, 'submit');
    case 'best_practice':
      return reviewedSubmission('optional', step.bestPractice?.form, step.bestPractice?.review, 'describe_practice');
    case 'partnership': {
      const proposal = await runTask({
        action: 'propose_pairs',
        assignee: input.organizationId,
        title: step.title,
        dueLocal,
        document: 'none',
      });
      if (proposal.status === 'cancelled') return { outcome: 'cancelled', rounds: 1 };
      const agreements = await listAgreements({
        cycleId: input.cycleId,
        stepKey: step.key,
        municipalityId: input.organizationId,
        proposalSubmissionId: proposal.result?.submissionId,
      });
      const confirmDue = laterLocal(dueLocal, dueAfterNow(step.confirmation ?? { workingDays: 10 }), input.plan.timeZone);
      const confirmations = agreements.flatMap((agreement, index) =>
        (
          [
            ['school', agreement.schoolId],
            ['partner', agreement.partnerSchoolId],
            ['municipality', input.organizationId],
          ] as const
        ).map(([party, assignee]) =>
          runTask({
            action: 'confirm_agreement',
            assignee,
            title: `Подтверждение соглашения о сетевом взаимодействии: ${agreement.schoolName} — ${agreement.partnerSchoolName}`,
            dueLocal: confirmDue,
            party: `${index + 1}-${party}`,
            agreementId: agreement.id,
            document: party === 'municipality' ? 'required' : 'none',
          }),
        ),
      );
      const results = await Promise.all(confirmations);
      const cancelled = results.some((r) => r.status === 'cancelled');
      return { outcome: cancelled ? 'cancelled' : 'done', rounds: 1, submissionId: proposal.result?.submissionId };
    }
  }

  async function reviewedSubmission(
    document: 'required' | 'optional' | 'none',
    formId: string | undefined,
    review: ResolvedReview | undefined,
    action: 'submit' | 'describe_practice',
  ): Promise<StepResult> {
    let round = 1;
    let submitDue = dueLocal;
    for (;;) {
      const submitted = await runTask({
        action,
        assignee: input.organizationId,
        title: round === 1 ? step.title : `${step.title} (доработка, версия ${round})`,
        dueLocal: submitDue,
        round,
        document,
        formId,
      });
      if (submitted.status === 'cancelled') return { outcome: 'cancelled', rounds: round };
      const submissionId = submitted.result?.submissionId;
      if (!review) return { outcome: 'done', rounds: round, submissionId };

      const reviewed = await runTask({
        action: 'review',
        assignee: reviewerOrganization(review),
        title: `Рассмотрение: ${step.title}`,
        dueLocal: dueAfterNow(review.deadline),
        round,
      });
      if (reviewed.status === 'cancelled') return { outcome: 'cancelled', rounds: round };
      const decision = reviewed.result?.decision;
      if (decision === 'approved') return { outcome: 'approved', rounds: round, submissionId };
      if (decision === 'rejected') return { outcome: 'rejected', rounds: round, submissionId };
      // Returned: the revision is due by the step's deadline or, when that has passed, as long after the return
      // as the reviewer had for the review.
      round += 1;
      submitDue = laterLocal(dueLocal, dueAfterNow(review.deadline), input.plan.timeZone);
    }
  }

  function reviewerOrganization(review: ResolvedReview): string {
    switch (review.by) {
      case 'ministry':
        return input.ministryId;
      case 'institute':
        return input.instituteId ?? input.ministryId;
      case 'municipality':
        return input.municipalityId ?? input.ministryId;
    }
  }
}
