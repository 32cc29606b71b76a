/**
 * Every task a cycle would issue, with its effective deadline and every reminder and escalation, before anything
 * is launched: the ministry checks the plan against its region's directory. Pure and sandbox-safe.
 */
import { DateTime } from 'luxon';
import type { ActorRole, DryRunTask, PlanDuration, ResolvedCyclePlan, ResolvedReview, ResolvedStep } from '../../contracts/cycle-template';
import type { EffectiveDeadline, TaskAction } from '../../contracts/deadline-task';
import { addCalendarDays, addWorkingDays } from '../calendar';
import { buildNotificationSchedule, resolveDeadline } from '../deadline';

export interface DryRunOrganizations {
  ministryId: string;
  /** Without an institute, its steps go to the ministry, which then does the methodological work itself. */
  instituteId?: string;
  municipalities: string[];
  schools: { id: string; municipalityId: string }[];
  partnerSchools?: string[];
}

/** The best-practice task goes to schools chosen by the monitoring results, unknown before the cycle runs. */
export const TOP_SCHOOLS = '*';

const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";

const ACTION_OF_KIND: Record<ResolvedStep['kind'], TaskAction> = {
  task: 'perform',
  identification: 'approve_list',
  submission: 'submit',
  partnership: 'propose_pairs',
  monitoring: 'report',
  best_practice: 'describe_practice',
};

/**
 * Rows per step: identification, ministry and institute steps once; municipality steps once per municipality that
 * has participant schools; school steps once per school; partner-school steps once per partner school; monitoring
 * once per reporter and period; partnership one proposal and one «подтверждение соглашений» row per municipality;
 * best practice one row for the top schools (organizationId '*').
 *
 * Review tasks are listed too, one per submitting organisation, as if the submission arrived exactly at its
 * deadline: that is the latest the reviewer can be asked to finish the first round. Later rounds depend on when
 * revisions arrive and are not listed.
 *
 * Pass a `now` far in the past to see every reminder; reminders already past at `now` are left out, as the
 * running cycle would leave them out.
 */
export function dryRun(plan: ResolvedCyclePlan, orgs: DryRunOrganizations, now: Date): DryRunTask[] {
  const schoolsByMunicipality = new Map<string, string[]>();
  for (const school of orgs.schools) {
    schoolsByMunicipality.set(school.municipalityId, [...(schoolsByMunicipality.get(school.municipalityId) ?? []), school.id]);
  }
  const municipalityOf = new Map(orgs.schools.map((school) => [school.id, school.municipalityId]));
  const activeMunicipalities = orgs.municipalities.filter((id) => schoolsByMunicipality.has(id));
  const instituteId = orgs.instituteId ?? orgs.ministryId;

  const organizationsOf = (role: ActorRole): string[] => {
    switch (role) {
      case 'ministry':
        return [orgs.ministryId];
      case 'institute':
        return [instituteId];
      case 'municipality':
        return activeMunicipalities;
      case 'school':
        return orgs.schools.map((school) => school.id);
      case 'partner_school':
        return orgs.partnerSchools ?? [];
    }
  };
  const reviewerOf = (review: ResolvedReview, submitter: string): string => {
    switch (review.by) {
      case 'ministry':
        return orgs.ministryId;
      case 'institute':
        return instituteId;
      case 'municipality':
        return municipalityOf.get(submitter) ?? (submitter === TOP_SCHOOLS ? TOP_SCHOOLS : orgs.ministryId);
    }
  };

  const rows: DryRunTask[] = [];
  const order = new Map<string, number>();
  const push = (
    step: ResolvedStep,
    organizationId: string,
    action: TaskAction,
    title: string,
    deadline: EffectiveDeadline,
    extra: { opensAt?: string; periodId?: string; subjectOrganizationId?: string } = {},
  ): void => {
    const schedule = buildNotificationSchedule(deadline, step.policy, 1, now);
    const row: DryRunTask = {
      stageId: step.stageId,
      stepKey: step.key,
      title,
      organizationId,
      dueLocal: deadline.localDateTime,
      dueAt: deadline.dueAt,
      movedFromNonWorkingDay: deadline.movedFromNonWorkingDay,
      reminders: schedule.filter((n) => n.kind === 'reminder').map((n) => n.at),
      escalations: schedule.filter((n) => n.kind === 'escalation').map((n) => ({ at: n.at, notify: n.target })),
      action,
    };
    if (extra.periodId !== undefined) row.periodId = extra.periodId;
    if (extra.opensAt !== undefined) row.opensAt = extra.opensAt;
    if (extra.subjectOrganizationId !== undefined) row.subjectOrganizationId = extra.subjectOrganizationId;
    if (step.legalBasis) row.legalBasis = step.legalBasis.text;
    if (!order.has(step.stageId)) order.set(step.stageId, order.size);
    rows.push(row);
  };
  const effective = (localDateTime: string): EffectiveDeadline =>
    resolveDeadline({ localDateTime, timeZone: plan.timeZone, calendar: plan.calendar });
  const after = (deadline: EffectiveDeadline, duration: PlanDuration): EffectiveDeadline =>
    effective(addDuration(deadline.localDateTime, duration, plan.timeZone));
  const reviewRows = (step: ResolvedStep, review: ResolvedReview, submitter: string, submitted: EffectiveDeadline): void =>
    push(step, reviewerOf(review, submitter), 'review', `Рассмотрение: ${step.title}`, after(submitted, review.deadline), {
      subjectOrganizationId: submitter,
    });

  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      const opens = step.opensAt !== undefined ? { opensAt: step.opensAt } : {};
      switch (step.kind) {
        case 'monitoring':
          for (const organizationId of organizationsOf(step.reporter ?? step.actor)) {
            for (const period of step.periods ?? []) {
              push(step, organizationId, 'report', `${step.title}: ${period.title}`, effective(period.dueLocal), {
                opensAt: period.opensAt,
                periodId: period.id,
              });
            }
          }
          break;
        case 'partnership':
          for (const municipalityId of activeMunicipalities) {
            const proposal = effective(step.dueLocal);
            push(step, municipalityId, 'propose_pairs', step.title, proposal, opens);
            if (step.confirmation) {
              push(step, municipalityId, 'confirm_agreement', `${step.title}: подтверждение соглашений`, after(proposal, step.confirmation), {
                subjectOrganizationId: municipalityId,
              });
            }
          }
          break;
        case 'best_practice': {
          const due = effective(step.dueLocal);
          const top = step.bestPractice?.top;
          push(step, TOP_SCHOOLS, 'describe_practice', top ? `${step.title} (не более ${top} школ с наибольшим улучшением)` : step.title, due, opens);
          if (step.bestPractice) reviewRows(step, step.bestPractice.review, TOP_SCHOOLS, due);
          break;
        }
        case 'task':
        case 'identification':
        case 'submission':
          for (const organizationId of organizationsOf(step.actor)) {
            const due = effective(step.dueLocal);
            push(step, organizationId, ACTION_OF_KIND[step.kind], step.title, due, opens);
            if (step.review) reviewRows(step, step.review, organizationId, due);
          }
          break;
      }
    }
  }

  return rows.sort(
    (a, b) =>
      Date.parse(a.dueAt) - Date.parse(b.dueAt) ||
      order.get(a.stageId)! - order.get(b.stageId)! ||
      compare(a.stepKey, b.stepKey) ||
      compare(a.periodId ?? '', b.periodId ?? '') ||
      compare(a.organizationId, b.organizationId) ||
      compare(a.action ?? '', b.action ?? ''),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A duration after a local date-time: working days keep the time of day, seconds are plain elapsed time. */
export function addDuration(local: string, duration: PlanDuration, timeZone: string): string {
  const date = local.slice(0, 10);
  const time = local.slice(11);
  if ('workingDays' in duration) return `${addWorkingDays(date, duration.workingDays)}T${time}`;
  if ('calendarDays' in duration) return `${addCalendarDays(date, duration.calendarDays)}T${time}`;
  return DateTime.fromISO(local, { zone: timeZone }).plus({ seconds: duration.seconds }).toFormat(LOCAL_FORMAT);
}
