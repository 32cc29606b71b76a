/**
 * When each step (and each yearly instance, and each monitoring period) of a template opens and is due, for one
 * academic year. Shared by validation (which needs the dates to compare stages) and resolution.
 */
import type {
  CycleTemplate,
  DeadlineSpec,
  MonitoringPeriodSpec,
  ProgrammeYearKind,
  StepRepeat,
  TemplateStep,
} from '../../contracts/cycle-template';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, CalendarRangeError } from '../calendar';
import {
  fixedWindow,
  isAfterSpec,
  isSetLaterSpec,
  isRepeatWindowSpec,
  monthNameRu,
  offsetLocal,
  repeatPeriods,
  shiftLocalByYears,
  type DeadlineWindow,
  type FixedDeadlineSpec,
} from './dates';

export interface StepInstanceTimes extends DeadlineWindow {
  /** 'step-id', 'step-id@2019' for a yearly step's instance, 'step-id@2020-09' / 'step-id@2020-Q4' for a period's. */
  key: string;
  /** The programme year (academic or calendar) this instance belongs to. */
  academicYear: number;
  /** The month or quarter a monthly or quarterly step's instance reports for. */
  period?: { id: string; title: string };
  /**
   * «По специальному графику»: the roadmap's words for a date set while the cycle runs. `dueLocal` is then the
   * latest date it may be set to: the roadmap's last deadline.
   */
  setLater?: string;
}

export interface PeriodTimes extends DeadlineWindow {
  id: string;
  title: string;
  opensAt: string;
  /** Where in the template the period comes from, for error messages. */
  path: string;
}

/** A date the template cannot produce (a loop of `after`, a date outside the production calendar). */
export class TimelineError extends Error {
  override readonly name = 'TimelineError';
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StepLocation {
  step: TemplateStep;
  stageIndex: number;
  stepIndex: number;
  path: string;
}

export function locateSteps(template: CycleTemplate): Map<string, StepLocation> {
  const steps = new Map<string, StepLocation>();
  (template.stages ?? []).forEach((stage, stageIndex) =>
    (stage.steps ?? []).forEach((step, stepIndex) => {
      if (!steps.has(step.id)) steps.set(step.id, { step, stageIndex, stepIndex, path: `/stages/${stageIndex}/steps/${stepIndex}` });
    }),
  );
  return steps;
}

/** Whether the programme's years are academic (September–August) or calendar years; see `programme`. */
export function programmeYearKind(template: CycleTemplate): ProgrammeYearKind {
  return template.programme.firstCalendarYear !== undefined ? 'calendar' : 'academic';
}

/** The year the template's dates are written for: launching for another year shifts them by the difference. */
export function programmeFirstYear(template: CycleTemplate): number {
  const first = template.programme.firstCalendarYear ?? template.programme.firstAcademicYear;
  if (first === undefined) throw new TypeError(`template ${template.id} names neither programme.firstAcademicYear nor programme.firstCalendarYear`);
  return first;
}

/**
 * The programme year as the messages say it: «учебный год 2020/2021» or «2021 год» ('nominative'), «на 2020/2021
 * учебный год» or «на 2021 год» ('accusative', without the preposition), «к 2020/2021 учебному году» ('dative').
 */
export function programmeYearRu(kind: ProgrammeYearKind | undefined, year: number, form: 'nominative' | 'accusative' | 'dative'): string {
  if (kind === 'calendar') return form === 'dative' ? `${year} году` : `${year} год`;
  const years = `${year}/${year + 1}`;
  if (form === 'nominative') return `учебный год ${years}`;
  return form === 'dative' ? `${years} учебному году` : `${years} учебный год`;
}

/** A step repeated within the programme year: one instance per calendar month or quarter of its window. */
export function isRepeatedWithinYear(repeat: StepRepeat | undefined): repeat is 'monthly' | 'quarterly' {
  return repeat === 'monthly' || repeat === 'quarterly';
}

export const REPEAT_NAMES_RU: Record<StepRepeat, string> = { yearly: 'ежегодно', monthly: 'ежемесячно', quarterly: 'ежеквартально' };

export function instanceCount(template: CycleTemplate, step: TemplateStep): number {
  return step.repeat === 'yearly' ? Math.max(1, template.programme.years) : 1;
}

export function instanceKey(step: TemplateStep, academicYear: number): string {
  return step.repeat === 'yearly' ? `${step.id}@${academicYear}` : step.id;
}

/**
 * Every step's instances for a cycle launched for `academicYear`. Throws TimelineError naming the step whose
 * deadline cannot be computed.
 */
export function computeStepTimes(template: CycleTemplate, academicYear: number): Map<string, StepInstanceTimes[]> {
  const located = locateSteps(template);
  const baseShift = academicYear - programmeFirstYear(template);
  const calendarOptions = template.productionCalendar ?? {};
  const done = new Map<string, StepInstanceTimes[]>();
  const inProgress = new Set<string>();

  const timesOf = (stepId: string, chain: string[]): StepInstanceTimes[] => {
    const known = done.get(stepId);
    if (known) return known;
    const location = located.get(stepId);
    if (!location) throw new TimelineError('', `шаг «${stepId}» не найден`);
    const { step, path } = location;
    if (inProgress.has(stepId)) {
      throw new TimelineError(`${path}/deadline`, `сроки «after» образуют цикл: ${[...chain, stepId].join(' → ')}`);
    }
    inProgress.add(stepId);
    const instances: StepInstanceTimes[] = [];
    if (isRepeatedWithinYear(step.repeat)) {
      // One window of whole months, unrolled into its periods; it is not repeated per programme year.
      if (!isRepeatWindowSpec(step.deadline)) throw new TimelineError(`${path}/deadline`, repeatWindowProblem(step.repeat));
      for (const { id, title, opensAt, dueLocal } of repeatPeriods(step.deadline, step.repeat, baseShift, calendarOptions)) {
        instances.push({ key: `${step.id}@${id}`, academicYear, period: { id, title }, opensAt, dueLocal });
      }
    } else if (isSetLaterSpec(step.deadline)) {
      // Dated once every other step is: see below.
      instances.push({ key: step.id, academicYear, setLater: step.deadline.setLater, dueLocal: '' });
    } else for (let k = 0; k < instanceCount(template, step); k++) {
      const year = academicYear + k;
      const window = windowOf(step.deadline, baseShift + k, k, path, [...chain, stepId]);
      instances.push({ key: instanceKey(step, year), academicYear: year, ...window });
    }
    inProgress.delete(stepId);
    done.set(stepId, instances);
    return instances;
  };

  const windowOf = (spec: DeadlineSpec, shift: number, k: number, path: string, chain: string[]): DeadlineWindow => {
    if (!isAfterSpec(spec)) return fixedWindow(spec as FixedDeadlineSpec, shift, false, calendarOptions);
    const ref = located.get(spec.after);
    if (!ref) throw new TimelineError(`${path}/deadline/after`, `шаг «${spec.after}» не найден`);
    if (isRepeatedWithinYear(ref.step.repeat)) throw new TimelineError(`${path}/deadline/after`, afterRepeatedProblem(ref.step));
    if (isSetLaterSpec(ref.step.deadline)) throw new TimelineError(`${path}/deadline/after`, afterSetLaterProblem(ref.step));
    const refInstances = timesOf(spec.after, chain);
    // A yearly step follows the same year's instance; a one-off reference is moved to the instance's year.
    const base = ref.step.repeat === 'yearly' && k < refInstances.length ? refInstances[k].dueLocal : shiftLocalByYears(refInstances[0].dueLocal, k);
    try {
      return { dueLocal: offsetLocal(base, spec.days, spec.calendar, spec.time, calendarOptions) };
    } catch (error) {
      if (!(error instanceof CalendarRangeError)) throw error;
      throw new TimelineError(
        `${path}/deadline`,
        `срок «через ${spec.days} раб. дн. после ${spec.after}» нельзя рассчитать: производственный календарь известен на ${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR} годы`,
      );
    }
  };

  for (const stepId of located.keys()) timesOf(stepId, []);
  // A date set later may be set up to the roadmap's last deadline.
  const all = [...done.values()].flat();
  const latest = all.reduce((max, instance) => (instance.setLater === undefined && instance.dueLocal > max ? instance.dueLocal : max), '');
  for (const instance of all) if (instance.setLater !== undefined) instance.dueLocal = latest;
  return done;
}

/** Why a step cannot count its deadline from one whose date is set while the cycle runs. */
export function afterSetLaterProblem(ref: TemplateStep): string {
  return `срок шага «${ref.id}» устанавливается позже («${(ref.deadline as { setLater: string }).setLater}»), от него нельзя отсчитывать другие сроки`;
}

const QUARTER_TITLES: Record<string, string> = { '12': 'IV квартал', '03': 'I квартал', '06': 'II квартал', '09': 'III квартал' };

/**
 * The monitoring periods of one instance of a monitoring step. A preset covers every programme year for a one-off
 * step, or the instance's own year for a yearly step: quarterly = the last weeks of December, March and June of the
 * academic year (September is the summer and the start of the next year's cycle, so it is left out); semiannual =
 * the last weeks of December and June, the two school half-years. A calendar-year programme reports by calendar
 * quarters (the last weeks of March, June, September and December: its year has no summer break to skip) and
 * calendar half-years (June, December), titled «I квартал 2021» … «IV квартал 2021», «I полугодие 2021».
 */
export function computePeriods(
  template: CycleTemplate,
  step: TemplateStep,
  path: string,
  instanceAcademicYear: number,
  launchAcademicYear: number,
): PeriodTimes[] {
  const cadence = step.monitoring?.cadence ?? 'quarterly';
  const shift = instanceAcademicYear - programmeFirstYear(template);
  const calendarYear = programmeYearKind(template) === 'calendar';
  if (typeof cadence === 'object') {
    return (cadence.periods ?? []).map((period: MonitoringPeriodSpec, index) => {
      const window = fixedWindow(period.window as FixedDeadlineSpec, shift, true, template.productionCalendar);
      const dueMonth = window.dueLocal.slice(0, 7);
      return {
        id: dueMonth,
        title: `${period.title}, ${monthNameRu(dueMonth)}`,
        opensAt: window.opensAt ?? window.dueLocal,
        dueLocal: window.dueLocal,
        path: `${path}/monitoring/cadence/periods/${index}`,
      };
    });
  }
  const years =
    step.repeat === 'yearly'
      ? [instanceAcademicYear]
      : Array.from({ length: Math.max(1, template.programme.years) }, (_, i) => launchAcademicYear + i);
  const periods: PeriodTimes[] = [];
  for (const year of years) {
    const months = calendarYear
      ? (cadence === 'semiannual' ? ['06', '12'] : ['03', '06', '09', '12']).map((m) => `${year}-${m}`)
      : cadence === 'semiannual'
        ? [`${year}-12`, `${year + 1}-06`]
        : [`${year}-12`, `${year + 1}-03`, `${year + 1}-06`];
    for (const month of months) {
      const window = fixedWindow({ lastWeekOf: month }, 0, false, template.productionCalendar);
      const firstHalf = calendarYear ? month.endsWith('-06') : month.endsWith('-12');
      const title =
        cadence === 'semiannual'
          ? `${firstHalf ? 'I' : 'II'} полугодие ${calendarYear ? year : `${year}/${year + 1}`}`
          : `${QUARTER_TITLES[month.slice(5, 7)]} ${month.slice(0, 4)}`;
      periods.push({ id: month, title, opensAt: window.opensAt!, dueLocal: window.dueLocal, path: `${path}/monitoring` });
    }
  }
  return periods;
}

/** Why a monthly or quarterly step's deadline cannot be its window. */
export function repeatWindowProblem(repeat: 'monthly' | 'quarterly'): string {
  const per = repeat === 'monthly' ? 'каждый месяц' : 'каждый квартал';
  return (
    `шаг повторяется ${REPEAT_NAMES_RU[repeat]} (repeat: ${repeat}): это работа в течение периода с отчётом за ${per}, ` +
    `и срок задаёт весь период целыми месяцами — months: { from: '2020-09', to: '2021-05' } или month: '2020-09'; ` +
    'дата, последняя неделя месяца или after не говорят, с какого месяца начинать отчёты'
  );
}

/** Why a deadline cannot count from a monthly or quarterly step. */
export function afterRepeatedProblem(ref: TemplateStep): string {
  return (
    `срок нельзя отсчитывать от шага «${ref.id}»: он повторяется ${REPEAT_NAMES_RU[ref.repeat!]} (repeat: ${ref.repeat}) ` +
    'и имеет свой срок в каждом периоде; укажите дату или отсчитывайте от другого шага'
  );
}
