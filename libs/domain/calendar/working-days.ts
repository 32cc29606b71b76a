/**
 * Working-day arithmetic over the Russian production calendar.
 *
 * Sandbox-safe for Temporal workflows: no imports beyond the calendar data, no clock, no randomness, no local time.
 * Dates are plain 'YYYY-MM-DD' strings; internally a date is its day number since 1970-01-01 (UTC).
 */
import {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  RU_PRODUCTION_CALENDAR,
  type CalendarOptions,
  type IsoDate,
} from './ru-production-calendar.data';

/** A date (or year) the production calendar does not cover; answering anyway could silently break a legal deadline. */
export class CalendarRangeError extends RangeError {
  override readonly name = 'CalendarRangeError';
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const COVERED_RANGE = `${CALENDAR_FIRST_YEAR}-01-01..${CALENDAR_LAST_YEAR}-12-31`;

function dayNumberOf(year: number, month: number, day: number): number | undefined {
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999.
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  const isRealDate = utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day;
  return isRealDate ? utc.getTime() / MS_PER_DAY : undefined;
}

function toDayNumber(value: unknown): number | undefined {
  const match = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  return match ? dayNumberOf(Number(match[1]), Number(match[2]), Number(match[3])) : undefined;
}

function parse(date: IsoDate): number {
  const day = toDayNumber(date);
  if (day === undefined) throw new TypeError(`'${String(date)}' is not a calendar date of the form YYYY-MM-DD`);
  return day;
}

function format(day: number): IsoDate {
  const iso = new Date(day * MS_PER_DAY).toISOString();
  // Years outside 0000–9999 come out as "+010000-…" or "-000001-…", which are not IsoDates.
  if (iso.length !== 24) throw new RangeError(`day ${day} is outside the years 0000–9999`);
  return iso.slice(0, 10);
}

function isSaturdayOrSunday(day: number): boolean {
  const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  return weekday === 0 || weekday === 6;
}

const FIRST_DAY = dayNumberOf(CALENDAR_FIRST_YEAR, 1, 1) as number;
const LAST_DAY = dayNumberOf(CALENDAR_LAST_YEAR, 12, 31) as number;

// One flag per covered day, built once: lookups stay O(1) and the data is interpreted in exactly one place.
// IS_WORKING follows the Government's calendar alone; a decree's non-working day is working there.
const IS_WORKING: readonly boolean[] = (() => {
  const table: boolean[] = [];
  for (let day = FIRST_DAY; day <= LAST_DAY; day++) table.push(!isSaturdayOrSunday(day));
  for (let year = CALENDAR_FIRST_YEAR; year <= CALENDAR_LAST_YEAR; year++) {
    const { daysOff, workingWeekends } = RU_PRODUCTION_CALENDAR[year];
    for (const date of daysOff) table[parse(date) - FIRST_DAY] = false;
    for (const date of workingWeekends) table[parse(date) - FIRST_DAY] = true;
  }
  return table;
})();

/** Covered-day index → the presidential decree that made that day non-working. */
const DECREE_OF_DAY: ReadonlyMap<number, string> = new Map(
  Object.values(RU_PRODUCTION_CALENDAR).flatMap(({ decreeNonWorkingDays }) =>
    decreeNonWorkingDays.flatMap(({ dates, basis }) => dates.map((date): [number, string] => [parse(date) - FIRST_DAY, basis])),
  ),
);

const SHORTENED_DAYS: ReadonlySet<IsoDate> = new Set(Object.values(RU_PRODUCTION_CALENDAR).flatMap((year) => year.shortenedDays));

const END_OF_FULL_DAY = '18:00';
const END_OF_SHORTENED_DAY = '17:00';

/** The day's index into IS_WORKING; throws rather than guess about a day the calendar does not cover. */
function coveredIndex(day: number): number {
  if (day < FIRST_DAY || day > LAST_DAY) {
    throw new CalendarRangeError(`${format(day)} is outside the production calendar, which covers ${COVERED_RANGE}`);
  }
  return day - FIRST_DAY;
}

function isWorkingDayNumber(day: number, options: CalendarOptions): boolean {
  const index = coveredIndex(day);
  if (!IS_WORKING[index]) return false;
  return options.decreeNonWorkingDays === 'working' || !DECREE_OF_DAY.has(index);
}

function requireInteger(n: number, name: string): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${name} must be an integer, got ${String(n)}`);
}

/** True for a strict 'YYYY-MM-DD' string naming a real date (no 2023-02-29, no time part, no padding omitted). */
export function isValidIsoDate(value: string): boolean {
  return toDayNumber(value) !== undefined;
}

/**
 * `options.decreeNonWorkingDays` says how a «нерабочий день по указу Президента» (2020–2021) counts here and in every
 * function below that takes options: 'non-working' unless 'working' is asked for.
 */
export function isWorkingDay(date: IsoDate, options: CalendarOptions = {}): boolean {
  return isWorkingDayNumber(parse(date), options);
}

/** The presidential decree that made `date` a non-working day («Указ Президента РФ от … № …»), if one did. */
export function decreeNonWorkingDayBasis(date: IsoDate): string | undefined {
  const day = parse(date);
  return day < FIRST_DAY || day > LAST_DAY ? undefined : DECREE_OF_DAY.get(day - FIRST_DAY);
}

/** The date itself when it is a working day, else the first working day after it. */
export function nextWorkingDay(date: IsoDate, options: CalendarOptions = {}): IsoDate {
  let day = parse(date);
  while (!isWorkingDayNumber(day, options)) day++;
  return format(day);
}

/** The date itself when it is a working day, else the last working day before it. */
export function previousWorkingDay(date: IsoDate, options: CalendarOptions = {}): IsoDate {
  let day = parse(date);
  while (!isWorkingDayNumber(day, options)) day--;
  return format(day);
}

/**
 * When a deadline «by the end of the day» on `date` falls, local 'HH:mm': 17:00 on a pre-holiday working day, which
 * is an hour shorter (Labour Code art. 95), otherwise 18:00. A non-working day gets 18:00 as well; the deadline moves
 * to the next working day anyway (see resolveDeadline). So does a date outside the covered years, or a string that is
 * not a date: no shortened day is known there, and whatever counts working days with that date rejects it.
 */
export function endOfWorkingDay(date: IsoDate, options: CalendarOptions = {}): string {
  return SHORTENED_DAYS.has(date) && isWorkingDay(date, options) ? END_OF_SHORTENED_DAY : END_OF_FULL_DAY;
}

/**
 * n > 0: the n-th working day after `date`; n < 0: the |n|-th working day before it; n = 0: nextWorkingDay(date).
 * `date` itself never counts, whether or not it is a working day.
 */
export function addWorkingDays(date: IsoDate, n: number, options: CalendarOptions = {}): IsoDate {
  requireInteger(n, 'n');
  if (n === 0) return nextWorkingDay(date, options);
  const step = n > 0 ? 1 : -1;
  let day = parse(date);
  coveredIndex(day); // an out-of-range start must fail even when the answer would land inside the range
  for (let remaining = Math.abs(n); remaining > 0; ) {
    day += step;
    if (isWorkingDayNumber(day, options)) remaining--;
  }
  return format(day);
}

/**
 * The working days after `from` up to and including `to` (`from` itself never counts), negative when `to` is before
 * `from`: 3 from Friday to the next Wednesday. The one count behind «осталось 3 рабочих дня» in a reminder, a task's
 * working days left on the inbox and the working days a deadline was missed by.
 */
export function workingDaysBetween(from: IsoDate, to: IsoDate, options: CalendarOptions = {}): number {
  const [start, end, sign] = to >= from ? [parse(from), parse(to), 1] : [parse(to), parse(from), -1];
  coveredIndex(start);
  coveredIndex(end);
  let count = 0;
  for (let day = start + 1; day <= end; day++) if (isWorkingDayNumber(day, options)) count++;
  return sign * count;
}

/** Plain date arithmetic; it ignores the production calendar and so works for any year 0000–9999. */
export function addCalendarDays(date: IsoDate, n: number): IsoDate {
  requireInteger(n, 'n');
  return format(parse(date) + n);
}

export function workingDaysInYear(year: number, options: CalendarOptions = {}): number {
  if (!Number.isInteger(year)) throw new TypeError(`year must be an integer, got ${String(year)}`);
  if (year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR) {
    throw new CalendarRangeError(`year ${year} is outside the production calendar, which covers ${COVERED_RANGE}`);
  }
  const first = dayNumberOf(year, 1, 1) as number;
  const last = dayNumberOf(year, 12, 31) as number;
  let count = 0;
  for (let day = first; day <= last; day++) if (isWorkingDayNumber(day, options)) count++;
  return count;
}
