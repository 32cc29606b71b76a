/**
 * The official Russian production calendar (производственный календарь), five-day week, 2017–2027.
 *
 * Sandbox-safe: plain data, no imports. Temporal workflow code reads it.
 *
 * Listing rule: only exceptions to the plain Mon–Fri week are stored.
 *  - `daysOff` holds weekdays (Mon–Fri) only. A holiday that falls on a Saturday or Sunday is not listed because the
 *    day is off anyway; the weekday that takes its place (art. 112 part 2 of the Labour Code, or the decree) is listed.
 *  - `workingWeekends` holds Saturdays/Sundays only.
 *  - `decreeNonWorkingDays` holds weekdays only, and none of them is in `daysOff`.
 * The unit tests enforce this rule, so a typo that lands on the wrong weekday fails loudly.
 *
 * `daysOff` and `workingWeekends` follow art. 112 of the Labour Code and the yearly Government decree «О переносе
 * выходных дней». The presidential «нерабочие дни с сохранением заработной платы» of 2020–2021 are a kind of their
 * own: neither weekends nor holidays within art. 112. The calendars of 2020 and 2021 as first published, from the
 * Government's decrees alone, count them as working days (248 and 247 working days; the presidential decrees came
 * later); КонсультантПлюс and xmlcalendar.ru have since marked them non-working. Each user of the calendar chooses
 * which it needs (CalendarOptions).
 *
 * Compared day by day with xmlcalendar.ru's files (2017–2027), КонсультантПлюс's calendars as parsed by
 * github.com/d10xa/holidays-calendar (2017–2025) and the npm package prod-cal 3.0.8 (2017–2025): days off, working
 * weekends and shortened days agree, apart from the decree days and two errors of prod-cal (10.03.2025 off, 30.12.2021
 * shortened). xmlcalendar.ru's 2027 file is dated 02.09.2026, two weeks before the decree named in `basis`.
 */

/** 'YYYY-MM-DD', a date in the Gregorian calendar with no time zone. */
export type IsoDate = string;

export interface ProductionCalendarYear {
  year: number;
  /** Weekdays (Mon–Fri) that are days off: public holidays per Labour Code art. 112 and days off moved there by government decree. */
  daysOff: readonly IsoDate[];
  /** Saturdays/Sundays that are working days because a day off was transferred from them. */
  workingWeekends: readonly IsoDate[];
  /**
   * Working days immediately before a non-working holiday, one hour shorter (Labour Code art. 95): the working day
   * ends at 17:00 instead of 18:00. A decree's non-working day among them is shortened only where it is worked.
   */
  shortenedDays: readonly IsoDate[];
  /** «Нерабочие дни по указу Президента»: weekdays off with pay kept, by presidential decree (2020–2021 only). */
  decreeNonWorkingDays: readonly PresidentialDecreeDays[];
  /** The legal basis: the Government decree (постановление Правительства РФ) number and date, in Russian. */
  basis: string;
}

/** Weekdays one presidential decree made non-working (weekends it also named were off anyway). */
export interface PresidentialDecreeDays {
  dates: readonly IsoDate[];
  /** «Указ Президента РФ от 25.03.2020 № 206», in Russian. */
  basis: string;
}

/**
 * How a «нерабочий день по указу Президента» counts: 'non-working' (the default) as a day off, as the calendars
 * published since mark it; 'working' as a working day, as the working-time norms of 2020 and 2021 count it.
 */
export type DecreeNonWorkingDaysMode = 'non-working' | 'working';

export interface CalendarOptions {
  /** Default 'non-working'. */
  decreeNonWorkingDays?: DecreeNonWorkingDaysMode;
}

export const CALENDAR_FIRST_YEAR = 2017;
export const CALENDAR_LAST_YEAR = 2027;

// Comments after a date say why a weekday is off when it is not itself a holiday of art. 112.
const YEARS: readonly ProductionCalendarYear[] = [
  {
    year: 2017,
    daysOff: [
      '2017-01-02', '2017-01-03', '2017-01-04', '2017-01-05', '2017-01-06',
      '2017-02-23',
      '2017-02-24', // from Sunday 1 January (decree)
      '2017-03-08',
      '2017-05-01',
      '2017-05-08', // from Saturday 7 January (decree)
      '2017-05-09',
      '2017-06-12',
      '2017-11-06', // 4 November is a Saturday (art. 112)
    ],
    workingWeekends: [],
    shortenedDays: ['2017-02-22', '2017-03-07', '2017-11-03'],
    decreeNonWorkingDays: [],
    basis: 'Постановление Правительства РФ от 04.08.2016 № 756',
  },
  {
    year: 2018,
    daysOff: [
      '2018-01-01', '2018-01-02', '2018-01-03', '2018-01-04', '2018-01-05', '2018-01-08',
      '2018-02-23',
      '2018-03-08',
      '2018-03-09', // from Saturday 6 January
      '2018-04-30', // from Saturday 28 April
      '2018-05-01',
      '2018-05-02', // from Sunday 7 January
      '2018-05-09',
      '2018-06-11', // from Saturday 9 June
      '2018-06-12',
      '2018-11-05', // 4 November is a Sunday
      '2018-12-31', // from Saturday 29 December
    ],
    workingWeekends: ['2018-04-28', '2018-06-09', '2018-12-29'],
    shortenedDays: ['2018-02-22', '2018-03-07', '2018-04-28', '2018-05-08', '2018-06-09', '2018-12-29'],
    decreeNonWorkingDays: [],
    basis: 'Постановление Правительства РФ от 14.10.2017 № 1250',
  },
  {
    year: 2019,
    daysOff: [
      '2019-01-01', '2019-01-02', '2019-01-03', '2019-01-04', '2019-01-07', '2019-01-08',
      '2019-03-08',
      '2019-05-01',
      '2019-05-02', // from Saturday 5 January
      '2019-05-03', // from Sunday 6 January
      '2019-05-09',
      '2019-05-10', // from Saturday 23 February
      '2019-06-12',
      '2019-11-04',
    ],
    workingWeekends: [],
    shortenedDays: ['2019-02-22', '2019-03-07', '2019-04-30', '2019-05-08', '2019-06-11', '2019-12-31'],
    decreeNonWorkingDays: [],
    basis: 'Постановление Правительства РФ от 01.10.2018 № 1163',
  },
  {
    year: 2020,
    daysOff: [
      '2020-01-01', '2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08',
      '2020-02-24', // 23 February is a Sunday
      '2020-03-09', // 8 March is a Sunday
      '2020-05-01',
      '2020-05-04', // from Saturday 4 January
      '2020-05-05', // from Sunday 5 January
      '2020-05-11', // 9 May is a Saturday
      '2020-06-12',
      '2020-11-04',
    ],
    workingWeekends: [],
    shortenedDays: ['2020-04-30', '2020-05-08', '2020-06-11', '2020-11-03', '2020-12-31'],
    decreeNonWorkingDays: [
      {
        dates: ['2020-03-30', '2020-03-31', '2020-04-01', '2020-04-02', '2020-04-03'],
        basis: 'Указ Президента РФ от 25.03.2020 № 206',
      },
      {
        dates: [
          '2020-04-06', '2020-04-07', '2020-04-08', '2020-04-09', '2020-04-10',
          '2020-04-13', '2020-04-14', '2020-04-15', '2020-04-16', '2020-04-17',
          '2020-04-20', '2020-04-21', '2020-04-22', '2020-04-23', '2020-04-24',
          '2020-04-27', '2020-04-28', '2020-04-29', '2020-04-30',
        ],
        basis: 'Указ Президента РФ от 02.04.2020 № 239',
      },
      { dates: ['2020-05-06', '2020-05-07', '2020-05-08'], basis: 'Указ Президента РФ от 28.04.2020 № 294' },
      { dates: ['2020-06-24'], basis: 'Указ Президента РФ от 29.05.2020 № 345' }, // the Victory Parade
      { dates: ['2020-07-01'], basis: 'Указ Президента РФ от 01.06.2020 № 354' }, // the constitutional vote
    ],
    basis: 'Постановление Правительства РФ от 10.07.2019 № 875',
  },
  {
    year: 2021,
    daysOff: [
      '2021-01-01', '2021-01-04', '2021-01-05', '2021-01-06', '2021-01-07', '2021-01-08',
      '2021-02-22', // from Saturday 20 February
      '2021-02-23',
      '2021-03-08',
      '2021-05-03', // 1 May is a Saturday
      '2021-05-10', // 9 May is a Sunday
      '2021-06-14', // 12 June is a Saturday
      '2021-11-04',
      '2021-11-05', // from Saturday 2 January
      '2021-12-31', // from Sunday 3 January
    ],
    workingWeekends: ['2021-02-20'],
    shortenedDays: ['2021-02-20', '2021-04-30', '2021-06-11', '2021-11-03'],
    decreeNonWorkingDays: [
      { dates: ['2021-05-04', '2021-05-05', '2021-05-06', '2021-05-07'], basis: 'Указ Президента РФ от 23.04.2021 № 242' },
      // The decree names 30 October – 7 November; the rest of those days were weekends, a holiday or a day off.
      { dates: ['2021-11-01', '2021-11-02', '2021-11-03'], basis: 'Указ Президента РФ от 20.10.2021 № 595' },
    ],
    basis: 'Постановление Правительства РФ от 10.10.2020 № 1648',
  },
  {
    year: 2022,
    daysOff: [
      '2022-01-03', '2022-01-04', '2022-01-05', '2022-01-06', '2022-01-07',
      '2022-02-23',
      '2022-03-07', // from Saturday 5 March
      '2022-03-08',
      '2022-05-02', // 1 May is a Sunday
      '2022-05-03', // from Saturday 1 January
      '2022-05-09',
      '2022-05-10', // from Sunday 2 January
      '2022-06-13', // 12 June is a Sunday
      '2022-11-04',
    ],
    workingWeekends: ['2022-03-05'],
    shortenedDays: ['2022-02-22', '2022-03-05', '2022-11-03'],
    decreeNonWorkingDays: [],
    basis: 'Постановление Правительства РФ от 16.09.2021 № 1564',
  },
  {
    year: 2023,
    daysOff: [
      '2023-01-02', '2023-01-03', '2023-01-04', '2023-01-05', '2023-01-06',
      '2023-02-23',
      '2023-02-24', // from Sunday 1 January
      '2023-03-08',
      '2023-05-01',
      '2023-05-08', // from Sunday 8 January
      '2023-05-09',
      '2023-06-12',
      '2023-11-06', // 4 November is a Saturday
    ],
    workingWeekends: [],
    shortenedDays: ['2023-02-22', '2023-03-07', '2023-11-03'],
    decreeNonWorkingDays: [],
    basis: 'Постановление Правительства РФ от 29.08.2022 № 1505',
  },
  {
    year: 2024,
    daysOff: [
      '2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08',
      '2024-02-23',
      '2024-03-08',
      '2024-04-29', // from Saturday 27 April
      '2024-04-30', // from Saturday 2 November
      '2024-05-01',
      '2024-05-09',
      '2024-05-10', // from Saturday 6 January
      '2024-06-12',
      '2024-11-04',
      '2024-12-30', // from Saturday 28 December
      '2024-12-31', // from Sunday 7 January
    ],
    workingWeekends: ['2024-04-27', '2024-11-02', '2024-12-28'],
    shortenedDays: ['2024-02-22', '2024-03-07', '2024-05-08', '2024-06-11', '2024-11-02'],
    decreeNonWorkingDays: [],
    basis: 'Постановление Правительства РФ от 10.08.2023 № 1314',
  },
  {
    year: 2025,
    daysOff: [
      '2025-01-01', '2025-01-02', '2025-01-03', '2025-01-06', '2025-01-07', '2025-01-08',
      '2025-05-01',
      '2025-05-02', // from Saturday 4 January
      '2025-05-08', // from Sunday 23 February (the decree, not the next Monday)
      '2025-05-09',
      '2025-06-12',
      '2025-06-13', // from Saturday 8 March (the decree, not the next Monday)
      '2025-11-03', // from Saturday 1 November
      '2025-11-04',
      '2025-12-31', // from Sunday 5 January
    ],
    workingWeekends: ['2025-11-01'],
    shortenedDays: ['2025-03-07', '2025-04-30', '2025-06-11', '2025-11-01'],
    decreeNonWorkingDays: [],
    basis: 'Постановление Правительства РФ от 04.10.2024 № 1335',
  },
  {
    year: 2026,
    daysOff: [
      '2026-01-01', '2026-01-02', '2026-01-05', '2026-01-06', '2026-01-07', '2026-01-08',
      '2026-01-09', // from Saturday 3 January
      '2026-02-23',
      '2026-03-09', // 8 March is a Sunday
      '2026-05-01',
      '2026-05-11', // 9 May is a Saturday
      '2026-06-12',
      '2026-11-04',
      '2026-12-31', // from Sunday 4 January
    ],
    workingWeekends: [],
    shortenedDays: ['2026-04-30', '2026-05-08', '2026-06-11', '2026-11-03'],
    decreeNonWorkingDays: [],
    basis: 'Постановление Правительства РФ от 24.09.2025 № 1466',
  },
  {
    // Only xmlcalendar.ru's file, which predates the decree, was at hand to compare with; the decree's text was not.
    year: 2027,
    daysOff: [
      '2027-01-01', '2027-01-04', '2027-01-05', '2027-01-06', '2027-01-07', '2027-01-08',
      '2027-02-22', // from Saturday 20 February
      '2027-02-23',
      '2027-03-08',
      '2027-05-03', // 1 May is a Saturday
      '2027-05-10', // 9 May is a Sunday
      '2027-06-14', // 12 June is a Saturday
      '2027-11-04',
      '2027-11-05', // from Saturday 2 January
      '2027-12-31', // from Sunday 3 January
    ],
    workingWeekends: ['2027-02-20'],
    shortenedDays: ['2027-02-20', '2027-04-30', '2027-06-11', '2027-11-03'],
    decreeNonWorkingDays: [],
    basis: 'Постановление Правительства РФ от 17.09.2026 № 1187',
  },
];

export const RU_PRODUCTION_CALENDAR: Readonly<Record<number, ProductionCalendarYear>> = Object.freeze(
  Object.fromEntries(
    YEARS.map((entry) => [
      entry.year,
      Object.freeze({
        ...entry,
        daysOff: Object.freeze([...entry.daysOff]),
        workingWeekends: Object.freeze([...entry.workingWeekends]),
        shortenedDays: Object.freeze([...entry.shortenedDays]),
        decreeNonWorkingDays: Object.freeze(
          entry.decreeNonWorkingDays.map((decree) => Object.freeze({ ...decree, dates: Object.freeze([...decree.dates]) })),
        ),
      }),
    ]),
  ),
);
