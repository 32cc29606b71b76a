/**
 * From the document a region writes to the plan a cycle runs: every date placed in the launched academic year,
 * yearly steps unrolled, monitoring periods listed, policies and legal references filled in. Pure and
 * sandbox-safe, so the cycle workflow could run it too.
 */
import type {
  CycleTemplate,
  LegalAct,
  OffsetSpec,
  PlanDuration,
  ResolvedCyclePlan,
  ResolvedLegalBasis,
  ResolvedReview,
  ResolvedStep,
  ReviewSpec,
  TemplateProblem,
  TemplateStep,
} from '../../contracts/cycle-template';
import { DEFAULT_MINIMUM_LEAD_WORKING_DAYS, DEFAULT_NOTIFICATION_POLICY } from '../../contracts/deadline-task';
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../deadline';
import { formatDateRu } from './dates';
import { computePeriods, computeStepTimes, programmeYearKind, programmeYearRu, TimelineError } from './timeline';
import { validateTemplateSemantics } from './validate';

/** The template cannot be launched as it is; `problems` lists why, in Russian, with paths. */
export class TemplateInvalidError extends Error {
  override readonly name = 'TemplateInvalidError';
  constructor(
    readonly templateId: string,
    readonly problems: TemplateProblem[],
  ) {
    super(
      `шаблон «${templateId}» содержит ошибки (${problems.length}): ` +
        problems
          .slice(0, 5)
          .map((p) => `${p.path || '/'}: ${p.message}`)
          .join('; ') +
        (problems.length > 5 ? '; …' : ''),
    );
  }
}

export interface ResolveOptions {
  /**
   * The year the cycle is launched for: the academic year by its starting calendar year, or, for a template written
   * with `programme.firstCalendarYear`, the calendar year.
   */
  academicYear: number;
  /**
   * The zone the cycle runs in when it is not the template's: a region adopting a roadmap written for another zone
   * reads its local times as its own (18:00 stays 18:00 there, not 20:00). Callers ask for it explicitly; see
   * timeZoneMismatch.
   */
  timeZone?: string;
}

export function resolveCyclePlan(template: CycleTemplate, options: ResolveOptions): ResolvedCyclePlan {
  const { academicYear } = options;
  if (!Number.isInteger(academicYear)) throw new RangeError(`academicYear must be an integer, got ${String(academicYear)}`);
  if (options.timeZone !== undefined && !isValidTimeZone(options.timeZone)) throw new RangeError(`unknown time zone ${options.timeZone}`);
  const problems = validateTemplateSemantics(template);
  if (problems.length > 0) throw new TemplateInvalidError(template.id, problems);

  let times: ReturnType<typeof computeStepTimes>;
  try {
    times = computeStepTimes(template, academicYear);
  } catch (error) {
    if (error instanceof TimelineError) {
      const year = programmeYearRu(programmeYearKind(template), academicYear, 'nominative');
      throw new TemplateInvalidError(template.id, [{ path: error.path, message: `${error.message} (${year})` }]);
    }
    throw error;
  }

  const acts = new Map((template.legalActs ?? []).map((act) => [act.id, act]));
  const defaultPolicy = template.notificationPolicy ?? DEFAULT_NOTIFICATION_POLICY;

  return {
    templateId: template.id,
    templateVersion: template.version,
    title: template.title,
    timeZone: options.timeZone ?? template.timeZone,
    academicYear,
    ...(programmeYearKind(template) === 'calendar' ? { yearKind: 'calendar' as const } : {}),
    calendar: 'working-days',
    decreeNonWorkingDays: template.productionCalendar?.decreeNonWorkingDays ?? 'non-working',
    forms: structuredCloneSafe(template.forms ?? {}),
    stages: template.stages.map((stage, stageIndex) => ({
      id: stage.id,
      title: stage.title,
      dependsOn: [...(stage.dependsOn ?? [])],
      steps: stage.steps.flatMap((step, stepIndex) =>
        (times.get(step.id) ?? []).map((instance): ResolvedStep => {
          const resolved: ResolvedStep = {
            key: instance.key,
            stepId: step.id,
            stageId: stage.id,
            // Each period of continuous work is its own task, so its title says which period it reports for.
            title: instance.period ? `${step.title}: отчёт за ${instance.period.title}` : step.title,
            kind: step.kind,
            actor: step.actor,
            dueLocal: instance.dueLocal,
            policy: {
              ...structuredCloneSafe(step.policy ?? defaultPolicy),
              minimumLeadWorkingDays: step.policy?.minimumLeadWorkingDays ?? defaultPolicy.minimumLeadWorkingDays ?? DEFAULT_MINIMUM_LEAD_WORKING_DAYS,
            },
          };
          if (step.description !== undefined) resolved.description = step.description;
          if (instance.opensAt !== undefined) resolved.opensAt = instance.opensAt;
          if (instance.setLater !== undefined) resolved.deadlineSetLater = instance.setLater;
          if (step.submission) resolved.submission = { ...step.submission };
          if (step.review) resolved.review = resolveReview(step.review);
          if (step.monitoring) {
            const path = `/stages/${stageIndex}/steps/${stepIndex}`;
            resolved.reporter = step.monitoring.reporter;
            resolved.monitoringForm = step.monitoring.form;
            resolved.periods = computePeriods(template, step, path, instance.academicYear, academicYear).map(({ id, title, opensAt, dueLocal }) => ({
              id,
              title,
              opensAt,
              dueLocal,
            }));
          }
          if (step.partnership) {
            resolved.maxPartnersPerSchool = step.partnership.maxPartnersPerSchool;
            resolved.confirmation = toPlanDuration(step.partnership.confirmation);
          }
          if (step.bestPractice) {
            const { indicator, top, form, review } = step.bestPractice;
            resolved.bestPractice = { indicator, top, form, review: resolveReview(review) };
          }
          const legalBasis = resolveLegalBasis(step, acts);
          if (legalBasis) resolved.legalBasis = legalBasis;
          if (step.responsible !== undefined) resolved.responsible = step.responsible;
          if (step.expectedResult !== undefined) resolved.expectedResult = step.expectedResult;
          return resolved;
        }),
      ),
    })),
  };
}

/** A plan written in one zone that would run for organisations living in another. */
export interface TimeZoneMismatch {
  planZone: string;
  regionZone: string;
  /** «Europe/Moscow (UTC+3)», the offset as of the plan's first deadline. */
  planZoneText: string;
  regionZoneText: string;
  /** The plan's first deadline as written, and the region's clock at that moment: «25.09.2026 18:00», «25.09.2026 20:00». */
  firstDeadline: { written: string; inRegion: string };
}

/**
 * Every deadline of a plan is a wall-clock time in the plan's zone. Run for organisations in another zone, a Moscow
 * «18:00» falls due at 20:00 in Yekaterinburg, silently. Zones that keep the same offset at every date of the plan
 * (Europe/Moscow and Europe/Kirov) do not differ for this purpose.
 */
export function timeZoneMismatch(plan: ResolvedCyclePlan, regionZone: string): TimeZoneMismatch | undefined {
  if (plan.timeZone === regionZone) return undefined;
  const locals: string[] = [];
  for (const step of plan.stages.flatMap((stage) => stage.steps)) {
    if (step.opensAt) locals.push(step.opensAt);
    locals.push(step.dueLocal);
    for (const period of step.periods ?? []) locals.push(period.opensAt, period.dueLocal);
  }
  locals.sort();
  const offsetIn = (local: string, zone: string): number => DateTime.fromISO(local, { zone }).offset;
  if (locals.length > 0 && locals.every((local) => offsetIn(local, plan.timeZone) === offsetIn(local, regionZone))) return undefined;
  const first = plan.stages.flatMap((stage) => stage.steps).map((step) => step.dueLocal).sort()[0] ?? locals[0] ?? `${plan.academicYear}-09-01T18:00:00`;
  const instant = DateTime.fromISO(first, { zone: plan.timeZone });
  return {
    planZone: plan.timeZone,
    regionZone,
    planZoneText: describeTimeZone(plan.timeZone, first),
    regionZoneText: describeTimeZone(regionZone, first),
    firstDeadline: { written: instant.toFormat('dd.MM.yyyy HH:mm'), inRegion: instant.setZone(regionZone).toFormat('dd.MM.yyyy HH:mm') },
  };
}

/** «Asia/Yekaterinburg (UTC+5)», «Asia/Kolkata (UTC+5:30)»: the zone's offset at a local date-time there. */
export function describeTimeZone(zone: string, local: string): string {
  const offset = DateTime.fromISO(local, { zone }).offset;
  const sign = offset < 0 ? '−' : '+';
  const hours = Math.floor(Math.abs(offset) / 60);
  const minutes = Math.abs(offset) % 60;
  return `${zone} (UTC${sign}${hours}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''})`;
}

export function toPlanDuration(offset: OffsetSpec): PlanDuration {
  return (offset.calendar ?? 'working') === 'working' ? { workingDays: offset.days } : { calendarDays: offset.days };
}

function resolveReview(review: ReviewSpec): ResolvedReview {
  return { by: review.by, maxRounds: review.maxRounds, deadline: toPlanDuration(review.deadline) };
}

function resolveLegalBasis(step: TemplateStep, acts: Map<string, LegalAct>): ResolvedLegalBasis | undefined {
  if (!step.legalBasis) return undefined;
  const act = acts.get(step.legalBasis.act)!;
  const basis: ResolvedLegalBasis = { act: { ...act }, text: legalBasisText(act, step.legalBasis.clause) };
  if (step.legalBasis.clause !== undefined) basis.clause = step.legalBasis.clause;
  return basis;
}

/** «Приказ министерства образования Оренбургской области от 15.05.2020 № 01-21/744, п. 2.2» */
export function legalBasisText(act: LegalAct, clause?: string): string {
  let text = act.title;
  if (act.date) text += ` от ${formatDateRu(act.date)}`;
  if (act.number) text += ` № ${act.number}`;
  if (clause) text += `, ${/^\d/.test(clause) ? `п. ${clause}` : clause}`;
  return text;
}

/** The plan must not share objects with the template: the workflow may carry it through continue-as-new. */
function structuredCloneSafe<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
