/**
 * «Муниципалитеты с наибольшим риском просрочек»: the cycle dashboard's ranking of municipalities by their record in
 * the cycle so far. Pure, deterministic and sandbox-safe (no I/O, no Node modules): the same input and `asOf` give the
 * same output in any row order; ties are broken by municipality id in code-point order, never by locale.
 *
 * A municipality's tasks are those assigned to it and to its schools (the assignee is whose delay it is, as on the
 * dashboard's heat table). Per task, cancelled tasks aside:
 * - it is **assessed** once its deadline has come: completed, open past its deadline, or escalated (an escalation
 *   means the deadline passed, even if an extension has moved it since); open tasks not yet due say nothing yet;
 * - it is **late** when completed after its deadline or open past it; its lateness in working days is counted by the
 *   production calendar in the task's zone, from the deadline's day to the completion's day (or to `asOf`'s day),
 *   and is at least 1 once the deadline has passed (a task a few hours late the same day is 1 working day late);
 * - its **escalations** are the escalation e-mails the outbox recorded for it (the curators' copies are not extra
 *   escalations).
 *
 * Components (each scaled to 0..1) and the score, 0..1:
 *   overdueShare              = late / assessed
 *   escalationsPerTask        = escalations / assessed,       scaled by min(1, x / 2)   (2 = the default ladder fired
 *                                                                                        in full for every task)
 *   averageLatenessWorkingDays = Σ lateness / late,           scaled by min(1, x / 10)  (two working weeks)
 *   score = 0.5 × overdueShare + 0.25 × escalations + 0.25 × lateness, rounded to 4 decimals
 * How often a municipality is late carries half the weight; how far it lets things slide (escalations up the ladder,
 * days of delay) the other half. With fewer than `minAssessedTasks` (default 3) assessed tasks the row is flagged
 * `insufficientData` and ranked after every row with enough data: one late task out of one says little.
 * Rank (1-based, unique): rows with enough data first; then score, highest first; then municipality id.
 * Level: `high` from 0.4, `medium` from 0.15, else `low`; `insufficient_data` when flagged.
 *
 * The reasons are Russian sentences for the dashboard, e.g. «просрочено 3 задачи из 8 (38 %)», «эскалаций: 2»,
 * «средняя просрочка 4,5 рабочих дня». The formula is documented in README.md beside this file.
 */
import { DateTime } from 'luxon';
import type { TaskStatus } from '../../contracts/deadline-task';
import { CalendarRangeError, workingDaysBetween } from '../calendar';
import { countOf, formatRussianNumber, NOUNS, plural, type RussianForms } from '../russian';

export interface LatenessRiskTask {
  /** Unique within the input. */
  taskId: string;
  status: TaskStatus;
  /** The deadline in force (after extensions), an ISO instant. */
  dueAt: string;
  /** When a completed task was completed, an ISO instant; null or absent while open. */
  completedAt?: string | null;
  /** The task's zone: its working days are counted by the local dates there. */
  timeZone: string;
  /** Escalation e-mails the outbox recorded for the task (curators' copies not counted). */
  escalations: number;
}

export interface LatenessRiskMunicipality {
  /** Unique within the input. */
  municipalityId: string;
  name: string;
  /** Its own tasks and its schools' tasks in the cycle. */
  tasks: LatenessRiskTask[];
}

export interface LatenessRiskOptions {
  /** The moment the ranking describes, an ISO instant: «overdue now» means overdue at `asOf`. */
  asOf: string;
  /** Fewer assessed tasks than this flags the row as insufficient data. Default 3. */
  minAssessedTasks?: number;
}

export type LatenessRiskLevel = 'high' | 'medium' | 'low' | 'insufficient_data';

export interface LatenessRiskCounts {
  /** Tasks in the cycle, cancelled ones left out. */
  tasks: number;
  /** Tasks whose deadline has come: completed, overdue or escalated. */
  assessed: number;
  /** Completed late or open past the deadline. */
  late: number;
  /** Open past the deadline at `asOf`. */
  openOverdue: number;
  completedLate: number;
  /** Open and not yet due: not part of the score. */
  notYetDue: number;
  escalations: number;
  /** The longest an open task is overdue, in working days; 0 when none is. */
  maxOverdueWorkingDays: number;
}

export interface LatenessRiskComponents {
  /** late / assessed, 0..1. */
  overdueShare: number;
  /** escalations / assessed. */
  escalationsPerTask: number;
  /** Mean lateness of the late tasks in working days; 0 when none is late. */
  averageLatenessWorkingDays: number;
}

export interface LatenessRiskRow {
  municipalityId: string;
  name: string;
  /** 1-based and unique. */
  rank: number;
  /** 0..1, four decimals. */
  score: number;
  level: LatenessRiskLevel;
  insufficientData: boolean;
  counts: LatenessRiskCounts;
  /** As measured (four decimals). */
  components: LatenessRiskComponents;
  /** Each component scaled to 0..1 and multiplied by its weight: they add up to the score (before rounding). */
  contributions: { overdue: number; escalations: number; lateness: number };
  /** Russian sentences explaining the row. */
  reasons: string[];
}

export const LATENESS_RISK_WEIGHTS = { overdue: 0.5, escalations: 0.25, lateness: 0.25 } as const;
/** A component at or above its cap scores 1. */
export const LATENESS_RISK_CAPS = { escalationsPerTask: 2, averageLatenessWorkingDays: 10 } as const;
export const LATENESS_RISK_LEVELS = { high: 0.4, medium: 0.15 } as const;
export const DEFAULT_MIN_ASSESSED_TASKS = 3;

// «просрочено 3 задачи» as the officials' reports write it (with 2–4 the neuter is as correct as the plural).
const OVERDUE_VERB: RussianForms = { one: 'просрочена', few: 'просрочено', many: 'просрочено' };
const DONE_VERB: RussianForms = { one: 'выполнена', few: 'выполнены', many: 'выполнено' };
const OVERDUE_TASK: RussianForms = { one: 'просроченная задача', few: 'просроченные задачи', many: 'просроченных задач' };
/** «у 1 задачи», «из 2 задач», «из 21 задачи». */
const TASK_GENITIVE: RussianForms = { one: 'задачи', few: 'задач', many: 'задач' };

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Working days a deadline was missed by, as of `atIso`: the working days after the deadline's local day up to and
 * including `atIso`'s local day, in `timeZone` — at least 1 once `atIso` is past the deadline, 0 before it. The same
 * count as a task's `workingDaysLeft` (negated) on the inbox. Outside the production calendar's years, calendar days.
 */
export function workingDaysLate(dueAtIso: string, atIso: string, timeZone: string): number {
  const due = DateTime.fromISO(dueAtIso, { zone: timeZone });
  const at = DateTime.fromISO(atIso, { zone: timeZone });
  if (!due.isValid || !at.isValid) throw new RangeError(`invalid instant: ${dueAtIso} / ${atIso}`);
  if (at.toMillis() <= due.toMillis()) return 0;
  const from = due.toISODate() as string;
  const to = at.toISODate() as string;
  let days: number;
  try {
    days = workingDaysBetween(from, to);
  } catch (err) {
    if (!(err instanceof CalendarRangeError)) throw err;
    days = Math.round(DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days);
  }
  return Math.max(1, days);
}

interface Tally extends LatenessRiskCounts {
  lateDaysSum: number;
}

function tally(tasks: LatenessRiskTask[], asOfMs: number, asOf: string): Tally {
  const t: Tally = {
    tasks: 0,
    assessed: 0,
    late: 0,
    openOverdue: 0,
    completedLate: 0,
    notYetDue: 0,
    escalations: 0,
    maxOverdueWorkingDays: 0,
    lateDaysSum: 0,
  };
  for (const task of tasks) {
    if (task.status === 'cancelled') continue;
    const escalations = Math.max(0, Math.floor(task.escalations));
    t.tasks += 1;
    t.escalations += escalations;
    const dueMs = Date.parse(task.dueAt);
    if (task.status === 'completed') {
      t.assessed += 1;
      // A completed task without its completion time cannot be shown late: it counts as on time.
      const lateDays = task.completedAt ? workingDaysLate(task.dueAt, task.completedAt, task.timeZone) : 0;
      if (lateDays > 0) {
        t.late += 1;
        t.completedLate += 1;
        t.lateDaysSum += lateDays;
      }
    } else if (dueMs < asOfMs) {
      const lateDays = workingDaysLate(task.dueAt, asOf, task.timeZone);
      t.assessed += 1;
      t.late += 1;
      t.openOverdue += 1;
      t.lateDaysSum += lateDays;
      t.maxOverdueWorkingDays = Math.max(t.maxOverdueWorkingDays, lateDays);
    } else if (escalations > 0) {
      // Escalated, then extended: its deadline came once, so it counts, though it is not late now.
      t.assessed += 1;
    } else {
      t.notYetDue += 1;
    }
  }
  return t;
}

function reasonsOf(t: Tally, components: LatenessRiskComponents, insufficient: boolean, minAssessed: number): string[] {
  const reasons: string[] = [];
  if (t.tasks === 0) return ['в цикле нет задач муниципалитета и его школ'];
  if (insufficient) {
    reasons.push(
      t.assessed === 0
        ? `мало данных для оценки: срок ещё не наступил ни у одной из ${countOf(t.tasks, TASK_GENITIVE)}`
        : `мало данных для оценки: срок наступил у ${countOf(t.assessed, TASK_GENITIVE)} из ${formatRussianNumber(t.tasks)}, ` +
            `нужно не меньше ${formatRussianNumber(minAssessed)}`,
    );
  }
  if (t.assessed === 0) return reasons;
  if (t.late === 0) {
    reasons.push(`просроченных задач нет: в срок ${formatRussianNumber(t.assessed)} из ${formatRussianNumber(t.assessed)}`);
  } else {
    const percent = formatRussianNumber(Math.round(components.overdueShare * 100), 0);
    reasons.push(
      `${plural(t.late, OVERDUE_VERB)} ${countOf(t.late, NOUNS.task)} из ${formatRussianNumber(t.assessed)} (${percent}\u00a0%)`,
    );
  }
  if (t.openOverdue > 0) {
    const longest = `${countOf(t.maxOverdueWorkingDays, NOUNS.workingDay)} после срока`;
    const still = `ещё не ${plural(t.openOverdue, DONE_VERB)} ${countOf(t.openOverdue, OVERDUE_TASK)}`;
    reasons.push(t.openOverdue === 1 ? `${still}: ${longest}` : `${still}, самая давняя — ${longest}`);
  }
  if (t.completedLate > 0) reasons.push(`с опозданием ${plural(t.completedLate, DONE_VERB)} ${countOf(t.completedLate, NOUNS.task)}`);
  if (t.escalations > 0) reasons.push(`эскалаций: ${formatRussianNumber(t.escalations)}`);
  if (t.late > 0) {
    // Rounded before choosing the noun's form, so that «4,5 рабочих дня» and «1 рабочий день» agree with what is shown.
    reasons.push(`средняя просрочка ${countOf(round1(components.averageLatenessWorkingDays), NOUNS.workingDay)}`);
  }
  return reasons;
}

function levelOf(score: number, insufficient: boolean): LatenessRiskLevel {
  if (insufficient) return 'insufficient_data';
  if (score >= LATENESS_RISK_LEVELS.high) return 'high';
  if (score >= LATENESS_RISK_LEVELS.medium) return 'medium';
  return 'low';
}

/** Ranks the municipalities by their risk of being late; see the file's header for the formula. */
export function rankLatenessRisk(municipalities: LatenessRiskMunicipality[], options: LatenessRiskOptions): LatenessRiskRow[] {
  const asOfMs = Date.parse(options.asOf);
  if (Number.isNaN(asOfMs)) throw new RangeError(`asOf is not an instant: ${options.asOf}`);
  const minAssessed = options.minAssessedTasks ?? DEFAULT_MIN_ASSESSED_TASKS;
  if (!Number.isInteger(minAssessed) || minAssessed < 1) throw new RangeError(`minAssessedTasks must be a positive integer: ${minAssessed}`);

  const seenMunicipalities = new Set<string>();
  const seenTasks = new Set<string>();
  for (const m of municipalities) {
    if (seenMunicipalities.has(m.municipalityId)) throw new RangeError(`municipality ${m.municipalityId} is listed twice`);
    seenMunicipalities.add(m.municipalityId);
    for (const task of m.tasks) {
      if (seenTasks.has(task.taskId)) throw new RangeError(`task ${task.taskId} is listed twice`);
      seenTasks.add(task.taskId);
    }
  }

  const rows = municipalities.map((m): Omit<LatenessRiskRow, 'rank'> => {
    const t = tally(m.tasks, asOfMs, options.asOf);
    const overdueShare = t.assessed > 0 ? t.late / t.assessed : 0;
    const escalationsPerTask = t.assessed > 0 ? t.escalations / t.assessed : 0;
    const averageLatenessWorkingDays = t.late > 0 ? t.lateDaysSum / t.late : 0;
    const contributions = {
      overdue: LATENESS_RISK_WEIGHTS.overdue * overdueShare,
      escalations: LATENESS_RISK_WEIGHTS.escalations * Math.min(1, escalationsPerTask / LATENESS_RISK_CAPS.escalationsPerTask),
      lateness: LATENESS_RISK_WEIGHTS.lateness * Math.min(1, averageLatenessWorkingDays / LATENESS_RISK_CAPS.averageLatenessWorkingDays),
    };
    const score = round4(contributions.overdue + contributions.escalations + contributions.lateness);
    const insufficientData = t.assessed < minAssessed;
    const components = { overdueShare, escalationsPerTask, averageLatenessWorkingDays };
    const counts: LatenessRiskCounts = {
      tasks: t.tasks,
      assessed: t.assessed,
      late: t.late,
      openOverdue: t.openOverdue,
      completedLate: t.completedLate,
      notYetDue: t.notYetDue,
      escalations: t.escalations,
      maxOverdueWorkingDays: t.maxOverdueWorkingDays,
    };
    return {
      municipalityId: m.municipalityId,
      name: m.name,
      score,
      level: levelOf(score, insufficientData),
      insufficientData,
      counts,
      components: {
        overdueShare: round4(overdueShare),
        escalationsPerTask: round4(escalationsPerTask),
        averageLatenessWorkingDays: round4(averageLatenessWorkingDays),
      },
      contributions: {
        overdue: round4(contributions.overdue),
        escalations: round4(contributions.escalations),
        lateness: round4(contributions.lateness),
      },
      reasons: reasonsOf(t, components, insufficientData, minAssessed),
    };
  });

  rows.sort(
    (a, b) =>
      Number(a.insufficientData) - Number(b.insufficientData) ||
      b.score - a.score ||
      (a.municipalityId < b.municipalityId ? -1 : a.municipalityId > b.municipalityId ? 1 : 0),
  );
  return rows.map((row, i) => ({ rank: i + 1, ...row }));
}
