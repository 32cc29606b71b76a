/**
 * Every task a cycle would issue, with its effective deadline and every reminder and escalation, before anything
 * is launched: the ministry checks the plan against its region's directory. Pure and sandbox-safe.
 */
import type { ActorRole, DryRunTask, ResolvedCyclePlan, ResolvedStep } from '../../contracts/cycle-template';
import { buildNotificationSchedule, resolveDeadline } from '../deadline';
import { countOf, NOUNS } from '../russian';
import {
  CHOSEN_LATER,
  confirmationTasks,
  instituteOf,
  openingTask,
  reviewTask,
  submissionOf,
  trackRole,
  type AgreementParties,
  type CycleParties,
  type StepSubject,
  type StepTaskSpec,
} from './step-tasks';

export interface DryRunOrganizations {
  ministryId: string;
  /** Without an institute, its steps go to the ministry, which then does the methodological work itself. */
  instituteId?: string;
  municipalities: string[];
  schools: { id: string; municipalityId: string }[];
  /**
   * The partner pairs, when known (a cycle already running). Without them each participant school is shown with a
   * partner still to be chosen ('*').
   */
  pairs?: { schoolId: string; partnerSchoolId: string }[];
}

/** An organisation chosen while the cycle runs: the best-practice schools and their municipalities, a partner not yet proposed. */
export const TOP_SCHOOLS = CHOSEN_LATER;

/**
 * Every task the running cycle issues, from the same rules (step-tasks.ts): identification, ministry and institute
 * steps once; municipality steps once per municipality that has participant schools; school steps once per school;
 * partner-school steps once per partner; monitoring once per reporter and period; a partnership's proposal per
 * municipality and three confirmations (school, partner, municipality) per pair; the best practice once for the top
 * schools (organizationId '*').
 *
 * Tasks that follow another one are listed as issued at the latest: a review as if the version arrived at its
 * deadline, a confirmation as if the pairs were proposed at theirs. Later review rounds depend on when revisions
 * arrive and are not listed.
 *
 * Pass a `now` far in the past to see every reminder; reminders already past at `now` are left out, as the
 * running cycle would leave them out.
 */
export function dryRun(plan: ResolvedCyclePlan, orgs: DryRunOrganizations, now: Date): DryRunTask[] {
  const parties: CycleParties = { ministryId: orgs.ministryId, instituteId: orgs.instituteId };
  const schoolsByMunicipality = new Map<string, string[]>();
  for (const school of orgs.schools) {
    schoolsByMunicipality.set(school.municipalityId, [...(schoolsByMunicipality.get(school.municipalityId) ?? []), school.id]);
  }
  const activeMunicipalities = orgs.municipalities.filter((id) => schoolsByMunicipality.has(id));
  const pairsOf = (municipalityId: string): AgreementParties[] =>
    (schoolsByMunicipality.get(municipalityId) ?? []).flatMap((schoolId) => {
      const known = orgs.pairs?.filter((p) => p.schoolId === schoolId) ?? [];
      const partners = orgs.pairs ? known.map((p) => p.partnerSchoolId) : [TOP_SCHOOLS];
      return partners.map((partnerSchoolId) => ({ id: `${schoolId}:${partnerSchoolId}`, schoolId, schoolName: schoolId, partnerSchoolId, partnerSchoolName: partnerSchoolId }));
    });
  const partnerSchools = [...new Set((orgs.pairs ?? []).map((p) => p.partnerSchoolId))];

  const subjectsOf = (role: ActorRole): StepSubject[] => {
    switch (role) {
      case 'ministry':
        return [{ organizationId: orgs.ministryId }];
      case 'institute':
        return [{ organizationId: instituteOf(parties) }];
      case 'municipality':
        return activeMunicipalities.map((organizationId) => ({ organizationId }));
      case 'school':
        return orgs.schools.map((school) => ({ organizationId: school.id, municipalityId: school.municipalityId }));
      case 'partner_school':
        return partnerSchools.map((organizationId) => ({ organizationId }));
    }
  };

  const rows: DryRunTask[] = [];
  const order = new Map<string, number>();
  const push = (step: ResolvedStep, task: StepTaskSpec, extra: { opensAt?: string; title?: string } = {}): number => {
    const deadline = resolveDeadline({
      localDateTime: task.dueLocal,
      timeZone: plan.timeZone,
      calendar: plan.calendar,
      decreeNonWorkingDays: plan.decreeNonWorkingDays,
    });
    const schedule = buildNotificationSchedule(deadline, task.policy, 1, now);
    const row: DryRunTask = {
      stageId: step.stageId,
      stepKey: step.key,
      title: extra.title ?? task.title,
      organizationId: task.assignee,
      supervisorOrganizationId: task.supervisor,
      dueLocal: deadline.localDateTime,
      dueAt: deadline.dueAt,
      movedFromNonWorkingDay: deadline.movedFromNonWorkingDay,
      reminders: schedule.filter((n) => n.kind === 'reminder').map((n) => n.at),
      escalations: schedule
        .filter((n) => n.kind === 'escalation')
        .map((n) => ({ at: n.at, notify: n.target, organizationId: n.target === 'supervisor' ? task.supervisor : task.assignee })),
      action: task.action,
    };
    if (task.periodId !== undefined) row.periodId = task.periodId;
    if (task.party !== undefined) row.party = task.party;
    if (extra.opensAt !== undefined) row.opensAt = extra.opensAt;
    if (task.subjectOrganizationId !== task.assignee) row.subjectOrganizationId = task.subjectOrganizationId;
    if (step.legalBasis) row.legalBasis = step.legalBasis.text;
    if (!order.has(step.stageId)) order.set(step.stageId, order.size);
    rows.push(row);
    return Date.parse(deadline.dueAt);
  };

  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      const opens = step.opensAt !== undefined ? { opensAt: step.opensAt } : {};
      if (step.kind === 'best_practice') {
        // Invited by the monitoring results, unknown before the cycle runs, and so is their municipality.
        const subject = { organizationId: TOP_SCHOOLS, municipalityId: TOP_SCHOOLS };
        const top = step.bestPractice?.top;
        const title = top ? `${step.title} (не более ${countOf(top, NOUNS.schoolGenitive)} с наибольшим улучшением)` : step.title;
        const submittedAt = push(step, openingTask(step, subject, parties), { ...opens, title });
        const review = submissionOf(step).review;
        if (review) push(step, reviewTask(step, review, subject, parties, 1, submittedAt, plan));
        continue;
      }
      for (const subject of subjectsOf(trackRole(step))) {
        if (step.kind === 'monitoring') {
          for (const period of step.periods ?? []) push(step, openingTask(step, subject, parties, { periodId: period.id }), { opensAt: period.opensAt });
          continue;
        }
        const opening = openingTask(step, subject, parties);
        const issuedAt = push(step, opening, opens);
        const review = step.kind === 'submission' ? submissionOf(step).review : undefined;
        if (review) push(step, reviewTask(step, review, subject, parties, 1, issuedAt, plan));
        if (step.kind === 'partnership') {
          pairsOf(subject.organizationId).forEach((agreement, index) => {
            for (const task of confirmationTasks(step, agreement, index, subject.organizationId, parties, step.dueLocal, issuedAt, plan)) {
              push(step, task);
            }
          });
        }
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
      compare(a.action ?? '', b.action ?? '') ||
      compare(a.party ?? '', b.party ?? ''),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every date the cycle will compute, from the plan's deadlines to review and confirmation periods, lies within the
 * production calendar: the launch checks it as the dry run does, so a year the dry run refuses is never launched to
 * fail later inside a workflow. Throws the calendar's CalendarRangeError, naming the first date outside it.
 */
export function assertPlanWithinCalendar(plan: ResolvedCyclePlan): void {
  dryRun(
    plan,
    { ministryId: 'ministry', instituteId: 'institute', municipalities: ['municipality'], schools: [{ id: 'school', municipalityId: 'municipality' }] },
    new Date(0),
  );
}

/** «31.12.2028» from the calendar's refusal, for the official's message. */
export function dateOutsideCalendar(error: Error): string | undefined {
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(error.message);
  if (iso) return `${iso[3]}.${iso[2]}.${iso[1]}`;
  return /\byear (\d{4})\b/.exec(error.message)?.[1];
}
