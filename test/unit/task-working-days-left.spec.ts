// The inbox's «Осталось» column: working days to the deadline's day, counted in the task's zone by the calendar.
import { workingDaysLeft } from '../../apps/api/tasks/task.views';

const EKB = 'Asia/Yekaterinburg';
const MONDAY_NOON_EKB = new Date('2026-11-30T07:00:00Z');

describe('workingDaysLeft', () => {
  it('counts the working days after today up to the due day', () => {
    expect(workingDaysLeft('2026-12-03T13:00:00Z', EKB, MONDAY_NOON_EKB)).toBe(3); // Thursday
    expect(workingDaysLeft('2026-12-07T13:00:00Z', EKB, MONDAY_NOON_EKB)).toBe(5); // next Monday, the weekend skipped
  });

  it('is 0 on the due day, before and after the deadline hour', () => {
    expect(workingDaysLeft('2026-11-30T13:00:00Z', EKB, MONDAY_NOON_EKB)).toBe(0);
    expect(workingDaysLeft('2026-11-30T13:00:00Z', EKB, new Date('2026-11-30T15:00:00Z'))).toBe(0);
  });

  it('is negative by the working days since the due day once it has passed', () => {
    expect(workingDaysLeft('2026-11-27T13:00:00Z', EKB, MONDAY_NOON_EKB)).toBe(-1); // Friday, the weekend not counted
    expect(workingDaysLeft('2026-11-25T13:00:00Z', EKB, MONDAY_NOON_EKB)).toBe(-3);
  });

  it("takes today's date in the task's zone, not in UTC", () => {
    // 20:00 UTC on 30 November is already 1 December in Yekaterinburg, still 30 November in Moscow.
    const lateEvening = new Date('2026-11-30T20:00:00Z');
    expect(workingDaysLeft('2026-12-01T13:00:00Z', EKB, lateEvening)).toBe(0);
    expect(workingDaysLeft('2026-12-01T15:00:00Z', 'Europe/Moscow', lateEvening)).toBe(1);
  });

  it('skips the New Year holidays', () => {
    // 31 December 2026 (Thursday) to 11 January 2027: 1–8 January are holidays, 9–10 a weekend.
    expect(workingDaysLeft('2027-01-11T13:00:00Z', EKB, new Date('2026-12-31T07:00:00Z'))).toBe(1);
  });

  it('is undefined outside the production calendar', () => {
    expect(workingDaysLeft('2031-03-03T13:00:00Z', EKB, MONDAY_NOON_EKB)).toBeUndefined();
  });
});
