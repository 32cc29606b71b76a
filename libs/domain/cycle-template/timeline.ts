/**
 * When each step (and each yearly instance, and each monitoring period) of a template opens and is due, for one
 * academic year. Shared by validation (which needs the dates to compare stages) and resolution.
 */
import type {
  CycleTemplate,
  DeadlineSpec,
  MonitoringPeriodSpec,
  TemplateStep,
} from '../../contracts/cycle-template';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, CalendarRangeError } from '../calendar';
import {
  fixedWindow,
  isAfterSpec,
  monthNameRu,
  offsetLocal,
  shiftLocalByYears,
  type DeadlineWindow,
  type FixedDeadlineSpec,
} from './dates';

export interface StepInstanceTimes extends DeadlineWindow {
  /** 'step-id' or 'step-id@2019' for a yearly step's instance. */
  key: string;
  /** The academic year this instance belongs to. */
  academicYear: number;
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
  const baseShift = academicYear - template.programme.firstAcademicYear;
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
    for (let k = 0; k < instanceCount(template, step); k++) {
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
  return done;
}

const QUARTER_TITLES: Record<string, string> = { '12': 'IV квартал', '03': 'I квартал', '06': 'II квартал', '09': 'III квартал' };

/**
 * The monitoring periods of one instance of a monitoring step. A preset covers every programme year for a one-off
 * step, or the instance's own academic year for a yearly step: quarterly = the last weeks of December, March and
 * June of the academic year (September is the summer and the start of the next year's cycle, so it is left out);
 * semiannual = the last weeks of December and June, the two school half-years.
 */
export function computePeriods(
  template: CycleTemplate,
  step: TemplateStep,
  path: string,
  instanceAcademicYear: number,
  launchAcademicYear: number,
): PeriodTimes[] {
  const cadence = step.monitoring?.cadence ?? 'quarterly';
  const shift = instanceAcademicYear - template.programme.firstAcademicYear;
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
    const months = cadence === 'semiannual' ? [`${year}-12`, `${year + 1}-06`] : [`${year}-12`, `${year + 1}-03`, `${year + 1}-06`];
    for (const month of months) {
      const window = fixedWindow({ lastWeekOf: month }, 0, false, template.productionCalendar);
      const title =
        cadence === 'semiannual'
          ? `${month.endsWith('-12') ? 'I' : 'II'} полугодие ${year}/${year + 1}`
          : `${QUARTER_TITLES[month.slice(5, 7)]} ${month.slice(0, 4)}`;
      periods.push({ id: month, title, opensAt: window.opensAt!, dueLocal: window.dueLocal, path: `${path}/monitoring` });
    }
  }
  return periods;
}
