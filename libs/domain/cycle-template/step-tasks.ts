/**
 * Who gets which task of a step, with what title and deadline, escalated to whom: the one rule that both the
 * running cycle (workflows/cycle.workflow.ts, step.workflow.ts) and the dry run (dry-run.ts) apply, so the schedule an
 * official reads before the launch is the schedule that runs. Pure and sandbox-safe: the workflows pass Temporal's
 * clock in as `atMs`; the dry run passes the moment each task would be issued at the latest.
 */
import type { ActorRole, PlanDuration, ResolvedCyclePlan, ResolvedReview, ResolvedStage, ResolvedStep } from '../../contracts/cycle-template';
import type { NotificationPolicy, TaskAction, TaskContext } from '../../contracts/deadline-task';
import { laterLocal, localDueAfter } from '../cycle-schedule';

/** The organisations every cycle has. Without an institute, its steps go to the ministry, which then does them. */
export interface CycleParties {
  ministryId: string;
  instituteId?: string;
}

/** The organisation a step runs for; a school's municipality too, which supervises it. */
export interface StepSubject {
  organizationId: string;
  municipalityId?: string;
}

/** One partner agreement: a participant school, its partner school and the municipality that proposed the pair. */
export interface AgreementParties {
  id: string;
  schoolId: string;
  schoolName: string;
  partnerSchoolId: string;
  partnerSchoolName: string;
}

export interface StepTaskSpec {
  action: TaskAction;
  assignee: string;
  /** Whose heads the «supervisor» escalation reaches: a school's municipality; the ministry for everyone else. */
  supervisor: string;
  /** The step's policy as it applies to this assignee (see policyFor). */
  policy: NotificationPolicy;
  title: string;
  dueLocal: string;
  subjectOrganizationId: string;
  round?: number;
  party?: string;
  agreementId?: string;
  periodId?: string;
  document?: TaskContext['document'];
  formId?: string;
}

/** Where durations are counted: the plan's zone and how it counts the decrees' non-working days. */
export type PlanCalendar = Pick<ResolvedCyclePlan, 'timeZone' | 'decreeNonWorkingDays'>;

function dueAfter(fromMs: number, duration: PlanDuration, calendar: PlanCalendar): string {
  return localDueAfter(fromMs, duration, calendar.timeZone, { decreeNonWorkingDays: calendar.decreeNonWorkingDays });
}

/** The deadline the cycle gives a partnership's confirmations when the template names none. */
export const DEFAULT_CONFIRMATION: PlanDuration = { workingDays: 10 };

/** Whose organisations run a step: the monitoring reporter for monitoring, the actor for everything else. */
export function trackRole(step: ResolvedStep): ActorRole {
  return step.kind === 'monitoring' ? (step.reporter ?? step.actor) : step.actor;
}

/**
 * Whose organisations are known only from the approved list: the municipalities with participant schools, the
 * schools, their partners. The ministry and the institute are known at launch, so their stages that do not wait for
 * the list open then («a stage with no dependsOn opens at launch»: agreements signed and resources set up before the
 * list of schools is approved).
 */
export function knownFromList(role: ActorRole): boolean {
  return role === 'municipality' || role === 'school' || role === 'partner_school';
}

/**
 * How the cycle splits its plan: the steps it runs itself before the list of participants (identification, and the
 * ministry's and the institute's steps of the identification stage, such as the analysis of results), and the steps
 * the organisations' tracks run (the rest, without best practices, which the cycle selects at its end).
 */
export function cycleStepSplit(stages: ResolvedStage[]): { beforeList: ResolvedStep[]; tracked: ResolvedStep[] } {
  const identificationStages = new Set(stages.filter((s) => s.steps.some((st) => st.kind === 'identification')).map((s) => s.id));
  const steps = stages.flatMap((s) => s.steps);
  const beforeList = steps.filter(
    (st) => st.kind === 'identification' || (identificationStages.has(st.stageId) && (st.actor === 'ministry' || st.actor === 'institute')),
  );
  const ranBeforeList = new Set(beforeList.map((s) => s.key));
  return { beforeList, tracked: steps.filter((s) => !ranBeforeList.has(s.key) && s.kind !== 'best_practice') };
}

/**
 * The regional tracks' steps: the ministry's, and the institute's in its own track — or in the ministry's when the
 * region has no institute (one track per organisation: a track's workflow id is its organisation's).
 */
export function regionalTrackSteps(tracked: ResolvedStep[], hasInstitute: boolean): { ministry: ResolvedStep[]; institute: ResolvedStep[] } {
  const ministry = tracked.filter((s) => trackRole(s) === 'ministry');
  const institute = tracked.filter((s) => trackRole(s) === 'institute');
  return hasInstitute ? { ministry, institute } : { ministry: [...ministry, ...institute], institute: [] };
}

/**
 * The stages that wait for the approved list: the identification stage itself and every stage that depends on it,
 * directly or through others. The rest open at launch for the ministry and the institute.
 */
export function stagesAwaitingList(stages: ResolvedStage[]): Set<string> {
  const awaiting = new Set(stages.filter((s) => s.steps.some((st) => st.kind === 'identification')).map((s) => s.id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const stage of stages) {
      if (!awaiting.has(stage.id) && stage.dependsOn.some((d) => awaiting.has(d))) {
        awaiting.add(stage.id);
        grew = true;
      }
    }
  }
  return awaiting;
}

export function instituteOf(parties: CycleParties): string {
  return parties.instituteId ?? parties.ministryId;
}

/**
 * The escalation ladder: a school answers to its municipality, a municipality and the institute to the ministry.
 * The ministry answers to its own head, whom the «head of the assignee» escalation already reaches.
 */
export function supervisorOf(parties: CycleParties, municipalityOfSchool?: string): string {
  return municipalityOfSchool ?? parties.ministryId;
}

/** An organisation the cycle chooses while it runs (the best-practice schools and their municipalities). */
export const CHOSEN_LATER = '*';

/** A supervisor that is the assignee itself would get the same e-mail twice: its heads are told once, as the assignee's. */
export function policyFor(policy: NotificationPolicy, assignee: string, supervisor: string): NotificationPolicy {
  if (assignee !== supervisor || assignee === CHOSEN_LATER) return policy;
  return { ...policy, escalations: policy.escalations.filter((e) => e.notify !== 'supervisor') };
}

export function reviewerOf(review: ResolvedReview, subject: StepSubject, parties: CycleParties): string {
  switch (review.by) {
    case 'ministry':
      return parties.ministryId;
    case 'institute':
      return instituteOf(parties);
    case 'municipality':
      return subject.municipalityId ?? parties.ministryId;
  }
}

const ACTION_OF_KIND: Record<ResolvedStep['kind'], TaskAction> = {
  task: 'perform',
  identification: 'approve_list',
  submission: 'submit',
  partnership: 'propose_pairs',
  monitoring: 'report',
  best_practice: 'describe_practice',
};

/**
 * Tasks that follow another one (a review, a revision, a confirmation) are due a set time after it, never sooner
 * than the template meant: the working-day lead for tasks issued late applies only to the roadmap's own dates.
 */
function withoutIssueLead(policy: NotificationPolicy): NotificationPolicy {
  if (policy.minimumLeadWorkingDays === undefined) return policy;
  const rest = { ...policy };
  delete rest.minimumLeadWorkingDays;
  return rest;
}

function spec(
  step: ResolvedStep,
  parties: CycleParties,
  assignee: string,
  municipalityOfAssignee: string | undefined,
  fields: Omit<StepTaskSpec, 'assignee' | 'supervisor' | 'policy'>,
  follows = false,
): StepTaskSpec {
  const supervisor = supervisorOf(parties, municipalityOfAssignee);
  const policy = policyFor(step.policy, assignee, supervisor);
  return { ...fields, assignee, supervisor, policy: follows ? withoutIssueLead(policy) : policy };
}

/** What a submission or best-practice step asks for, and who reviews it. */
export function submissionOf(step: ResolvedStep): {
  document: 'required' | 'optional' | 'none';
  formId?: string;
  review?: ResolvedReview;
} {
  if (step.kind === 'best_practice') return { document: 'optional', formId: step.bestPractice?.form, review: step.bestPractice?.review };
  return { document: step.submission?.document ?? 'optional', formId: step.submission?.form, review: step.review };
}

/**
 * The task a step opens with for its subject: the list approval, the measure, the first version of a submission or
 * practice, the partnership proposal, or one monitoring period's report. `dueLocal` overrides the step's deadline
 * (a stage extended for everyone).
 */
export function openingTask(
  step: ResolvedStep,
  subject: StepSubject,
  parties: CycleParties,
  options: { periodId?: string; dueLocal?: string } = {},
): StepTaskSpec {
  const base = { subjectOrganizationId: subject.organizationId, dueLocal: options.dueLocal ?? step.dueLocal };
  const own = (fields: Omit<StepTaskSpec, 'assignee' | 'supervisor' | 'policy'>) =>
    spec(step, parties, subject.organizationId, subject.municipalityId, fields);
  switch (step.kind) {
    case 'identification':
      return own({ ...base, action: 'approve_list', title: step.title });
    case 'task':
      return own({ ...base, action: 'perform', title: step.title, document: 'optional' });
    case 'monitoring': {
      const period = step.periods?.find((p) => p.id === options.periodId);
      return own({
        ...base,
        action: 'report',
        title: `${step.title}: ${period?.title ?? options.periodId ?? ''}`.trim(),
        dueLocal: options.dueLocal ?? period?.dueLocal ?? step.dueLocal,
        periodId: options.periodId,
        document: 'none',
        formId: step.monitoringForm,
      });
    }
    case 'partnership':
      return own({ ...base, action: 'propose_pairs', title: step.title, document: 'none' });
    case 'submission':
    case 'best_practice':
      return submissionRound(step, subject, parties, 1, base.dueLocal);
  }
}

/** A version of a submission or practice: the first, or a revision after the reviewer returned it. */
export function submissionRound(step: ResolvedStep, subject: StepSubject, parties: CycleParties, round: number, dueLocal: string): StepTaskSpec {
  const { document, formId } = submissionOf(step);
  return spec(
    step,
    parties,
    subject.organizationId,
    subject.municipalityId,
    {
      action: ACTION_OF_KIND[step.kind],
      title: round === 1 ? step.title : `${step.title} (доработка, версия ${round})`,
      subjectOrganizationId: subject.organizationId,
      dueLocal,
      round,
      document,
      formId,
    },
    round > 1,
  );
}

/** The review of one version, due the review's duration after the version arrived (`submittedAtMs`). */
export function reviewTask(
  step: ResolvedStep,
  review: ResolvedReview,
  subject: StepSubject,
  parties: CycleParties,
  round: number,
  submittedAtMs: number,
  calendar: PlanCalendar,
): StepTaskSpec {
  const reviewer = reviewerOf(review, subject, parties);
  return spec(
    step,
    parties,
    reviewer,
    undefined,
    {
      action: 'review',
      title: `Рассмотрение: ${step.title}`,
      subjectOrganizationId: subject.organizationId,
      dueLocal: dueAfter(submittedAtMs, review.deadline, calendar),
      round,
    },
    true,
  );
}

/**
 * A returned version is due again by the step's deadline or, when that has passed, as long after the return as the
 * reviewer had for the review.
 */
export function revisionDue(stepDueLocal: string, review: ResolvedReview, returnedAtMs: number, calendar: PlanCalendar): string {
  return laterLocal(stepDueLocal, dueAfter(returnedAtMs, review.deadline, calendar), calendar.timeZone);
}

/**
 * Each agreement is confirmed by its three parties: the participant school, the partner school and the municipality,
 * which attaches the signed document. They are due by the step's deadline or the confirmation period after the
 * proposal, whichever is later. The schools answer to the proposing municipality.
 */
export function confirmationTasks(
  step: ResolvedStep,
  agreement: AgreementParties,
  index: number,
  municipalityId: string,
  parties: CycleParties,
  stepDueLocal: string,
  proposedAtMs: number,
  calendar: PlanCalendar,
): StepTaskSpec[] {
  const dueLocal = laterLocal(stepDueLocal, dueAfter(proposedAtMs, step.confirmation ?? DEFAULT_CONFIRMATION, calendar), calendar.timeZone);
  const title = `Подтверждение соглашения о сетевом взаимодействии: ${agreement.schoolName} — ${agreement.partnerSchoolName}`;
  const confirm = (party: 'school' | 'partner' | 'municipality', assignee: string): StepTaskSpec =>
    spec(
      step,
      parties,
      assignee,
      party === 'municipality' ? undefined : municipalityId,
      {
        action: 'confirm_agreement',
        title,
        subjectOrganizationId: municipalityId,
        dueLocal,
        party: `${index + 1}-${party}`,
        agreementId: agreement.id,
        document: party === 'municipality' ? 'required' : 'none',
      },
      true,
    );
  return [confirm('school', agreement.schoolId), confirm('partner', agreement.partnerSchoolId), confirm('municipality', municipalityId)];
}
