import { localDueAfter, localToEpochMs } from '../../libs/domain/cycle-schedule';

const MOSCOW = 'Europe/Moscow';
const at = (local: string): number => localToEpochMs(local, MOSCOW);

describe('localDueAfter', () => {
  it('is due at the end of the working day it lands on: 18:00, or 17:00 on a shortened pre-holiday day', () => {
    expect(localDueAfter(at('2026-04-20T10:00:00'), { workingDays: 5 }, MOSCOW)).toBe('2026-04-27T18:00:00');
    expect(localDueAfter(at('2026-04-23T10:00:00'), { workingDays: 5 }, MOSCOW)).toBe('2026-04-30T17:00:00');
    expect(localDueAfter(at('2026-04-23T10:00:00'), { calendarDays: 7 }, MOSCOW)).toBe('2026-04-30T17:00:00');
  });

  it('counts decree days as days off by default and as working days when the plan says so', () => {
    expect(localDueAfter(at('2020-03-26T10:00:00'), { workingDays: 2 }, MOSCOW)).toBe('2020-05-12T18:00:00');
    expect(localDueAfter(at('2020-03-26T10:00:00'), { workingDays: 2 }, MOSCOW, { decreeNonWorkingDays: 'working' })).toBe(
      '2020-03-30T18:00:00',
    );
    expect(localDueAfter(at('2020-04-28T10:00:00'), { workingDays: 2 }, MOSCOW, { decreeNonWorkingDays: 'working' })).toBe(
      '2020-04-30T17:00:00',
    );
  });

  it('counts seconds in a compressed calendar', () => {
    expect(localDueAfter(at('2026-04-30T10:00:00'), { seconds: 90 }, MOSCOW)).toBe('2026-04-30T10:01:30');
  });
});
