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
import { DEFAULT_NOTIFICATION_POLICY } from '../../contracts/deadline-task';
import { formatDateRu } from './dates';
import { computePeriods, computeStepTimes, TimelineError } from './timeline';
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
  /** The academic year (its starting calendar year) the cycle is launched for. */
  academicYear: number;
}

export function resolveCyclePlan(template: CycleTemplate, options: ResolveOptions): ResolvedCyclePlan {
  const { academicYear } = options;
  if (!Number.isInteger(academicYear)) throw new RangeError(`academicYear must be an integer, got ${String(academicYear)}`);
  const problems = validateTemplateSemantics(template);
  if (problems.length > 0) throw new TemplateInvalidError(template.id, problems);

  let times: ReturnType<typeof computeStepTimes>;
  try {
    times = computeStepTimes(template, academicYear);
  } catch (error) {
    if (error instanceof TimelineError) {
      throw new TemplateInvalidError(template.id, [{ path: error.path, message: `${error.message} (учебный год ${academicYear}/${academicYear + 1})` }]);
    }
    throw error;
  }

  const acts = new Map((template.legalActs ?? []).map((act) => [act.id, act]));
  const defaultPolicy = template.notificationPolicy ?? DEFAULT_NOTIFICATION_POLICY;

  return {
    templateId: template.id,
    templateVersion: template.version,
    title: template.title,
    timeZone: template.timeZone,
    academicYear,
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
            title: step.title,
            kind: step.kind,
            actor: step.actor,
            dueLocal: instance.dueLocal,
            policy: structuredCloneSafe(step.policy ?? defaultPolicy),
          };
          if (step.description !== undefined) resolved.description = step.description;
          if (instance.opensAt !== undefined) resolved.opensAt = instance.opensAt;
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
