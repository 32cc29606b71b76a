import { resolveDeadline } from '../../libs/domain/deadline';
import { timeLeftText } from '../../libs/domain/time-left';

const MOSCOW = 'Europe/Moscow';

describe('timeLeftText: what a reminder says is left', () => {
  const friday = resolveDeadline({ localDateTime: '2026-12-18T18:00', timeZone: MOSCOW, calendar: 'working-days' });

  it('counts working days after the reminder up to the deadline, with the verb and noun agreeing', () => {
    expect(timeLeftText('2026-12-15T06:00:00Z', friday)).toBe('осталось 3 рабочих дня'); // Tue → Wed, Thu, Fri
    expect(timeLeftText('2026-12-17T06:00:00Z', friday)).toBe('остался 1 рабочий день');
    expect(timeLeftText('2026-12-11T06:00:00Z', friday)).toBe('осталось 5 рабочих дней'); // the weekend does not count
    expect(timeLeftText('2026-12-18T06:00:00Z', friday)).toBe('срок истекает сегодня');
  });

  it('skips the New Year holidays', () => {
    const january = resolveDeadline({ localDateTime: '2027-01-12T18:00', timeZone: MOSCOW, calendar: 'working-days' });
    expect(timeLeftText('2026-12-29T06:00:00Z', january)).toBe('осталось 3 рабочих дня'); // 30 Dec, 11 and 12 Jan
  });

  it('counts calendar days, and seconds or minutes in a compressed drill', () => {
    const calendarDays = resolveDeadline({ localDateTime: '2026-12-18T18:00', timeZone: MOSCOW, calendar: 'calendar-days' });
    expect(timeLeftText('2026-12-11T06:00:00Z', calendarDays)).toBe('осталось 7 дней');
    expect(timeLeftText('2026-12-18T14:59:20Z', calendarDays)).toBe('осталось 40 секунд');
    expect(timeLeftText('2026-12-18T14:58:59Z', calendarDays)).toBe('осталась 1 минута');
    expect(timeLeftText('2026-12-18T14:57:00Z', calendarDays)).toBe('осталось 3 минуты');
  });
});
