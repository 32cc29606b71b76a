// The web app's Russian formatting (apps/web/src/format.ts): pure Intl code, so it runs under Node like any unit.
import {
  countOf,
  formatDate,
  formatDateTime,
  formatDateTimeInZone,
  formatLocalDate,
  formatNumber,
  localIsoDate,
  NOUNS,
  plural,
  workingDaysLeftText,
  zoneLabel,
} from '../../apps/web/src/format';

const NBSP = '\u00a0';

describe('web format: dates in the task zone', () => {
  it('writes a UTC instant as the local date and time of the zone, day first', () => {
    expect(formatDateTime('2026-12-15T13:00:00.000Z', 'Asia/Yekaterinburg')).toBe('15.12.2026 18:00');
    expect(formatDateTime('2026-12-15T15:00:00.000Z', 'Europe/Moscow')).toBe('15.12.2026 18:00');
  });

  it('names the zone in Russian with its UTC offset', () => {
    expect(formatDateTimeInZone('2026-12-15T13:00:00Z', 'Asia/Yekaterinburg')).toBe('15.12.2026 18:00 (Екатеринбург, UTC+5)');
    expect(zoneLabel('Europe/Moscow', '2026-06-01T00:00:00Z')).toBe('Москва, UTC+3');
    expect(zoneLabel('Europe/Kaliningrad', '2026-06-01T00:00:00Z')).toBe('Калининград, UTC+2');
  });

  it('shows a zone without a Russian name by its IANA name', () => {
    expect(zoneLabel('America/New_York', '2026-01-15T12:00:00Z')).toBe('America/New_York, UTC-5');
    expect(zoneLabel('UTC', '2026-01-15T12:00:00Z')).toBe('UTC');
    expect(zoneLabel('Europe/London', '2026-01-15T12:00:00Z')).toBe('Europe/London, UTC');
    expect(zoneLabel('Asia/Kolkata', '2026-01-15T12:00:00Z')).toBe('Asia/Kolkata, UTC+5:30');
  });

  it('takes the date of the zone, not of UTC, near midnight', () => {
    // 20:30 UTC on 31 December is already 1 January in Yekaterinburg.
    expect(formatDate('2026-12-31T20:30:00Z', 'Asia/Yekaterinburg')).toBe('01.01.2027');
    expect(localIsoDate('2026-12-31T20:30:00Z', 'Asia/Yekaterinburg')).toBe('2027-01-01');
    expect(formatDate('2026-12-31T20:30:00Z', 'Europe/Kaliningrad')).toBe('31.12.2026');
  });

  it('writes midnight as 00:00, not 24:00', () => {
    expect(formatDateTime('2026-03-01T19:00:00Z', 'Asia/Yekaterinburg')).toBe('02.03.2026 00:00');
  });

  it('writes a plain local date day first without moving it', () => {
    expect(formatLocalDate('2026-05-08')).toBe('08.05.2026');
  });

  it('refuses a string that is not a moment', () => {
    expect(() => formatDate('вчера', 'Europe/Moscow')).toThrow(RangeError);
  });
});

describe('web format: numbers and counts', () => {
  it('groups thousands with a no-break space and uses a decimal comma', () => {
    expect(formatNumber(12345.6)).toBe(`12${NBSP}345,6`);
    expect(formatNumber(0.25, 2)).toBe('0,25');
    expect(formatNumber(7)).toBe('7');
  });

  it('chooses the Russian plural form by the number', () => {
    expect(countOf(1, NOUNS.task)).toBe('1 задача');
    expect(countOf(3, NOUNS.task)).toBe('3 задачи');
    expect(countOf(5, NOUNS.task)).toBe('5 задач');
    expect(countOf(11, NOUNS.task)).toBe('11 задач');
    expect(countOf(21, NOUNS.task)).toBe('21 задача');
    expect(countOf(22, NOUNS.task)).toBe('22 задачи');
    expect(countOf(0, NOUNS.task)).toBe('0 задач');
    expect(countOf(12345, NOUNS.task)).toBe(`12${NBSP}345 задач`);
  });

  it('uses the genitive singular after a fraction', () => {
    expect(plural(1.5, NOUNS.task)).toBe('задачи');
  });
});

describe('web format: working days left', () => {
  it('says how many working days remain, the verb agreeing with the number', () => {
    expect(workingDaysLeftText(1)).toBe('остался 1 рабочий день');
    expect(workingDaysLeftText(3)).toBe('осталось 3 рабочих дня');
    expect(workingDaysLeftText(5)).toBe('осталось 5 рабочих дней');
    expect(workingDaysLeftText(21)).toBe('остался 21 рабочий день');
  });

  it('says the deadline is today at zero, and by how much it is overdue below zero', () => {
    expect(workingDaysLeftText(0)).toBe('срок истекает сегодня');
    expect(workingDaysLeftText(-2)).toBe('просрочена на 2 рабочих дня');
    expect(workingDaysLeftText(-1)).toBe('просрочена на 1 рабочий день');
  });
});
