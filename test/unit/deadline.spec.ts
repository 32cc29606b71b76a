import type { NotificationPolicy } from '../../libs/contracts/deadline-task';
import { addCalendarDays, CalendarRangeError, endOfWorkingDay, isWorkingDay, nextWorkingDay } from '../../libs/domain/calendar';
import { buildNotificationSchedule, DeadlineError, resolveDeadline, resolveIssuedDeadline, validatePolicy } from '../../libs/domain/deadline';

const MOSCOW = 'Europe/Moscow';
const ORENBURG = 'Asia/Yekaterinburg'; // UTC+5, the zone Orenburg keeps

describe('resolveDeadline', () => {
  it('keeps a deadline on a working day as written, in the region’s own zone', () => {
    const moscow = resolveDeadline({ localDateTime: '2026-12-15T18:00', timeZone: MOSCOW, calendar: 'working-days' });
    const orenburg = resolveDeadline({ localDateTime: '2026-12-15T18:00', timeZone: ORENBURG, calendar: 'working-days' });
    expect(moscow.dueAt).toBe('2026-12-15T15:00:00Z');
    expect(orenburg.dueAt).toBe('2026-12-15T13:00:00Z');
    expect(moscow.movedFromNonWorkingDay).toBe(false);
    expect(moscow.localDateTime).toBe('2026-12-15T18:00:00');
  });

  it('moves a deadline on 8 March (a Sunday in 2026, with the 9th off) to Tuesday 10 March, same time', () => {
    const deadline = resolveDeadline({ localDateTime: '2026-03-08T12:00', timeZone: MOSCOW, calendar: 'working-days' });
    expect(deadline.localDateTime).toBe('2026-03-10T12:00:00');
    expect(deadline.dueAt).toBe('2026-03-10T09:00:00Z');
    expect(deadline.movedFromNonWorkingDay).toBe(true);
    expect(deadline.requested.localDateTime).toBe('2026-03-08T12:00');
  });

  it('moves a deadline on 31 December 2025 past the New Year holidays to 12 January 2026', () => {
    const deadline = resolveDeadline({ localDateTime: '2025-12-31T18:00', timeZone: ORENBURG, calendar: 'working-days' });
    expect(deadline.localDateTime).toBe('2026-01-12T18:00:00');
    expect(deadline.dueAt).toBe('2026-01-12T13:00:00Z');
  });

  it('moves a Saturday deadline to Monday but keeps a transferred working Saturday (28 December 2024)', () => {
    expect(resolveDeadline({ localDateTime: '2024-12-21T10:00', timeZone: MOSCOW, calendar: 'working-days' }).localDateTime).toBe(
      '2024-12-23T10:00:00',
    );
    expect(resolveDeadline({ localDateTime: '2024-12-28T10:00', timeZone: MOSCOW, calendar: 'working-days' }).localDateTime).toBe(
      '2024-12-28T10:00:00',
    );
  });

  it('does not move anything on a calendar-days deadline', () => {
    const deadline = resolveDeadline({ localDateTime: '2026-03-08T12:00', timeZone: MOSCOW, calendar: 'calendar-days' });
    expect(deadline.localDateTime).toBe('2026-03-08T12:00:00');
    expect(deadline.movedFromNonWorkingDay).toBe(false);
  });

  it.each([
    ['2026-02-30T10:00', MOSCOW],
    ['2026-12-15T25:00', MOSCOW],
    ['2026-12-15T18:00+03:00', MOSCOW],
    ['15.12.2026', MOSCOW],
    ['2026-12-15T18:00', 'Europe/Atlantis'],
    ['2026-12-15T18:00', 'UTC+3'],
  ])('refuses %s in %s', (localDateTime, timeZone) => {
    expect(() => resolveDeadline({ localDateTime, timeZone, calendar: 'working-days' })).toThrow(DeadlineError);
  });

  it('moves a deadline off a decree\'s non-working day by default, and keeps it there when decree days are worked', () => {
    const spring = resolveDeadline({ localDateTime: '2020-04-15T18:00', timeZone: MOSCOW, calendar: 'working-days' });
    expect(spring).toMatchObject({ localDateTime: '2020-05-12T18:00:00', movedFromNonWorkingDay: true });
    const explicit = resolveDeadline({ localDateTime: '2021-11-02T12:00', timeZone: MOSCOW, calendar: 'working-days', decreeNonWorkingDays: 'non-working' });
    expect(explicit).toMatchObject({ localDateTime: '2021-11-08T12:00:00', movedFromNonWorkingDay: true });
    const worked = resolveDeadline({ localDateTime: '2020-04-15T18:00', timeZone: MOSCOW, calendar: 'working-days', decreeNonWorkingDays: 'working' });
    expect(worked).toMatchObject({ localDateTime: '2020-04-15T18:00:00', movedFromNonWorkingDay: false });
    expect(worked.requested.decreeNonWorkingDays).toBe('working');
  });

  it('keeps the time written for a shortened pre-holiday day: the end of that day is 17:00 only when no time is given', () => {
    const eve = resolveDeadline({ localDateTime: `2026-04-30T${endOfWorkingDay('2026-04-30')}`, timeZone: MOSCOW, calendar: 'working-days' });
    expect(eve).toMatchObject({ localDateTime: '2026-04-30T17:00:00', dueAt: '2026-04-30T14:00:00Z', movedFromNonWorkingDay: false });
    const written = resolveDeadline({ localDateTime: '2026-04-30T18:00', timeZone: MOSCOW, calendar: 'working-days' });
    expect(written.localDateTime).toBe('2026-04-30T18:00:00');
  });

  it('moves the end of a non-working day to the end of the working day it lands on, and keeps any other time', () => {
    // No move lands on a shortened day in 2017–2027 (each follows a working day), so the rule is checked on every move.
    for (const decreeNonWorkingDays of ['non-working', 'working'] as const) {
      for (let date = '2017-01-01'; date < '2027-12-31'; date = addCalendarDays(date, 1)) {
        if (isWorkingDay(date, { decreeNonWorkingDays })) continue;
        const landing = nextWorkingDay(date, { decreeNonWorkingDays });
        const request = { timeZone: MOSCOW, calendar: 'working-days', decreeNonWorkingDays } as const;
        expect(resolveDeadline({ ...request, localDateTime: `${date}T18:00` }).localDateTime).toBe(
          `${landing}T${endOfWorkingDay(landing, { decreeNonWorkingDays })}:00`,
        );
        expect(resolveDeadline({ ...request, localDateTime: `${date}T17:00` }).localDateTime).toBe(`${landing}T17:00:00`);
      }
    }
  });

  it('refuses a working-day deadline outside the production calendar', () => {
    expect(() => resolveDeadline({ localDateTime: '2031-05-05T10:00', timeZone: MOSCOW, calendar: 'working-days' })).toThrow(
      CalendarRangeError,
    );
  });
});

describe('buildNotificationSchedule', () => {
  const policy: NotificationPolicy = {
    reminders: [{ daysBefore: 7 }, { daysBefore: 3 }, { daysBefore: 1, atLocalTime: '10:30' }],
    escalations: [
      { workingDaysAfter: 0, notify: 'assignee_head' },
      { workingDaysAfter: 3, notify: 'supervisor' },
    ],
  };

  it('lands reminders on working days at 09:00 local and escalations working days after the due date', () => {
    const deadline = resolveDeadline({ localDateTime: '2026-12-15T18:00', timeZone: ORENBURG, calendar: 'working-days' });
    const steps = buildNotificationSchedule(deadline, policy, 1, new Date('2026-11-01T00:00:00Z'));
    expect(steps.map((s) => [s.stepKey, s.target, s.at])).toEqual([
      ['r1-reminder-1', 'assignee', '2026-12-08T04:00:00Z'], // Tue 8 Dec 09:00 +05
      ['r1-reminder-2', 'assignee', '2026-12-11T04:00:00Z'], // Sat 12 Dec is off: Fri 11 Dec 09:00
      ['r1-reminder-3', 'assignee', '2026-12-14T05:30:00Z'], // Mon 14 Dec 10:30
      ['r1-escalation-1', 'assignee_head', '2026-12-15T13:00:00Z'], // the due moment
      ['r1-escalation-2', 'supervisor', '2026-12-18T13:00:00Z'], // 3 working days later, Fri 18 Dec
    ]);
  });

  it('counts escalation working days across the New Year holidays', () => {
    const deadline = resolveDeadline({ localDateTime: '2025-12-30T18:00', timeZone: MOSCOW, calendar: 'working-days' });
    const steps = buildNotificationSchedule(
      deadline,
      { reminders: [{ daysBefore: 1 }], escalations: [{ workingDaysAfter: 1, notify: 'supervisor' }] },
      1,
      new Date('2025-12-01T00:00:00Z'),
    );
    expect(steps.map((s) => s.at)).toEqual(['2025-12-29T06:00:00Z', '2026-01-12T15:00:00Z']);
  });

  it('lands reminders and escalations around decree days as the deadline\'s request says', () => {
    const rules: NotificationPolicy = { reminders: [{ daysBefore: 1 }], escalations: [{ workingDaysAfter: 1, notify: 'supervisor' }] };
    const now = new Date('2020-01-01T00:00:00Z');
    const byDefault = resolveDeadline({ localDateTime: '2020-05-12T18:00', timeZone: MOSCOW, calendar: 'working-days' });
    expect(buildNotificationSchedule(byDefault, rules, 1, now).map((s) => s.at)).toEqual([
      '2020-03-27T06:00:00Z', // the day before falls in the non-working spring: back to Friday 27 March
      '2020-05-13T15:00:00Z',
    ]);
    const worked = resolveDeadline({ localDateTime: '2020-03-31T18:00', timeZone: MOSCOW, calendar: 'working-days', decreeNonWorkingDays: 'working' });
    expect(buildNotificationSchedule(worked, rules, 1, now).map((s) => s.at)).toEqual(['2020-03-30T06:00:00Z', '2020-04-01T15:00:00Z']);
  });

  it('drops steps that are already past and keys each step by deadline revision', () => {
    const deadline = resolveDeadline({ localDateTime: '2026-12-15T18:00', timeZone: ORENBURG, calendar: 'working-days' });
    const steps = buildNotificationSchedule(deadline, policy, 2, new Date('2026-12-12T00:00:00Z'));
    expect(steps.map((s) => s.stepKey)).toEqual(['r2-reminder-3', 'r2-escalation-1', 'r2-escalation-2']);
  });

  it('sends one reminder where two land on the same moment, unless asked for the old schedule', () => {
    // Monday 6 July 2026: «3 days before» is Friday 3 July, «1 day before» is Sunday 5 July, moved back to Friday.
    const deadline = resolveDeadline({ localDateTime: '2026-07-06T18:00', timeZone: MOSCOW, calendar: 'working-days' });
    const twoOnFriday: NotificationPolicy = { reminders: [{ daysBefore: 3 }, { daysBefore: 1 }], escalations: [] };
    const merged = buildNotificationSchedule(deadline, twoOnFriday, 1, new Date('2026-06-01T00:00:00Z'));
    expect(merged.map((s) => [s.stepKey, s.at])).toEqual([['r1-reminder-1', '2026-07-03T06:00:00Z']]);
    const old = buildNotificationSchedule(deadline, twoOnFriday, 1, new Date('2026-06-01T00:00:00Z'), { mergeSameMomentReminders: false });
    expect(old.map((s) => s.stepKey)).toEqual(['r1-reminder-1', 'r1-reminder-2']);
  });

  it('supports second offsets for compressed calendars', () => {
    const deadline = resolveDeadline({ localDateTime: '2026-12-15T18:00:00', timeZone: MOSCOW, calendar: 'calendar-days' });
    const steps = buildNotificationSchedule(
      deadline,
      { reminders: [{ secondsBefore: 5 }], escalations: [{ secondsAfter: 2, notify: 'assignee_head' }] },
      1,
      new Date('2026-12-15T14:59:00Z'),
    );
    expect(steps.map((s) => s.at)).toEqual(['2026-12-15T14:59:55Z', '2026-12-15T15:00:02Z']);
  });
});

describe('resolveIssuedDeadline (compressed calendars)', () => {
  const request = { localDateTime: '2030-03-04T12:00:10', timeZone: MOSCOW, calendar: 'calendar-days' as const };
  const policy: NotificationPolicy = { reminders: [{ secondsBefore: 4 }], escalations: [], minimumLeadSeconds: 5 };

  it('keeps a deadline that leaves the whole lead after issue', () => {
    const issuedAt = new Date('2030-03-04T09:00:05Z'); // 12:00:05 in Moscow: 5 s before the deadline
    expect(resolveIssuedDeadline(request, policy, issuedAt)).toEqual(resolveDeadline(request));
  });

  it('moves a deadline issued too late to the lead after issue, rounded up to the second, and keeps the planned one', () => {
    const issuedAt = new Date('2030-03-04T09:00:07.250Z'); // 12:00:07.25, 2.75 s before the planned deadline
    const deadline = resolveIssuedDeadline(request, policy, issuedAt);
    expect(deadline.localDateTime).toBe('2030-03-04T12:00:13');
    expect(deadline.dueAt).toBe('2030-03-04T09:00:13Z');
    expect(deadline.leadFromIssue).toEqual({ plannedLocalDateTime: '2030-03-04T12:00:10', seconds: 5 });
    // The reminder the lead exists for is still ahead at issue.
    const schedule = buildNotificationSchedule(deadline, policy, 1, issuedAt);
    expect(schedule.map((s) => [s.stepKey, s.at])).toEqual([['r1-reminder-1', '2030-03-04T09:00:09Z']]);
  });

  it('moves a deadline already past at issue the same way', () => {
    const issuedAt = new Date('2030-03-04T09:01:00Z');
    expect(resolveIssuedDeadline(request, policy, issuedAt).dueAt).toBe('2030-03-04T09:01:05Z');
  });

  it('changes nothing for a policy without a lead (real calendars)', () => {
    const issuedAt = new Date('2030-03-04T09:01:00Z');
    const deadline = resolveIssuedDeadline(request, { reminders: [], escalations: [] }, issuedAt);
    expect(deadline).toEqual(resolveDeadline(request));
    expect(deadline.leadFromIssue).toBeUndefined();
  });
});

describe('validatePolicy', () => {
  it('accepts a minimum lead of whole seconds up to a day, and nothing else', () => {
    const base = { reminders: [{ secondsBefore: 2 }], escalations: [] };
    expect(validatePolicy({ ...base, minimumLeadSeconds: 3 })).toEqual([]);
    for (const bad of [0, -1, 1.5, 86_401]) {
      expect(validatePolicy({ ...base, minimumLeadSeconds: bad })).toEqual([expect.stringMatching(/^policy\.minimumLeadSeconds: /)]);
    }
  });

  it('accepts the default shape and names every problem of a bad one by its path', () => {
    expect(validatePolicy({ reminders: [{ daysBefore: 3 }], escalations: [{ workingDaysAfter: 0, notify: 'supervisor' }] })).toEqual([]);
    const problems = validatePolicy({
      reminders: [{ daysBefore: 3, secondsBefore: 10 }, { daysBefore: -1 }, { daysBefore: 1, atLocalTime: '9:00' }],
      escalations: [{ notify: 'assignee_head' }, { workingDaysAfter: 1, notify: 'nobody' as never }],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^policy\.reminders\[0\]: /),
      expect.stringMatching(/^policy\.reminders\[1\]\.daysBefore: /),
      expect.stringMatching(/^policy\.reminders\[2\]\.atLocalTime: /),
      expect.stringMatching(/^policy\.escalations\[0\]: /),
      expect.stringMatching(/^policy\.escalations\[1\]\.notify: /),
    ]);
  });
});
