/**
 * Every task a cycle would issue, with its effective deadline and every reminder and escalation, before anything
 * is launched: the ministry checks the plan against its region's directory. Pure and sandbox-safe.
 */
import type { ActorRole, DryRunTask, ResolvedCyclePlan, ResolvedStage, ResolvedStep } from '../../contracts/cycle-template';
import { localToEpochMs, orderStages } from '../cycle-schedule';
import { buildNotificationSchedule, resolveIssuedDeadline } from '../deadline';
import { lateIssueNote } from '../late-issue';
import { countOf, NOUNS } from '../russian';
import {
  CHOSEN_LATER,
  confirmationTasks,
  instituteOf,
  knownFromList,
  openingTask,
  reviewTask,
  stagesAwaitingList,
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
  pairs?: { schoolId: string; partnerSchoolId: string; partnerMunicipalityId?: string }[];
  /**
   * The dates the ministry set for steps the roadmap left «по специальному графику» (a cycle already running). A
   * step without one is not in the list of tasks: datesToBeSet lists it.
   */
  stepDeadlines?: Record<string, string>;
}

/** What a step shows until the ministry sets the date the roadmap left «по специальному графику». */
export const DATE_TO_BE_SET = 'срок будет установлен';

/** A step whose date the roadmap left to be set later, for one organisation: shown as «срок будет установлен». */
export interface DateToBeSet {
  stageId: string;
  stepKey: string;
  title: string;
  organizationId: string;
  /** The roadmap's words: «по специальному графику». */
  wording: string;
  /** The latest date the ministry may set. */
  latestLocal: string;
  /** DATE_TO_BE_SET */
  text: string;
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
 * When each task is issued is planned as the run would issue it if everything before it were done on its deadline:
 * the ministry's and the institute's stages that do not wait for the list at `now` (the launch), or at their opening
 * date; everything that waits for the list (the municipalities', the schools', the stages after identification) when
 * the list is due; a stage once the stages it depends on are due for the same organisation; a review when its
 * version is due, a confirmation when the pairs are. A task that this leaves with less than the policy's lead gets
 * the deadline the run would give it (resolveIssuedDeadline), with `plannedDueLocal` and `lateIssueNote` saying why.
 * Later review rounds depend on when revisions arrive and are not listed. Steps whose date the roadmap left to be
 * set later are listed by datesToBeSet («срок будет установлен») until `orgs.stepDeadlines` gives their date.
 *
 * Pass a `now` far in the past to see every reminder; reminders already past when a task is issued are left out, as
 * the running cycle leaves them out.
 */
export function dryRun(plan: ResolvedCyclePlan, orgs: DryRunOrganizations, now: Date): DryRunTask[] {
  const { parties, subjectsOf, pairsOf } = organizationsOf(orgs);

  // When each stage is done for each organisation, at the planned dates: what the stages after it wait for.
  const launchMs = now.getTime();
  const stageById = new Map(plan.stages.map((s) => [s.id, s]));
  const awaitingList = stagesAwaitingList(plan.stages);
  const dueOfStage = new Map<string, number>();
  let listDueMs = launchMs;
  const identificationStages = new Set(plan.stages.filter((s) => s.steps.some((st) => st.kind === 'identification')).map((s) => s.id));
  const besideList = (step: ResolvedStep): boolean =>
    step.kind === 'identification' || (identificationStages.has(step.stageId) && !knownFromList(trackRole(step)));
  const opensOf = (stage: ResolvedStage, organizationId: string, role: ActorRole): number => {
    const waitsForList = knownFromList(role) || awaitingList.has(stage.id);
    return Math.max(launchMs, waitsForList ? listDueMs : launchMs, ...stage.dependsOn.map((d) => doneOf(d, organizationId, role)));
  };
  const doneOf = (stageId: string, organizationId: string, role: ActorRole): number => {
    const stage = stageById.get(stageId);
    const own = dueOfStage.get(`${stageId}|${organizationId}`) ?? -Infinity;
    return stage ? Math.max(opensOf(stage, organizationId, role), own) : own;
  };
  const issuedAt = (step: ResolvedStep, organizationId: string, opensAt: string | undefined): number => {
    const opens = opensAt !== undefined ? localToEpochMs(opensAt, plan.timeZone) : -Infinity;
    if (besideList(step)) return Math.max(launchMs, opens);
    if (step.kind === 'best_practice') return Math.max(launchMs, opens, ...dueOfStage.values());
    return Math.max(opens, opensOf(stageById.get(step.stageId)!, organizationId, trackRole(step)));
  };

  const rows: DryRunTask[] = [];
  const order = new Map<string, number>();
  // A region's hundreds of schools share a step's deadline, policy and issue time: each distinct deadline and
  // schedule is worked out once (the zone arithmetic behind them was most of a large region's dry run).
  const deadlines = new Map<string, ReturnType<typeof resolveIssuedDeadline>>();
  const schedules = new Map<string, ReturnType<typeof buildNotificationSchedule>>();
  const push = (step: ResolvedStep, task: StepTaskSpec, issueMs: number, track: string, extra: { opensAt?: string; title?: string } = {}): number => {
    const policyKey = JSON.stringify(task.policy);
    const deadlineKey = `${task.dueLocal}|${issueMs}|${policyKey}`;
    let deadline = deadlines.get(deadlineKey);
    if (!deadline) {
      deadline = resolveIssuedDeadline(
        { localDateTime: task.dueLocal, timeZone: plan.timeZone, calendar: plan.calendar, decreeNonWorkingDays: plan.decreeNonWorkingDays },
        task.policy,
        new Date(issueMs),
      );
      deadlines.set(deadlineKey, deadline);
    }
    const scheduleKey = `${deadlineKey}|${Math.max(launchMs, issueMs)}`;
    let schedule = schedules.get(scheduleKey);
    if (!schedule) {
      schedule = buildNotificationSchedule(deadline, task.policy, 1, new Date(Math.max(launchMs, issueMs)));
      schedules.set(scheduleKey, schedule);
    }
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
    if (deadline.leadFromIssue) {
      row.plannedDueLocal = deadline.leadFromIssue.plannedLocalDateTime;
      row.lateIssueNote = lateIssueNote(deadline);
    }
    if (!order.has(step.stageId)) order.set(step.stageId, order.size);
    rows.push(row);
    const dueMs = Date.parse(deadline.dueAt);
    const stageKey = `${step.stageId}|${track}`;
    dueOfStage.set(stageKey, Math.max(dueOfStage.get(stageKey) ?? -Infinity, dueMs));
    if (step.kind === 'identification') listDueMs = Math.max(listDueMs, dueMs);
    return dueMs;
  };

  for (const stage of orderStages(plan.stages)) {
    for (const written of stage.steps) {
      const step = withDateSet(written, orgs);
      if (step.deadlineSetLater !== undefined) continue;
      const opens = step.opensAt !== undefined ? { opensAt: step.opensAt } : {};
      if (step.kind === 'best_practice') {
        // Invited by the monitoring results, unknown before the cycle runs, and so is their municipality.
        const subject = { organizationId: TOP_SCHOOLS, municipalityId: TOP_SCHOOLS };
        const top = step.bestPractice?.top;
        const title = top ? `${step.title} (не более ${countOf(top, NOUNS.schoolGenitive)} с наибольшим улучшением)` : step.title;
        const submittedAt = push(step, openingTask(step, subject, parties), issuedAt(step, TOP_SCHOOLS, step.opensAt), TOP_SCHOOLS, { ...opens, title });
        const review = submissionOf(step).review;
        if (review) push(step, reviewTask(step, review, subject, parties, 1, submittedAt, plan), submittedAt, TOP_SCHOOLS);
        continue;
      }
      for (const subject of subjectsOf(trackRole(step))) {
        const track = subject.organizationId;
        if (step.kind === 'monitoring') {
          for (const period of step.periods ?? []) {
            const task = openingTask(step, subject, parties, { periodId: period.id });
            push(step, task, issuedAt(step, track, period.opensAt), track, { opensAt: period.opensAt });
          }
          continue;
        }
        const opening = openingTask(step, subject, parties);
        const doneAt = push(step, opening, issuedAt(step, track, step.opensAt), track, opens);
        const review = step.kind === 'submission' ? submissionOf(step).review : undefined;
        if (review) push(step, reviewTask(step, review, subject, parties, 1, doneAt, plan), doneAt, track);
        if (step.kind === 'partnership') {
          pairsOf(subject.organizationId).forEach((agreement, index) => {
            for (const task of confirmationTasks(step, agreement, index, subject.organizationId, parties, step.dueLocal, doneAt, plan)) {
              push(step, task, doneAt, track);
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

/** Who runs each role's steps in a region: the same organisations the cycle's tracks run for. */
function organizationsOf(orgs: DryRunOrganizations): {
  parties: CycleParties;
  subjectsOf: (role: ActorRole) => StepSubject[];
  pairsOf: (municipalityId: string) => AgreementParties[];
} {
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
  const partnerSchools = new Map((orgs.pairs ?? []).map((p) => [p.partnerSchoolId, p.partnerMunicipalityId]));
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
        return [...partnerSchools].map(([organizationId, municipalityId]) => (municipalityId ? { organizationId, municipalityId } : { organizationId }));
    }
  };
  return { parties, subjectsOf, pairsOf };
}

/** The step with the date the ministry set, as the run issues it; unchanged while the date is still to be set. */
function withDateSet(step: ResolvedStep, orgs: DryRunOrganizations): ResolvedStep {
  const set = step.deadlineSetLater !== undefined ? orgs.stepDeadlines?.[step.key] : undefined;
  if (set === undefined) return step;
  const dated: ResolvedStep = { ...step, dueLocal: set };
  delete dated.deadlineSetLater;
  return dated;
}

/** Every task whose date the roadmap left to be set later and the ministry has not set yet, per organisation. */
export function datesToBeSet(plan: ResolvedCyclePlan, orgs: DryRunOrganizations): DateToBeSet[] {
  const { subjectsOf } = organizationsOf(orgs);
  return plan.stages.flatMap((stage) =>
    stage.steps
      .map((step) => withDateSet(step, orgs))
      .flatMap((step) =>
        step.deadlineSetLater === undefined
          ? []
          : subjectsOf(trackRole(step)).map((subject) => ({
              stageId: step.stageId,
              stepKey: step.key,
              title: step.title,
              organizationId: subject.organizationId,
              wording: step.deadlineSetLater as string,
              latestLocal: step.dueLocal,
              text: DATE_TO_BE_SET,
            })),
      ),
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
