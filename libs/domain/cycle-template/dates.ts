/**
 * Date forms of roadmap deadlines, turned into local date-times. Pure and sandbox-safe: plain string arithmetic
 * plus the production calendar; no clock, no time zone (the zone is applied later by resolveDeadline).
 */
import type { DeadlineSpec, IsoDate, IsoMonth } from '../../contracts/cycle-template';
import {
  addCalendarDays,
  addWorkingDays,
  CalendarRangeError,
  endOfWorkingDay,
  isValidIsoDate,
  previousWorkingDay,
  type CalendarOptions,
} from '../calendar';

/** A window ("last week of June", a monitoring date) opens this many days before its last day. */
export const WINDOW_LEAD_DAYS = 7;

const ISO_MONTH = /^(\d{4})-(\d{2})$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const MONTHS_NOMINATIVE = [
  'январь', 'февраль', 'март', 'апрель', 'май', 'июнь',
  'июль', 'август', 'сентябрь', 'октябрь', 'ноябрь', 'декабрь',
];

export function isValidIsoMonth(value: unknown): value is IsoMonth {
  if (typeof value !== 'string') return false;
  const match = ISO_MONTH.exec(value);
  return match !== null && Number(match[2]) >= 1 && Number(match[2]) <= 12;
}

export function isValidDeadlineTime(value: unknown): boolean {
  return typeof value === 'string' && LOCAL_TIME.test(value);
}

export { isValidIsoDate };

export function monthNameRu(month: IsoMonth): string {
  return `${MONTHS_NOMINATIVE[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

export function lastDayOfMonth(month: IsoMonth): IsoDate {
  const year = Number(month.slice(0, 4));
  const monthIndex = Number(month.slice(5, 7));
  const next = monthIndex === 12 ? `${pad(year + 1, 4)}-01-01` : `${month.slice(0, 4)}-${pad(monthIndex + 1)}-01`;
  return addCalendarDays(next, -1);
}

/** 29 February shifted to a common year becomes 28 February: a deadline must stay inside its month. */
export function shiftDateByYears(date: IsoDate, years: number): IsoDate {
  if (years === 0) return date;
  const year = Number(date.slice(0, 4)) + years;
  const month = `${pad(year, 4)}-${date.slice(5, 7)}`;
  const day = Math.min(Number(date.slice(8, 10)), Number(lastDayOfMonth(month).slice(8, 10)));
  return `${month}-${pad(day)}`;
}

export function shiftMonthByYears(month: IsoMonth, years: number): IsoMonth {
  return `${pad(Number(month.slice(0, 4)) + years, 4)}-${month.slice(5, 7)}`;
}

/** Shifts the date part of a local 'YYYY-MM-DDTHH:mm:ss' by whole years. */
export function shiftLocalByYears(local: string, years: number): string {
  return `${shiftDateByYears(local.slice(0, 10), years)}${local.slice(10)}`;
}

export function toLocal(date: IsoDate, time: string): string {
  return `${date}T${time.length === 5 ? `${time}:00` : time}`;
}

/** When a step or period may start and when it is due, both local, before the non-working-day shift. */
export interface DeadlineWindow {
  opensAt?: string;
  dueLocal: string;
}

export type FixedDeadlineSpec = Exclude<DeadlineSpec, { after: string } | { setLater: string }>;

export type SetLaterSpec = Extract<DeadlineSpec, { setLater: string }>;

/** «По специальному графику»: the ministry sets the date while the cycle runs. */
export function isSetLaterSpec(spec: DeadlineSpec | undefined): spec is SetLaterSpec {
  return typeof spec === 'object' && spec !== null && 'setLater' in spec;
}

export function isAfterSpec(spec: DeadlineSpec): spec is Extract<DeadlineSpec, { after: string }> {
  return typeof (spec as { after?: unknown }).after === 'string';
}

/**
 * The window of a deadline written as a date, a month, a range of months or the last week of a month, with every
 * date moved by `yearShift` years. A bare date has no opening: the task is issued as soon as its stage opens.
 * Without a `time`, the deadline is the end of that working day (`options` are the template's production calendar).
 */
export function fixedWindow(spec: FixedDeadlineSpec, yearShift: number, openBareDates = false, options: CalendarOptions = {}): DeadlineWindow {
  const dueOn = (date: IsoDate): string => toLocal(date, spec.time ?? endOfWorkingDay(date, options));
  if ('date' in spec) {
    const date = shiftDateByYears(spec.date, yearShift);
    const dueLocal = dueOn(date);
    return openBareDates ? { opensAt: toLocal(addCalendarDays(date, -WINDOW_LEAD_DAYS), '00:00'), dueLocal } : { dueLocal };
  }
  if ('month' in spec) {
    const month = shiftMonthByYears(spec.month, yearShift);
    return { opensAt: toLocal(`${month}-01`, '00:00'), dueLocal: dueOn(lastDayOfMonth(month)) };
  }
  if ('months' in spec) {
    const from = shiftMonthByYears(spec.months.from, yearShift);
    const to = shiftMonthByYears(spec.months.to, yearShift);
    return { opensAt: toLocal(`${from}-01`, '00:00'), dueLocal: dueOn(lastDayOfMonth(to)) };
  }
  const month = shiftMonthByYears(spec.lastWeekOf, yearShift);
  const last = lastDayOfMonth(month);
  return { opensAt: toLocal(addCalendarDays(last, -WINDOW_LEAD_DAYS), '00:00'), dueLocal: dueOn(last) };
}

const QUARTER_NUMERALS = ['I', 'II', 'III', 'IV'];

/** «IV квартал 2020» for quarter 4 (1–4, calendar quarters). */
export function quarterTitleRu(year: number, quarter: number): string {
  return `${QUARTER_NUMERALS[quarter - 1]} квартал ${year}`;
}

function nextMonth(month: IsoMonth): IsoMonth {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${pad(year + 1, 4)}-01` : `${month.slice(0, 4)}-${pad(m + 1)}`;
}

/** One period of a step repeated monthly or quarterly. */
export interface RepeatPeriod {
  /** '2020-09' for a month, '2020-Q4' for a calendar quarter: unique within the step and safe in workflow and task ids. */
  id: string;
  /** «сентябрь 2020», «IV квартал 2020». */
  title: string;
  opensAt: string;
  dueLocal: string;
}

/** The deadline forms that can carry a repeated step's window: whole months. */
export type RepeatWindowSpec = Extract<DeadlineSpec, { month: IsoMonth }> | Extract<DeadlineSpec, { months: { from: IsoMonth; to: IsoMonth } }>;

export function isRepeatWindowSpec(spec: DeadlineSpec | undefined): spec is RepeatWindowSpec {
  return typeof spec === 'object' && spec !== null && ('month' in spec || 'months' in spec);
}

/**
 * Continuous work over a window of whole months («в течение года»), reported once per calendar month or calendar
 * quarter. Each period opens on its first day inside the window and is due at the end of its last *working* day
 * inside it: a deadline on the period's last calendar day would be moved past a weekend into the next period. A
 * quarter cut by the window keeps its name. A day the production calendar does not cover is left as the last
 * calendar day, so that the launch refuses it by name, as it refuses every other date outside the calendar.
 */
export function repeatPeriods(
  spec: RepeatWindowSpec,
  repeat: 'monthly' | 'quarterly',
  yearShift: number,
  options: CalendarOptions = {},
): RepeatPeriod[] {
  const from = shiftMonthByYears('month' in spec ? spec.month : spec.months.from, yearShift);
  const to = shiftMonthByYears('month' in spec ? spec.month : spec.months.to, yearShift);
  const groups: { id: string; title: string; months: IsoMonth[] }[] = [];
  for (let month = from; month <= to; month = nextMonth(month)) {
    const year = Number(month.slice(0, 4));
    const quarter = Math.ceil(Number(month.slice(5, 7)) / 3);
    const id = repeat === 'monthly' ? month : `${month.slice(0, 4)}-Q${quarter}`;
    const last = groups[groups.length - 1];
    if (last?.id === id) last.months.push(month);
    else groups.push({ id, title: repeat === 'monthly' ? monthNameRu(month) : quarterTitleRu(year, quarter), months: [month] });
  }
  return groups.map(({ id, title, months }) => {
    const first = `${months[0]}-01`;
    const end = lastDayOfMonth(months[months.length - 1]);
    let due = end;
    try {
      const working = previousWorkingDay(end, options);
      if (working >= first) due = working;
    } catch (error) {
      if (!(error instanceof CalendarRangeError)) throw error;
    }
    return { id, title, opensAt: toLocal(first, '00:00'), dueLocal: toLocal(due, spec.time ?? endOfWorkingDay(due, options)) };
  });
}

/** «N days after another step's deadline»: counted from that deadline's date as written (before any shift). */
export function offsetLocal(
  baseLocal: string,
  days: number,
  calendar: 'working' | 'calendar' | undefined,
  time?: string,
  options: CalendarOptions = {},
): string {
  const baseDate = baseLocal.slice(0, 10);
  const date = (calendar ?? 'working') === 'working' ? addWorkingDays(baseDate, days, options) : addCalendarDays(baseDate, days);
  return toLocal(date, time ?? endOfWorkingDay(date, options));
}

/** Renders 'YYYY-MM-DD' as the official writes it: 12.08.2020. */
export function formatDateRu(date: IsoDate): string {
  return `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;
}
