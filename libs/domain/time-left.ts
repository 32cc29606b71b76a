/**
 * How much time a reminder leaves before the deadline, as its subject says it: «осталось 3 рабочих дня». Three
 * reminders of one task then read as three different letters, not as duplicates. Pure and sandbox-safe.
 */
import { DateTime } from 'luxon';
import type { EffectiveDeadline } from '../contracts/deadline-task';
import { workingDaysBetween } from './calendar';
import { countOf, NOUNS, plural, type RussianForms } from './russian';

/** «осталось 3 рабочих дня», «остался 1 день», «осталось 40 секунд»; «срок истекает сегодня» on the last day. */
export function timeLeftText(atIso: string, deadline: EffectiveDeadline): string {
  const { timeZone, calendar } = deadline.requested;
  const at = DateTime.fromISO(atIso, { zone: timeZone });
  const due = DateTime.fromISO(deadline.dueAt, { zone: timeZone });
  const seconds = Math.max(0, Math.round(due.diff(at, 'seconds').seconds));
  if (seconds < 86_400 && at.toISODate() === due.toISODate()) {
    // Compressed drills remind seconds before the deadline; real reminders on the last day just say so.
    if (seconds >= 3_600 || calendar === 'working-days') return 'срок истекает сегодня';
    return seconds >= 60 ? left(Math.floor(seconds / 60), NOUNS.minute, 'feminine') : left(seconds, NOUNS.second, 'feminine');
  }
  const from = at.toISODate() as string;
  const to = due.toISODate() as string;
  if (calendar === 'working-days') return left(workingDaysBetween(from, to), NOUNS.workingDay);
  return left(Math.round(DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days), NOUNS.day);
}

/** The verb agrees with the noun: «остался 1 день», «осталась 1 минута», «осталось 3 дня». */
function left(count: number, noun: RussianForms, gender: 'masculine' | 'feminine' = 'masculine'): string {
  const one = gender === 'feminine' ? 'осталась' : 'остался';
  return `${plural(count, { one, few: 'осталось', many: 'осталось' })} ${countOf(count, noun)}`;
}
