import { readFileSync } from 'fs';
import { join } from 'path';
import {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  CalendarRangeError,
  RU_PRODUCTION_CALENDAR,
  addCalendarDays,
  addWorkingDays,
  decreeNonWorkingDayBasis,
  endOfWorkingDay,
  isValidIsoDate,
  isWorkingDay,
  nextWorkingDay,
  previousWorkingDay,
  workingDaysBetween,
  workingDaysInYear,
} from '../../libs/domain/calendar';

const YEARS = Array.from({ length: CALENDAR_LAST_YEAR - CALENDAR_FIRST_YEAR + 1 }, (_, i) => CALENDAR_FIRST_YEAR + i);
const DECREE_DAYS_WORKING = { decreeNonWorkingDays: 'working' } as const;
const DECREE_DAYS_OFF = { decreeNonWorkingDays: 'non-working' } as const;

/** Every «нерабочий день по указу Президента» on a weekday, written out independently of the data. */
const DECREE_WEEKDAYS: ReadonlyArray<[string, string]> = [
  ...weekdaysBetween('2020-03-30', '2020-04-03').map((d): [string, string] => [d, 'Указ Президента РФ от 25.03.2020 № 206']),
  ...weekdaysBetween('2020-04-04', '2020-04-30').map((d): [string, string] => [d, 'Указ Президента РФ от 02.04.2020 № 239']),
  ...weekdaysBetween('2020-05-06', '2020-05-08').map((d): [string, string] => [d, 'Указ Президента РФ от 28.04.2020 № 294']),
  ['2020-06-24', 'Указ Президента РФ от 29.05.2020 № 345'],
  ['2020-07-01', 'Указ Президента РФ от 01.06.2020 № 354'],
  ...weekdaysBetween('2021-05-04', '2021-05-07').map((d): [string, string] => [d, 'Указ Президента РФ от 23.04.2021 № 242']),
  ...weekdaysBetween('2021-11-01', '2021-11-03').map((d): [string, string] => [d, 'Указ Президента РФ от 20.10.2021 № 595']),
];

/** Labour Code art. 112, part 1. */
const PUBLIC_HOLIDAYS: ReadonlyArray<[string, string]> = [
  ['01-01', 'New Year holidays'],
  ['01-02', 'New Year holidays'],
  ['01-03', 'New Year holidays'],
  ['01-04', 'New Year holidays'],
  ['01-05', 'New Year holidays'],
  ['01-06', 'New Year holidays'],
  ['01-07', 'Orthodox Christmas'],
  ['01-08', 'New Year holidays'],
  ['02-23', 'Defender of the Fatherland Day'],
  ['03-08', "International Women's Day"],
  ['05-01', 'Spring and Labour Day'],
  ['05-09', 'Victory Day'],
  ['06-12', 'Russia Day'],
  ['11-04', 'Unity Day'],
];

/** 0 = Sunday … 6 = Saturday; computed independently of the library under test. */
function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function datesBetween(first: string, last: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

function everyDateOf(year: number): string[] {
  return datesBetween(`${year}-01-01`, `${year}-12-31`);
}

function weekdaysBetween(first: string, last: string): string[] {
  return datesBetween(first, last).filter((date) => weekday(date) !== 0 && weekday(date) !== 6);
}

function decreeDatesOf(year: number): string[] {
  return RU_PRODUCTION_CALENDAR[year].decreeNonWorkingDays.flatMap((decree) => [...decree.dates]);
}

describe('the production calendar data', () => {
  it('has one entry for every year from 2017 to 2027', () => {
    expect(CALENDAR_FIRST_YEAR).toBe(2017);
    expect(CALENDAR_LAST_YEAR).toBe(2027);
    expect(Object.keys(RU_PRODUCTION_CALENDAR).map(Number)).toEqual(YEARS);
    for (const year of YEARS) expect(RU_PRODUCTION_CALENDAR[year].year).toBe(year);
  });

  it.each(YEARS)('names the government decree for %i', (year) => {
    expect(RU_PRODUCTION_CALENDAR[year].basis).toMatch(/^Постановление Правительства РФ от \d{2}\.\d{2}\.\d{4} № \d+$/);
  });

  it.each(YEARS)('lists for %i only weekdays as days off and only weekends as working days, sorted, within the year', (year) => {
    const { daysOff, workingWeekends, shortenedDays } = RU_PRODUCTION_CALENDAR[year];
    for (const list of [daysOff, workingWeekends, shortenedDays]) {
      for (const date of list) {
        expect(isValidIsoDate(date)).toBe(true);
        expect(date.startsWith(`${year}-`)).toBe(true);
      }
      expect([...new Set(list)].sort()).toEqual(list);
    }
    for (const date of daysOff) expect([1, 2, 3, 4, 5]).toContain(weekday(date));
    for (const date of workingWeekends) expect([0, 6]).toContain(weekday(date));
  });

  it.each(YEARS)('marks every shortened pre-holiday day of %i as a working day, unless a decree made it non-working', (year) => {
    for (const date of RU_PRODUCTION_CALENDAR[year].shortenedDays) {
      expect(isWorkingDay(date, DECREE_DAYS_WORKING)).toBe(true);
      expect([date, isWorkingDay(date)]).toEqual([date, decreeNonWorkingDayBasis(date) === undefined]);
    }
  });

  it('lists the presidential decrees\' non-working weekdays of 2020 and 2021, and no others', () => {
    const listed = YEARS.flatMap((year) =>
      RU_PRODUCTION_CALENDAR[year].decreeNonWorkingDays.flatMap(({ dates, basis }) => dates.map((date) => [date, basis])),
    );
    expect(listed).toEqual(DECREE_WEEKDAYS);
  });

  it.each(YEARS)('lists for %i decree days only on weekdays the Government\'s calendar has as working, sorted', (year) => {
    for (const { dates, basis } of RU_PRODUCTION_CALENDAR[year].decreeNonWorkingDays) {
      expect(basis).toMatch(/^Указ Президента РФ от \d{2}\.\d{2}\.\d{4} № \d+$/);
      expect([...new Set(dates)].sort()).toEqual(dates);
      for (const date of dates) {
        expect(date.startsWith(`${year}-`)).toBe(true);
        expect([1, 2, 3, 4, 5]).toContain(weekday(date));
        expect(RU_PRODUCTION_CALENDAR[year].daysOff).not.toContain(date);
      }
    }
  });

  it('cannot be altered at run time, since workflows share it', () => {
    expect(Object.isFrozen(RU_PRODUCTION_CALENDAR)).toBe(true);
    expect(Object.isFrozen(RU_PRODUCTION_CALENDAR[2025])).toBe(true);
    expect(Object.isFrozen(RU_PRODUCTION_CALENDAR[2025].daysOff)).toBe(true);
    expect(Object.isFrozen(RU_PRODUCTION_CALENDAR[2020].decreeNonWorkingDays)).toBe(true);
    expect(Object.isFrozen(RU_PRODUCTION_CALENDAR[2020].decreeNonWorkingDays[0])).toBe(true);
    expect(Object.isFrozen(RU_PRODUCTION_CALENDAR[2020].decreeNonWorkingDays[0].dates)).toBe(true);
  });

  it('stays importable from a Temporal workflow: no imports outside the calendar, no clock, no randomness', () => {
    const dir = join(__dirname, '../../libs/domain/calendar');
    for (const file of ['ru-production-calendar.data.ts', 'working-days.ts', 'index.ts']) {
      const source = readFileSync(join(dir, file), 'utf8');
      const specifiers = [...source.matchAll(/(?:from|require\()\s*'([^']+)'/g)].map((m) => m[1]);
      for (const specifier of specifiers) expect(specifier).toMatch(/^\.\/(ru-production-calendar\.data|working-days)$/);
      expect(source).not.toMatch(/Date\.now|new Date\(\)|Math\.random|performance\.now|process\./);
      expect(source).not.toMatch(/\.get(FullYear|Month|Date|Day|Hours)\(|setFullYear|setDate\(/);
    }
  });
});

describe('isWorkingDay', () => {
  it('treats an ordinary Monday to Friday as working and Saturday and Sunday as days off', () => {
    for (const date of ['2025-07-14', '2025-07-15', '2025-07-16', '2025-07-17', '2025-07-18']) {
      expect(isWorkingDay(date)).toBe(true);
    }
    expect(isWorkingDay('2025-07-19')).toBe(false);
    expect(isWorkingDay('2025-07-20')).toBe(false);
  });

  it.each(PUBLIC_HOLIDAYS)('never treats %s (%s) as a working day in any year', (monthDay) => {
    for (const year of YEARS) expect(isWorkingDay(`${year}-${monthDay}`)).toBe(false);
  });

  it.each(YEARS)('matches for %i a calendar rebuilt from the data by hand, with decree days off or worked', (year) => {
    const { daysOff, workingWeekends } = RU_PRODUCTION_CALENDAR[year];
    const decreeDays = decreeDatesOf(year);
    for (const date of everyDateOf(year)) {
      const weekend = weekday(date) === 0 || weekday(date) === 6;
      const governmentCalendar = weekend ? workingWeekends.includes(date) : !daysOff.includes(date);
      expect([date, isWorkingDay(date, DECREE_DAYS_WORKING)]).toEqual([date, governmentCalendar]);
      expect([date, isWorkingDay(date)]).toEqual([date, governmentCalendar && !decreeDays.includes(date)]);
      expect([date, isWorkingDay(date, DECREE_DAYS_OFF)]).toEqual([date, governmentCalendar && !decreeDays.includes(date)]);
    }
  });

  it.each(['2018-04-28', '2018-06-09', '2018-12-29', '2021-02-20', '2022-03-05', '2024-04-27', '2024-11-02', '2024-12-28', '2025-11-01', '2027-02-20'])(
    'treats the Saturday %s as a working day because its day off was transferred',
    (date) => {
      expect(weekday(date)).toBe(6);
      expect(isWorkingDay(date)).toBe(true);
    },
  );

  it.each([
    ['2024-04-29', 'Saturday 27 April 2024'],
    ['2024-04-30', 'Saturday 2 November 2024'],
    ['2024-05-10', 'Saturday 6 January 2024'],
    ['2024-12-30', 'Saturday 28 December 2024'],
    ['2024-12-31', 'Sunday 7 January 2024'],
    ['2025-05-02', 'Saturday 4 January 2025'],
    ['2025-05-08', 'Sunday 23 February 2025'],
    ['2025-06-13', 'Saturday 8 March 2025'],
    ['2025-11-03', 'Saturday 1 November 2025'],
    ['2025-12-31', 'Sunday 5 January 2025'],
    ['2026-01-09', 'Saturday 3 January 2026'],
    ['2026-12-31', 'Sunday 4 January 2026'],
    ['2027-11-05', 'Saturday 2 January 2027'],
    ['2027-12-31', 'Sunday 3 January 2027'],
  ])('treats %s as a day off transferred from %s', (date) => {
    expect(isWorkingDay(date)).toBe(false);
  });

  it('moves a holiday falling on a weekend to the next weekday unless the decree sent it elsewhere', () => {
    expect(isWorkingDay('2026-03-09')).toBe(false); // 8 March 2026 is a Sunday
    expect(isWorkingDay('2026-05-11')).toBe(false); // 9 May 2026 is a Saturday
    expect(isWorkingDay('2023-11-06')).toBe(false); // 4 November 2023 is a Saturday
    expect(isWorkingDay('2025-02-24')).toBe(true); // 23 February 2025 went to 8 May
    expect(isWorkingDay('2025-03-10')).toBe(true); // 8 March 2025 went to 13 June
    expect(isWorkingDay('2019-02-25')).toBe(true); // 23 February 2019 went to 10 May
  });

  it('does not move a New Year holiday on a weekend unless the decree does', () => {
    // 7 January 2023 was a Saturday; the 2023 decree moved only 1 and 8 January.
    expect(isWorkingDay('2023-01-09')).toBe(true);
  });

  it('keeps 1–11 January 2026 off and returns to work on 12 January', () => {
    for (let day = 1; day <= 11; day++) expect(isWorkingDay(`2026-01-${String(day).padStart(2, '0')}`)).toBe(false);
    expect(isWorkingDay('2026-01-12')).toBe(true);
  });
});

describe('nextWorkingDay', () => {
  it('returns a working day unchanged', () => {
    expect(nextWorkingDay('2025-07-15')).toBe('2025-07-15');
    expect(nextWorkingDay('2024-12-28')).toBe('2024-12-28');
  });

  it('moves a deadline on 31 December past the New Year holidays', () => {
    expect(nextWorkingDay('2025-12-31')).toBe('2026-01-12');
    expect(nextWorkingDay('2024-12-29')).toBe('2025-01-09');
    expect(nextWorkingDay('2026-12-31')).toBe('2027-01-11');
  });

  it('moves a deadline on 8 March to the first working day after the holiday', () => {
    expect(nextWorkingDay('2026-03-08')).toBe('2026-03-10'); // Sunday; Monday 9 March is off too
    expect(nextWorkingDay('2025-03-08')).toBe('2025-03-10'); // Saturday; the day off went to 13 June
    expect(nextWorkingDay('2024-03-08')).toBe('2024-03-11'); // Friday
  });

  it('skips a whole run of May holidays', () => {
    expect(nextWorkingDay('2025-05-01')).toBe('2025-05-05');
    expect(nextWorkingDay('2025-05-08')).toBe('2025-05-12');
  });
});

describe('previousWorkingDay', () => {
  it('returns a working day unchanged', () => {
    expect(previousWorkingDay('2025-07-15')).toBe('2025-07-15');
  });

  it('goes back to the last working day before a run of days off', () => {
    expect(previousWorkingDay('2026-01-11')).toBe('2025-12-30');
    expect(previousWorkingDay('2025-05-04')).toBe('2025-04-30');
    expect(previousWorkingDay('2025-11-04')).toBe('2025-11-01'); // a working Saturday
  });
});

describe('addWorkingDays', () => {
  it('counts only working days and never the start date', () => {
    expect(addWorkingDays('2025-07-14', 5)).toBe('2025-07-21');
    expect(addWorkingDays('2025-07-19', 1)).toBe('2025-07-21'); // Saturday start
  });

  it('with n = 0 behaves like nextWorkingDay', () => {
    expect(addWorkingDays('2025-07-15', 0)).toBe('2025-07-15');
    expect(addWorkingDays('2026-01-01', 0)).toBe('2026-01-12');
  });

  it('crosses the New Year holidays forwards', () => {
    expect(addWorkingDays('2025-12-30', 1)).toBe('2026-01-12');
    expect(addWorkingDays('2025-12-26', 3)).toBe('2026-01-12');
    expect(addWorkingDays('2025-12-26', 10)).toBe('2026-01-21');
    expect(addWorkingDays('2024-12-27', 1)).toBe('2024-12-28'); // working Saturday
    expect(addWorkingDays('2024-12-27', 2)).toBe('2025-01-09');
  });

  it('crosses the New Year holidays backwards', () => {
    expect(addWorkingDays('2026-01-12', -1)).toBe('2025-12-30');
    expect(addWorkingDays('2026-01-05', -1)).toBe('2025-12-30');
    expect(addWorkingDays('2025-01-09', -2)).toBe('2024-12-27');
  });

  it('undoes itself from any working day, whether decree days are off or worked', () => {
    for (const options of [DECREE_DAYS_OFF, DECREE_DAYS_WORKING]) {
      for (const start of ['2017-01-09', '2018-12-29', '2020-03-27', '2020-05-12', '2024-04-27', '2025-12-30', '2027-06-15']) {
        for (const n of [1, 7, 30, 60]) expect(addWorkingDays(addWorkingDays(start, n, options), -n, options)).toBe(start);
      }
    }
    for (const n of [1, 7, 30]) expect(addWorkingDays(addWorkingDays('2020-05-06', n, DECREE_DAYS_WORKING), -n, DECREE_DAYS_WORKING)).toBe('2020-05-06');
  });

  it('rejects a non-integer count', () => {
    expect(() => addWorkingDays('2025-07-15', 1.5)).toThrow(RangeError);
    expect(() => addWorkingDays('2025-07-15', Number.NaN)).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts the working days after the first date up to and including the second', () => {
    // Friday 27 November 2026 to Wednesday 2 December: Monday, Tuesday, Wednesday.
    expect(workingDaysBetween('2026-11-27', '2026-12-02')).toBe(3);
    expect(workingDaysBetween('2026-12-02', '2026-11-27')).toBe(-3);
    expect(workingDaysBetween('2026-12-02', '2026-12-02')).toBe(0);
  });

  it('skips the new-year holidays and the decree day off of 31 December 2026', () => {
    // 30 December (Wednesday) to 11 January 2027: 31 December and 1–10 January are days off, 11 January works.
    expect(workingDaysBetween('2026-12-30', '2027-01-11')).toBe(1);
  });

  it('refuses dates outside the production calendar', () => {
    expect(() => workingDaysBetween('2026-12-30', '2031-01-11')).toThrow(CalendarRangeError);
  });
});

describe('addCalendarDays', () => {
  it('adds and subtracts plain days across month, leap-day and year boundaries', () => {
    expect(addCalendarDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addCalendarDays('2025-03-01', -1)).toBe('2025-02-28');
    expect(addCalendarDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addCalendarDays('2025-07-15', 0)).toBe('2025-07-15');
    expect(addCalendarDays('2025-01-01', 365)).toBe('2026-01-01');
  });

  it('ignores the production calendar, so it works outside the covered years', () => {
    expect(addCalendarDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addCalendarDays('0050-01-01', -1)).toBe('0049-12-31');
  });

  it('rejects a non-integer count', () => {
    expect(() => addCalendarDays('2025-07-15', 0.5)).toThrow(RangeError);
  });
});

describe('workingDaysInYear', () => {
  // The totals published with each year's calendar, five-day week. Those of 2020 and 2021 predate the presidential
  // decrees and count their non-working days as working days; КонсультантПлюс and xmlcalendar.ru count the same
  // totals, less the decree days they have since marked off.
  const PUBLISHED: ReadonlyArray<[number, number]> = [
    [2017, 247],
    [2018, 247],
    [2019, 247],
    [2020, 248],
    [2021, 247],
    [2022, 247],
    [2023, 247],
    [2024, 248],
    [2025, 247],
    [2026, 247],
    [2027, 247],
  ];

  it.each(PUBLISHED)('%i has %i working days with decree days worked, as officially published', (year, total) => {
    expect(workingDaysInYear(year, DECREE_DAYS_WORKING)).toBe(total);
  });

  it.each(PUBLISHED)('%i has its published total less its decree weekdays by default (%i published)', (year, total) => {
    const decreeWeekdays = DECREE_WEEKDAYS.filter(([date]) => date.startsWith(`${year}-`)).length;
    expect(workingDaysInYear(year)).toBe(total - decreeWeekdays);
    expect(workingDaysInYear(year, DECREE_DAYS_OFF)).toBe(total - decreeWeekdays);
  });

  it('counts 219 working days in 2020 and 240 in 2021 when the decrees\' days are off', () => {
    expect(workingDaysInYear(2020)).toBe(219); // 248 less 29: 30.03–30.04 (24), 06–08.05 (3), 24.06, 01.07
    expect(workingDaysInYear(2021)).toBe(240); // 247 less 7: 04–07.05 (4), 01–03.11 (3)
  });

  it('rejects years the calendar does not cover', () => {
    expect(() => workingDaysInYear(2016)).toThrow(CalendarRangeError);
    expect(() => workingDaysInYear(2028)).toThrow(CalendarRangeError);
    expect(() => workingDaysInYear(2025.5)).toThrow(TypeError);
  });
});

describe('a presidential decree\'s non-working day («нерабочий день по указу Президента»)', () => {
  it.each(DECREE_WEEKDAYS)('counts %s as non-working by default and as working when asked, naming %s', (date, basis) => {
    expect(isWorkingDay(date)).toBe(false);
    expect(isWorkingDay(date, DECREE_DAYS_OFF)).toBe(false);
    expect(isWorkingDay(date, DECREE_DAYS_WORKING)).toBe(true);
    expect(decreeNonWorkingDayBasis(date)).toBe(basis);
  });

  it('names no decree for any other day, nor for a day outside the calendar', () => {
    const decreeDays = new Set(DECREE_WEEKDAYS.map(([date]) => date));
    for (const year of YEARS) {
      for (const date of everyDateOf(year)) if (!decreeDays.has(date)) expect([date, decreeNonWorkingDayBasis(date)]).toEqual([date, undefined]);
    }
    expect(decreeNonWorkingDayBasis('2016-12-30')).toBeUndefined();
    expect(() => decreeNonWorkingDayBasis('2020-13-01')).toThrow(TypeError);
  });

  it('moves a deadline past the whole non-working spring of 2020, or not at all when decree days are worked', () => {
    expect(nextWorkingDay('2020-03-30')).toBe('2020-05-12');
    expect(nextWorkingDay('2020-04-30')).toBe('2020-05-12');
    expect(nextWorkingDay('2020-03-30', DECREE_DAYS_WORKING)).toBe('2020-03-30');
    expect(nextWorkingDay('2020-06-24')).toBe('2020-06-25');
    expect(nextWorkingDay('2020-07-01')).toBe('2020-07-02');
    expect(nextWorkingDay('2021-05-04')).toBe('2021-05-11');
    expect(nextWorkingDay('2021-05-04', DECREE_DAYS_WORKING)).toBe('2021-05-04');
    expect(nextWorkingDay('2021-11-01')).toBe('2021-11-08');
    expect(nextWorkingDay('2021-11-01', DECREE_DAYS_WORKING)).toBe('2021-11-01');
  });

  it('goes back over decree days to the last working day before them', () => {
    expect(previousWorkingDay('2020-05-08')).toBe('2020-03-27');
    expect(previousWorkingDay('2020-05-08', DECREE_DAYS_WORKING)).toBe('2020-05-08');
    expect(previousWorkingDay('2021-11-07')).toBe('2021-10-29');
    expect(previousWorkingDay('2021-11-07', DECREE_DAYS_WORKING)).toBe('2021-11-03');
  });

  it('skips decree days when counting working days, unless they are worked', () => {
    expect(addWorkingDays('2020-03-27', 1)).toBe('2020-05-12');
    expect(addWorkingDays('2020-03-27', 1, DECREE_DAYS_WORKING)).toBe('2020-03-30');
    expect(addWorkingDays('2021-04-30', 1)).toBe('2021-05-11');
    expect(addWorkingDays('2021-04-30', 1, DECREE_DAYS_WORKING)).toBe('2021-05-04');
    expect(addWorkingDays('2020-05-12', -1)).toBe('2020-03-27');
    expect(addWorkingDays('2020-05-12', -1, DECREE_DAYS_WORKING)).toBe('2020-05-08');
    expect(addWorkingDays('2020-04-15', 0)).toBe('2020-05-12');
  });
});

describe('endOfWorkingDay', () => {
  it.each(YEARS)('ends every shortened pre-holiday day of %i at 17:00 and every other day at 18:00', (year) => {
    const { shortenedDays } = RU_PRODUCTION_CALENDAR[year];
    for (const date of everyDateOf(year)) {
      const shortened = shortenedDays.includes(date);
      expect([date, endOfWorkingDay(date, DECREE_DAYS_WORKING)]).toEqual([date, shortened ? '17:00' : '18:00']);
      const worked = shortened && decreeNonWorkingDayBasis(date) === undefined;
      expect([date, endOfWorkingDay(date)]).toEqual([date, worked ? '17:00' : '18:00']);
    }
  });

  it('ends the eves of 8 March, 1 May, 12 June and 4 November an hour early', () => {
    expect(endOfWorkingDay('2026-04-30')).toBe('17:00');
    expect(endOfWorkingDay('2026-05-08')).toBe('17:00');
    expect(endOfWorkingDay('2025-03-07')).toBe('17:00');
    expect(endOfWorkingDay('2024-11-02')).toBe('17:00'); // a working Saturday
    expect(endOfWorkingDay('2026-04-29')).toBe('18:00');
  });

  it('gives a decree day that was also a pre-holiday day 17:00 only when decree days are worked', () => {
    for (const date of ['2020-04-30', '2020-05-08', '2021-11-03']) {
      expect(endOfWorkingDay(date)).toBe('18:00');
      expect(endOfWorkingDay(date, DECREE_DAYS_WORKING)).toBe('17:00');
    }
  });

  it('keeps full the last working days of 2021 and 2024, before days off moved to 31 December, as published', () => {
    expect(endOfWorkingDay('2021-12-30')).toBe('18:00');
    expect(endOfWorkingDay('2024-12-28')).toBe('18:00');
  });

  it('answers 18:00 where it knows no shortened day: weekends, other years, strings that are not dates', () => {
    expect(endOfWorkingDay('2026-05-09')).toBe('18:00');
    expect(endOfWorkingDay('2028-04-28')).toBe('18:00');
    expect(endOfWorkingDay('2026-02-30')).toBe('18:00');
    expect(endOfWorkingDay('')).toBe('18:00');
  });
});

describe('invalid input', () => {
  it.each(['2024-02-29', '2017-01-01', '2027-12-31', '0001-01-01'])('accepts %s as a valid ISO date', (value) => {
    expect(isValidIsoDate(value)).toBe(true);
  });

  it.each(['2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '2024-01-00', '2024-1-01', '24-01-01', '20240101', '31.12.2025', '2024-01-01T00:00', ' 2024-01-01', ''])(
    'rejects %j as an ISO date',
    (value) => {
      expect(isValidIsoDate(value)).toBe(false);
    },
  );

  it('throws a TypeError for a malformed date', () => {
    expect(() => isWorkingDay('2025-02-30')).toThrow(TypeError);
    expect(() => nextWorkingDay('31.12.2025')).toThrow(TypeError);
    expect(() => previousWorkingDay('2025-1-1')).toThrow(TypeError);
    expect(() => addWorkingDays('', 1)).toThrow(TypeError);
    expect(() => addCalendarDays('tomorrow', 1)).toThrow(TypeError);
    expect(() => isWorkingDay(undefined as unknown as string)).toThrow(TypeError);
  });

  it('throws a CalendarRangeError naming the date and the covered range outside 2017–2027', () => {
    expect(() => isWorkingDay('2016-12-31')).toThrow(CalendarRangeError);
    expect(() => isWorkingDay('2028-01-01')).toThrow(CalendarRangeError);
    expect(() => isWorkingDay('2016-12-31')).toThrow('2016-12-31 is outside the production calendar, which covers 2017-01-01..2027-12-31');
    expect(() => isWorkingDay('2016-12-31')).toThrow(RangeError);
  });

  it('throws a CalendarRangeError when the answer lies beyond the covered range', () => {
    expect(() => nextWorkingDay('2027-12-31')).toThrow('2028-01-01 is outside the production calendar');
    expect(() => previousWorkingDay('2017-01-08')).toThrow(CalendarRangeError);
    expect(() => addWorkingDays('2027-12-30', 1)).toThrow(CalendarRangeError);
    expect(() => addWorkingDays('2016-12-30', 1)).toThrow(CalendarRangeError);
  });

  it('still answers at the very edges of the range', () => {
    expect(nextWorkingDay('2017-01-01')).toBe('2017-01-09');
    expect(previousWorkingDay('2027-12-31')).toBe('2027-12-30');
  });
});
